"""The aiohttp application and its lifetime next to the bot (or alone)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Bot
from bot.scheduler import Scheduler
from bot.web import club_page, dashboard, feed_routes, health
from bot.web.connections import (
    AcceptErrors,
    ConnectionGuard,
    Limits,
    listening_socket,
    long_queue,
)
from bot.web.feeds import feeds_of
from bot.web.metrics import Metrics
from bot.web.pages import problem, render, secure_router_errors, secured
from bot.web.site import Site
from bot.web.state import WEB, Web

log = logging.getLogger(__name__)

# The feeds' warm-up running in the background (done once every club's windows are drawn).
WARMING = web.AppKey("warming", asyncio.Task[None])
LIMITS = Limits()


def make_app(*, bot: Bot, site: Site, scheduler: Scheduler | None = None) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    mount(app, bot=bot, site=site, scheduler=scheduler)
    return app


def mount(
    app: web.Application, *, bot: Bot, site: Site, scheduler: Scheduler | None = None
) -> None:
    """Add the web side's routes to `app`: its own, or Slack HTTP mode's server (whose
    routes keep their own headers: only these carry the security headers)."""
    metrics = Metrics()
    metrics.watch_posts(bot.store, bot.clock)
    app[WEB] = Web(
        bot=bot, site=site, feeds=feeds_of(bot.store), metrics=metrics, scheduler=scheduler
    )
    app.cleanup_ctx.append(_warm_feeds)
    routes = feed_routes.ROUTES + dashboard.ROUTES + club_page.ROUTES + health.ROUTES
    routes += [
        web.get("/", home),
        web.get("/static/site.css", stylesheet),
        web.get("/favicon.ico", favicon),
    ]
    app.add_routes([web.RouteDef(r.method, r.path, secured(r.handler), r.kwargs) for r in routes])
    app.on_response_prepare.append(secure_router_errors)


async def _warm_feeds(app: web.Application) -> AsyncIterator[None]:
    """Draw the clubs' feeds in the background from the start; stopped with the server."""
    site = app[WEB]

    async def warm() -> None:
        started = time.perf_counter()
        try:
            clubs = await site.feeds.warm(site.bot.clock.now())
        except (SQLAlchemyError, OSError) as error:
            log.warning("feeds: could not warm up: %s", error)
            return
        log.info("feeds: %d clubs' windows drawn in %.1f s", clubs, time.perf_counter() - started)

    task = app[WARMING] = asyncio.create_task(warm())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def home(request: web.Request) -> web.Response:
    return render(
        "error.html",
        title="clubbot",
        text=(
            "Calendar feeds, club pages and the officer dashboard of a clubbot. "
            "Run /calendar or /admin dashboard in your club's chat."
        ),
    )


async def stylesheet(request: web.Request) -> web.Response:
    css = resources.files("bot.web").joinpath("static/site.css").read_text(encoding="utf-8")
    return web.Response(
        text=css, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
    )


async def favicon(request: web.Request) -> web.Response:
    icon = resources.files("bot.web").joinpath("static/favicon.ico").read_bytes()
    return web.Response(
        body=icon, content_type="image/x-icon", headers={"Cache-Control": "max-age=86400"}
    )


def parse_listen(text: str) -> tuple[str, int]:
    """'0.0.0.0:8080' or ':8080' or '8080' -> (host, port)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--web wants HOST:PORT, e.g. 0.0.0.0:8080; got {text!r}")
    return host or "0.0.0.0", int(port)


@dataclass(slots=True, kw_only=True)
class Server:
    """The web server running in this process's event loop."""

    runner: web.AppRunner
    listening: asyncio.Server
    guard: ConnectionGuard
    accept_errors: AcceptErrors

    @property
    def port(self) -> int:
        return int(self.listening.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.listening.close()
        await self.runner.cleanup()
        self.accept_errors.uninstall()


async def serve(app: web.Application, listen: str, *, limits: Limits | None = None) -> Server:
    """Serve `app` on `listen` (HOST:PORT) with the connection limits (LIMITS unless
    given): every server of clubbot's, Slack HTTP mode's included, starts here."""
    limits = limits or LIMITS
    host, port = parse_listen(listen)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=limits.keepalive_timeout)
    await runner.setup()
    assert runner.server is not None
    guard = ConnectionGuard(runner.server, cap=limits.cap(), head_timeout=limits.head_timeout)
    loop = asyncio.get_running_loop()
    accept_errors = AcceptErrors(loop).install()
    try:
        sock = listening_socket(host, port, limits)
        listening = await loop.create_server(runner.server, sock=sock, backlog=limits.batch)
        long_queue(sock, limits)
    except BaseException:
        accept_errors.uninstall()
        await runner.cleanup()
        raise
    return Server(runner=runner, listening=listening, guard=guard, accept_errors=accept_errors)


__all__ = ["LIMITS", "Limits", "Server", "make_app", "mount", "parse_listen", "problem", "serve"]
