"""`clubbot slack`: Socket Mode for one club (`run_socket_mode`), or HTTP mode with the OAuth
install flow for many workspaces (`run_http`), which also serves the web side."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import aiohttp
from aiohttp import web
from dotenv import dotenv_values
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.connecting import with_retries
from adapters.slack.app import build_app
from adapters.slack.lifecycle import Lifecycle
from adapters.slack.manifest import (
    BOT_SCOPES,
    EVENTS_PATH,
    INSTALL_PATH,
    REDIRECT_PATH,
)
from adapters.slack.posting import SlackPoster
from adapters.slack.workspace import (
    InstalledWorkspaces,
    SingleWorkspace,
    SlackDirectory,
    Workspaces,
    web_client,
)
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.store.db import make_engine
from bot.web import Site
from bot.web.server import mount, serve

log = logging.getLogger(__name__)


def oauth_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (environment first, then `.env`), if both set."""
    values = {k: v for k, v in dotenv_values(Path(".env")).items() if v is not None}
    values.update(os.environ if environ is None else environ)
    client_id, secret = values.get("SLACK_CLIENT_ID", ""), values.get("SLACK_CLIENT_SECRET", "")
    return (client_id, secret) if client_id and secret else None


async def _open(
    settings: Settings, workspaces: Workspaces, *, web_listen: str
) -> tuple[Runtime, SlackDirectory]:
    directory = SlackDirectory(workspaces)
    runtime = await open_runtime(
        database_url=settings.database_url,
        clock=SystemClock(),
        poster=SlackPoster(workspaces),
        directory=directory,
        grace=settings.grace,
        postings_settings=settings.postings,
        public_url=settings.public_url,
        web_listen=web_listen,
    )
    return runtime, directory


async def run_socket_mode(settings: Settings, *, prefix: str = "") -> int:
    """One club over Socket Mode (SLACK_BOT_TOKEN, SLACK_APP_TOKEN): no public URL needed."""
    if not (settings.slack_bot_token and settings.slack_app_token):
        print(
            "clubbot slack: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (see docs/slack.md).",
            file=sys.stderr,
        )
        return 2
    client = web_client(settings.slack_bot_token)
    runtime, directory = await _open(
        settings, SingleWorkspace(client), web_listen=settings.web_listen
    )
    app = build_app(
        runtime.bot,
        directory=directory,
        client=client,
        signing_secret=settings.slack_signing_secret,
        prefix=prefix,
    )
    handler = AsyncSocketModeHandler(app, settings.slack_app_token)
    try:
        await _reach_slack(runtime, client, settings)
        # slack_sdk's Socket Mode client retries a failed connection forever: hand it a
        # connection URL got within our bounded retries instead.
        opened = await with_retries(
            "opening a Socket Mode connection (apps.connections.open)",
            lambda: client.apps_connections_open(app_token=settings.slack_app_token),
            passing=passing,
            within=settings.connect_within,
        )
        handler.client.wss_uri = str(opened["url"])
        await runtime.start()
        await handler.start_async()  # type: ignore[no-untyped-call]
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await runtime.close()
    return 0


async def run_http(
    settings: Settings,
    *,
    port: int,
    prefix: str = "",
    host: str = "0.0.0.0",
    environ: Mapping[str, str] | None = None,
) -> int:
    """HTTP mode behind any load balancer: the OAuth install flow for many workspaces
    (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET), or one workspace's SLACK_BOT_TOKEN without them."""
    if not settings.slack_signing_secret:
        print(
            "clubbot slack --http: set SLACK_SIGNING_SECRET (see docs/slack.md).", file=sys.stderr
        )
        return 2
    credentials = oauth_credentials(environ)
    if credentials is None and not settings.slack_bot_token:
        print(
            "clubbot slack --http: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for the "
            "install flow, or SLACK_BOT_TOKEN for one workspace.",
            file=sys.stderr,
        )
        return 2
    engine = make_engine(settings.database_url)
    try:
        app, runtime = await _http_app(settings, engine, credentials, prefix=prefix)
        try:
            await _serve(app, runtime, host=host, port=port, settings=settings)
        finally:
            await runtime.close()
    finally:
        await engine.dispose()
    return 0


async def _http_app(
    settings: Settings,
    engine: AsyncEngine,
    credentials: tuple[str, str] | None,
    *,
    prefix: str,
) -> tuple[AsyncApp, Runtime]:
    """With OAuth credentials, every installed workspace; without, the one bot token's."""
    oauth: AsyncOAuthSettings | None = None
    if credentials is None:
        client = web_client(settings.slack_bot_token)
        workspaces: Workspaces = SingleWorkspace(client)
    else:
        oauth, installations = await oauth_settings(engine, *credentials)
        client, workspaces = web_client(), InstalledWorkspaces(installations)
    # HTTP mode serves the web side on its own server (see _serve), not a second one.
    runtime, directory = await _open(settings, workspaces, web_listen="")
    if credentials is None:
        await _reach_slack(runtime, client, settings)
    app = build_app(
        runtime.bot,
        directory=directory,
        client=client,
        signing_secret=settings.slack_signing_secret,
        prefix=prefix,
        oauth_settings=oauth,
    )
    return app, runtime


def passing(error: Exception) -> bool:
    """Worth another try at start: no network, DNS, a timeout, Slack's 5xx."""
    if isinstance(error, SlackApiError):
        return error.response is not None and error.response.status_code >= 500
    return isinstance(error, aiohttp.ClientError | OSError | TimeoutError)


async def _reach_slack(runtime: Runtime, client: AsyncWebClient, settings: Settings) -> None:
    """auth.test with the bot token, retried while the network is away: a start that can't
    reach Slack says so and exits (non-zero) instead of waiting forever. A token that works
    brings its workspace's club back if Slack had cut it off (a new token after a revoke)."""
    answer = await with_retries(
        "reaching Slack (auth.test)",
        client.auth_test,
        passing=passing,
        within=settings.connect_within,
    )
    team = str(answer.get("team_id") or "")
    if team:
        lifecycle = Lifecycle(bot=runtime.bot, workspaces=SingleWorkspace(client))
        await lifecycle.installed(team)


async def oauth_settings(
    engine: AsyncEngine, client_id: str, client_secret: str
) -> tuple[AsyncOAuthSettings, AsyncSQLAlchemyInstallationStore]:
    """The install flow, keeping installations and OAuth states in the bot's own database."""
    installations = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    # slack_sdk owns these three tables; create_all leaves existing ones alone.
    await installations.create_tables()  # type: ignore[no-untyped-call]
    await states.create_tables()  # type: ignore[no-untyped-call]
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )
    # bolt's default authorize calls auth.test on every request, before the ack; keyed by
    # token, the cache asks once per installation (a reinstall brings a new token).
    settings.authorize = AsyncInstallationStoreAuthorize(
        logger=logging.getLogger("slack_bolt"),
        client_id=client_id,
        client_secret=client_secret,
        installation_store=installations,
        cache_enabled=True,
    )
    return settings, installations


async def _serve(
    app: AsyncApp, runtime: Runtime, *, host: str, port: int, settings: Settings
) -> None:
    web_app = app.web_app(path=EVENTS_PATH, port=port)
    if settings.web_listen:  # --web: the web side's pages on this same server
        mount(
            web_app,
            bot=runtime.bot,
            site=Site(public_url=settings.public_url),
            scheduler=runtime.scheduler,
        )
    else:
        web_app.router.add_get("/healthz", _healthy)
    # The web side's server: its connection limits hold for Slack's events too.
    server = await serve(web_app, f"{host}:{port}")
    try:
        log.info("clubbot listens on http://%s:%s%s", host, port, EVENTS_PATH)
        await runtime.start()
        await asyncio.Event().wait()
    finally:
        await server.stop()


async def _healthy(request: web.Request) -> web.Response:
    return web.Response(text="ok")
