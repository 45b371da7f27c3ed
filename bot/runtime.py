"""The composition root of the core: the store, the scheduler and the bot, with every
feature's commands, buttons and jobs. The one module that knows every feature."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import applications, club, home, mydata, pairing, people, postings, problems, web, windows
from bot.app import Bot, ButtonAction, Command, Directory
from bot.clock import Clock, SystemClock
from bot.config import PostingsSettings
from bot.jobs import Job, Sweep
from bot.posting import Poster
from bot.retention import RETENTION
from bot.scheduler import Scheduler
from bot.store.member_data import CORE_MEMBER_DATA, Registry, check_registry
from bot.store.store import Store

if TYPE_CHECKING:
    from bot.web.server import Server


# Where every feature keeps members' data: what /mydata exports and erases. A declaration
# naming a table or column the schema lacks stops the bot at import; a table of the schema
# nobody declares fails tests/core/test_member_data.py.
MEMBER_DATA: Registry = (
    CORE_MEMBER_DATA,
    windows.MEMBER_DATA,
    problems.MEMBER_DATA,
    pairing.MEMBER_DATA,
    postings.MEMBER_DATA,
    web.MEMBER_DATA,
    applications.MEMBER_DATA,
)
check_registry(MEMBER_DATA)


def commands_for(site: web.Site, live: postings.Postings | None = None) -> tuple[Command, ...]:
    """The club's own commands come first: platform listings (Slack's usage hints, Discord's
    subcommand order) then start with /help and /admin setup. The web side's commands know
    its PUBLIC_URL; its /calendar (links and the file) takes the place of the file alone.
    Live postings' commands know the deployment's postings settings."""
    extra = {c.name: c for c in web.commands(site)}
    features = (
        *club.COMMANDS,
        *windows.COMMANDS,
        *problems.COMMANDS,
        *pairing.COMMANDS,
        *(postings.COMMANDS if live is None else live.commands),
        *applications.COMMANDS,
        *mydata.commands(MEMBER_DATA),
    )
    listed = [extra.pop(c.name) if c.name in extra else _answered(c) for c in features]
    return (*listed, *extra.values())


def _answered(command: Command) -> Command:
    """The command as declared, or answered by the applications (`/alerts applied` records
    the application too): one spec, one handler."""
    handler = applications.HANDLERS.get(command.name)
    return command if handler is None else replace(command, handler=handler)


COMMANDS: tuple[Command, ...] = commands_for(web.Site())

BUTTONS: tuple[ButtonAction, ...] = (
    *problems.BUTTONS,
    *home.BUTTONS,
    *applications.BUTTONS,
    *mydata.buttons(MEMBER_DATA),
)

JOBS: tuple[Job, ...] = (
    # The officer digest leads with the club's people: the club view and its activity.
    *club.jobs(people=people.digest_fields),
    *windows.JOBS,
    *problems.JOBS,
    *pairing.JOBS,
    *postings.JOBS,
    *applications.JOBS,
)


def jobs_for(live: postings.Postings) -> tuple[Job, ...]:
    """JOBS, with live postings' bound to the deployment's postings settings."""
    kinds = {j.kind for j in live.jobs}
    return (*(j for j in JOBS if j.kind not in kinds), *live.jobs)


# Deployment-wide tasks, not any club's: the postings poll, and pruning old claims.
SWEEPS: tuple[Sweep, ...] = (*postings.SWEEPS, RETENTION)


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    bot: Bot
    scheduler: Scheduler
    store: Store
    web: Server | None = None
    postings: postings.Postings = field(default_factory=postings.Postings)

    async def start(self) -> None:
        """Start running the schedule (a bot's process, once connected); then what the
        process holds for its life is kept out of the collector's walks (`settled`)."""
        await self.scheduler.start()
        settled()

    async def close(self) -> None:
        if self.web is not None:
            await self.web.stop()
        self.scheduler.shutdown()
        await self.scheduler.outage.stop()
        await self.store.close()


def settled() -> None:
    """What a started process holds for its life (every club's snapshot, the problem bank,
    the schedule, the modules) is moved out of the cyclic collector's reach: a full
    collection walks every object it tracks, and with 1,000 clubs cached one paused the
    event loop for 65-80 ms; after this, about 10 ms (bench/bench_core.py does the same
    once warm). Those objects are still freed when nothing refers to them; only a cycle
    among them would stay (a bot's start-up objects live as long as it does)."""
    gc.collect()
    gc.freeze()


async def open_runtime(
    *,
    database_url: str,
    clock: Clock,
    poster: Poster,
    directory: Directory,
    grace: timedelta = timedelta(hours=1),
    owner: str | None = None,
    public_url: str = "",
    web_listen: str = "",
    scheduled_here: bool = True,
    postings_settings: PostingsSettings | None = None,
) -> Runtime:
    """Migrate the database and wire the core; the caller starts the scheduler if it wants.
    With `web_listen` (HOST:PORT) the web side serves there until the runtime closes;
    `scheduled_here=False` for a process that never starts the scheduler (`clubbot web`)."""
    site = web.Site(public_url=public_url)
    live = postings.Postings(postings_settings or PostingsSettings())
    # On the real clock every process judges leases by the database's clock; a simulated
    # clock (tests, the demo) runs them on its own time.
    store = await Store.open(database_url, database_clock=isinstance(clock, SystemClock))
    scheduler = Scheduler(
        store=store,
        poster=poster,
        clock=clock,
        jobs=jobs_for(live),
        grace=grace,
        owner=owner,
        sweeps=(*live.sweeps, RETENTION),
    )
    bot = Bot(
        commands=commands_for(site, live),
        store=store,
        clock=clock,
        directory=directory,
        schedule=scheduler,
        buttons=BUTTONS,
    )
    server = None
    if web_listen:  # loaded here: a console or a test without pages never imports aiohttp
        from bot.web.server import make_app, serve

        app = make_app(bot=bot, site=site, scheduler=scheduler if scheduled_here else None)
        server = await serve(app, web_listen)
    return Runtime(bot=bot, scheduler=scheduler, store=store, web=server, postings=live)
