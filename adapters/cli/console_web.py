"""`clubbot console --web HOST:PORT` and `clubbot demo --web`: the console club with its
web side, so a newcomer can subscribe to a feed, open the club page and sign in to the
dashboard without any platform or token.

PUBLIC_URL defaults to `http://HOST:PORT` (a server listening on every address is reached
at 127.0.0.1). The console's lines are read on a thread of their own, so the event loop
serves pages while the console waits for the next line.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from adapters.console import WORKSPACE, ConsoleSession
from bot.model import User
from bot.runtime import Runtime
from bot.web import Site

# Played after the demo's own script: what a member and an officer do on the web side.
DEMO_WEB_SCRIPT = """
# The web side (--web). Sam follows the quant programs and subscribes to their own
# calendar; they applied to Jane Street and won't apply to Citadel: their feed marks the
# one and drops the other, as their reminder DMs do.
:as sam
/alerts subscribe target:quant
/calendar
/alerts applied window:jane-street
/alerts not-interested window:citadel
# Alex turns the public club page on and asks for a sign-in link to the dashboard (a DM).
:as alex officer
/admin page enabled:on
/admin dashboard
"""


def local_url(listen: str) -> str:
    """The PUBLIC_URL of a console that serves on `listen` (HOST:PORT) and has none set."""
    from bot.web.server import parse_listen

    host, port = parse_listen(listen)
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host
    return f"http://{shown}:{port}"


def greeting(public_url: str) -> str:
    return (
        f"The web side serves {public_url}: /calendar gives your feed's links, "
        "/admin page enabled:on the club page's, /admin dashboard a sign-in link (its [dm] "
        "line). Pages are served while the console waits for a line; :quit stops them."
    )


async def run_lines(session: ConsoleSession, read: Callable[[], str | None]) -> None:
    """Run each line `read` returns until it returns None or the session ends. `read`
    blocks (a terminal, a pipe), so it runs on a daemon thread that reads one line each
    time the console asks: the loop serves pages meanwhile, and a Ctrl-C leaves at once."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    wanted = threading.Semaphore(0)

    def reader() -> None:
        while True:
            wanted.acquire()
            line = read()
            loop.call_soon_threadsafe(lines.put_nowait, line)
            if line is None:
                return

    threading.Thread(target=reader, name="console-lines", daemon=True).start()
    while True:
        wanted.release()
        line = await lines.get()
        if line is None or not await session.execute(line):
            return


async def demo_links(runtime: Runtime, site: Site, *, member: str, officer: User) -> list[str]:
    """The links the demo ends with: the member's feed, the club page and a sign-in link
    to the dashboard for the officer."""
    from bot.web.commands import signin_link
    from bot.web.site import webcal
    from bot.web.store import WebStore

    club = next(c for c in await runtime.store.clubs.all() if c.workspace_id == WORKSPACE)
    web, now = runtime.store.repo(WebStore), runtime.bot.clock.now()
    feed = site.feed_url(await web.feed_token(club.id, member, now=now))
    signin = await signin_link(site, web, club.id, officer, now=now)
    return [
        f"The web side is at {site.public_url}. Open these in a browser:",
        f"  {member}'s calendar feed (quant programs, Jane Street marked applied, no Citadel): "
        f"{feed}",
        f"    subscribe to it from a calendar app: {webcal(feed)}",
        f"  the club page: {site.url(f'/clubs/{club.id}')}",
        f"  the officer dashboard, signed in as {officer.name} (works once): {signin}",
    ]
