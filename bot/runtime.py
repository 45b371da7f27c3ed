"""Putting the core together: the store, the scheduler and the bot with every feature's commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.app import Bot, ButtonAction, Command, Directory
from bot.clock import Clock
from bot.commands import admin, deadlines, mockpair, problems
from bot.commands import help as help_command
from bot.jobs import JOBS
from bot.posting import Poster
from bot.scheduler import Scheduler
from bot.store.store import Store

# The core's own admin commands come first: platform listings (Slack's usage hints,
# Discord's subcommand order) then start with setup.
COMMANDS: tuple[Command, ...] = (
    *help_command.COMMANDS,
    *admin.COMMANDS,
    *deadlines.COMMANDS,
    *problems.COMMANDS,
    *mockpair.COMMANDS,
)


BUTTONS: tuple[ButtonAction, ...] = (*problems.BUTTONS,)


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
