"""The composition root of the core: the store, the scheduler and the bot, with every
feature's commands, buttons and jobs. The one module that knows every feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot import club, home, pairing, problems, windows
from bot.app import Bot, ButtonAction, Command, Directory
from bot.clock import Clock
from bot.jobs import Job
from bot.posting import Poster
from bot.scheduler import Scheduler
from bot.store.store import Store

# The club's own commands come first: platform listings (Slack's usage hints, Discord's
# subcommand order) then start with /help and /admin setup.
COMMANDS: tuple[Command, ...] = (
    *club.COMMANDS,
    *windows.COMMANDS,
    *problems.COMMANDS,
    *pairing.COMMANDS,
)

BUTTONS: tuple[ButtonAction, ...] = (*problems.BUTTONS, *home.BUTTONS)

JOBS: tuple[Job, ...] = (*club.JOBS, *windows.JOBS, *problems.JOBS, *pairing.JOBS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    bot: Bot
    scheduler: Scheduler
    store: Store

    async def close(self) -> None:
        self.scheduler.shutdown()
        await self.store.close()


async def open_runtime(
    *,
    database_url: str,
    clock: Clock,
    poster: Poster,
    directory: Directory,
    grace: timedelta = timedelta(hours=1),
    owner: str | None = None,
) -> Runtime:
    """Migrate the database and wire the core; the caller starts the scheduler if it wants."""
    store = await Store.open(database_url)
    scheduler = Scheduler(
        store=store, poster=poster, clock=clock, jobs=JOBS, grace=grace, owner=owner
    )
    bot = Bot(
        commands=COMMANDS,
        store=store,
        clock=clock,
        directory=directory,
        schedule=scheduler,
        buttons=BUTTONS,
    )
    return Runtime(bot=bot, scheduler=scheduler, store=store)
