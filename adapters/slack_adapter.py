"""Slack: slash commands, button clicks and the App Home in; Block Kit out.

Every request goes through bolt's `AsyncApp` (signature check, ack within 3 s), then
becomes one core event: `await bot.handle(event) -> Message`, answered through the
request's response_url. `build_app` makes the app without connecting, so tests drive
it with signed requests; `run_socket_mode` (one club) and `run_http` (OAuth, many
workspaces) connect it. Module map: slack_render (Block Kit), slack_workspace
(clients, directory, rights), slack_posting (Poster), slack_manifest (app manifest).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from dotenv import dotenv_values
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console_adapter import parse_command
from adapters.slack_manifest import (
    BOT_SCOPES,
    EVENTS_PATH,
    INSTALL_PATH,
    REDIRECT_PATH,
    roots,
    slash_command,
)
from adapters.slack_posting import SlackPoster
from adapters.slack_render import ACTION_PREFIX, home_view, message_payload, unescape
from adapters.slack_workspace import (
    InstalledWorkspaces,
    SingleWorkspace,
    SlackDirectory,
    Workspaces,
    web_client,
)
from bot.app import Bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import UserError
from bot.home import home_page
from bot.model import ButtonEvent, CommandEvent, Message, Place, User, reply
from bot.posting import PostFailed, PostRefused
from bot.runtime import Runtime, open_runtime
from bot.store.clubs import Actor, ClubChanges
from bot.store.db import make_engine
from bot.web import Site
from bot.web.server import mount

log = logging.getLogger(__name__)

# Slack clients may turn typed quotes into curly ones; the option parser wants plain ones.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})

HomePage = Callable[[Bot, User, Place], Awaitable[Sequence[Message]]]


def response(message: Message, *, replace_original: bool | None = None) -> dict[str, Any]:
    """A response_url payload: ephemeral replies reach only the member who asked."""
    payload = message_payload(message)
    payload["response_type"] = "ephemeral" if message.ephemeral else "in_channel"
    if replace_original is not None:
        payload["replace_original"] = replace_original
    return payload


def command_line(root: str, text: str) -> str:
    """The console's command syntax from a slash command and the text typed after it."""
    return f"/{root} {unescape(text).translate(_QUOTES)}".strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackListeners:
    """What bolt calls: one method per kind of request, each a few lines of translation."""

    bot: Bot
    directory: SlackDirectory
    poster: SlackPoster
    prefix: str
    home: HomePage
    # The name each workspace's club was last given, so a request costs no database write.
    named: dict[str, str] = field(default_factory=dict)

    async def on_command(self, args: AsyncArgs) -> None:
        await args.ack()
        message = await self._answer_command(args)
        await args.respond(**response(message))
        if message.attachment is not None:  # a response_url can't carry a file: DM it
            place = self._place(args, str(args.body.get("channel_id") or ""))
            name = message.attachment.filename
            try:
                await self.poster.upload(place, str(args.body["user_id"]), message.attachment)
            except (PostRefused, PostFailed) as error:
                log.warning("could not send %s: %s", name, error)
                failed = reply(f"I couldn't send you {name} ({error}). Please tell an officer.")
                await args.respond(**response(failed, replace_original=False))

    async def _answer_command(self, args: AsyncArgs) -> Message:
        body = args.body
        place = self._place(args, str(body.get("channel_id") or ""))
        user = await self._user(place, str(body["user_id"]), str(body.get("user_name") or ""))
        root = str(body["command"]).removeprefix("/").removeprefix(self.prefix)
        names = (c.name for c in self.bot.commands)
        try:
            name, options = parse_command(command_line(root, str(body.get("text") or "")), names)
        except UserError as error:
            return reply(error.message)
        return await self.bot.handle(CommandEvent(name=name, args=options, user=user, place=place))

    async def on_click(self, args: AsyncArgs) -> None:
        await args.ack()
        value = str((args.action or {}).get("value") or "")
        if ":" not in value:
            return  # a link button: Slack opened the URL, nothing comes back to the core
        action, _, rest = value.partition(":")
        place = self._place(args, str((args.body.get("channel") or {}).get("id") or ""))
        who = args.body["user"]
        user = await self._user(place, str(who["id"]), str(who.get("username") or ""))
        message = await self.bot.handle(
            ButtonEvent(action=action, value=rest, user=user, place=place)
        )
        if args.context.response_url:
            await args.respond(**response(message, replace_original=False))
        else:  # a click on the Home tab has nowhere to reply but the member's DM
            await self._dm(place, user, message)

    async def on_home_opened(self, args: AsyncArgs) -> None:
        event = args.event or {}
        if event.get("tab") != "home":
            return
        place = self._place(args, str(event.get("channel") or ""))
        user = await self._user(place, str(event["user"]), "")
        sections = await self.home(self.bot, user, place)
        client = await self.directory.workspaces.client(place.workspace_id)
        await client.views_publish(user_id=user.id, view=home_view(sections))

    def _place(self, args: AsyncArgs, channel_id: str) -> Place:
        team = args.context.team_id or str(args.body.get("team_id") or "")
        return Place(platform="slack", workspace_id=team, channel_id=channel_id)

    async def _name_club(self, place: Place) -> None:
        """Name the club after its workspace (team.info), not its team id; renames follow."""
        name = await self.directory.team_name(place.workspace_id)
        if self.named.get(place.workspace_id) == name:
            return
        clubs, now = self.bot.store.clubs, self.bot.clock.now()
        club = await clubs.get_or_create(
            platform="slack", workspace_id=place.workspace_id, name=name, now=now
        )
        if club.name != name and name != place.workspace_id:
            slack = Actor(id="slack", name="Slack")
            await clubs.change(club.id, ClubChanges(name=name), actor=slack, now=now)
        self.named[place.workspace_id] = name

    async def _user(self, place: Place, user_id: str, fallback_name: str) -> User:
        """The member with their admin right; without users.info, a member with no rights."""
        await self._name_club(place)
        try:
            found = await self.directory.member(place.workspace_id, user_id)
        except SlackClientError:
            log.warning("users.info failed for %s in %s", user_id, place.workspace_id)
            found = None
        return found or User(id=user_id, name=fallback_name or user_id)

    async def _dm(self, place: Place, user: User, message: Message) -> None:
        try:
            await self.poster.dm(place, user.id, message)
        except (PostRefused, PostFailed) as error:
            log.warning("could not DM %s in %s: %s", user.id, place.workspace_id, error)


def build_app(
    bot: Bot,
    *,
    directory: SlackDirectory,
    client: AsyncWebClient,
    signing_secret: str,
    prefix: str = "",
    oauth_settings: AsyncOAuthSettings | None = None,
    home: HomePage = home_page,
) -> AsyncApp:
    """The bolt app with every core command root as a slash command; connects nothing.

    `client` carries the bot token for one workspace, or no token with `oauth_settings`
    (then each workspace's token comes from the installation store). Signature checks
    stay on: bolt skips them only for Socket Mode, whose requests are not HTTP.
    """
    app = AsyncApp(
        name="clubbot",
        client=client,
        signing_secret=signing_secret,
        oauth_settings=oauth_settings,
        request_verification_enabled=True,
    )
    listeners = SlackListeners(
        bot=bot,
        directory=directory,
        poster=SlackPoster(directory.workspaces),
        prefix=prefix,
        home=home,
    )
    for root in roots(bot.commands):
        app.command(slash_command(prefix, root))(listeners.on_command)
    app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(listeners.on_click)
    app.event("app_home_opened")(listeners.on_home_opened)
    return app


# --- running -------------------------------------------------------------------


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
        await runtime.scheduler.start()
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
    app = build_app(
        runtime.bot,
        directory=directory,
        client=client,
        signing_secret=settings.slack_signing_secret,
        prefix=prefix,
        oauth_settings=oauth,
    )
    return app, runtime


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
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("clubbot listens on http://%s:%s%s", host, port, EVENTS_PATH)
        await runtime.scheduler.start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def _healthy(request: web.Request) -> web.Response:
    return web.Response(text="ok")
