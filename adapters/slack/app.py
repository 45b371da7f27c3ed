"""Slack: slash commands, button clicks and the App Home in; Block Kit out.

Every request goes through bolt's `AsyncApp` (signature check, ack within 3 s), then
becomes one core event: `await bot.handle(event) -> Message`, answered through the
request's response_url. `build_app` makes the app without connecting, so tests drive
it with signed requests; `adapters.slack.start` connects it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.command_text import parse_command
from adapters.slack.lifecycle import Lifecycle
from adapters.slack.manifest import (
    roots,
    slash_command,
)
from adapters.slack.posting import SlackPoster
from adapters.slack.render import ACTION_PREFIX, home_view, message_payload, unescape
from adapters.slack.workspace import (
    SlackDirectory,
    to_user,
)
from bot.app import Bot
from bot.errors import UserError
from bot.home import home_page
from bot.model import ButtonEvent, CommandEvent, Message, Place, User, reply
from bot.posting import PostFailed, PostRefused
from bot.store.clubs import Actor, ClubChanges
from bot.store.learned import LearnedMembers, same_rights

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
    lifecycle: Lifecycle
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

    async def on_user_change(self, args: AsyncArgs) -> None:
        """A member's profile changed, their admin right among it: the dashboard reads the
        right recorded for an officer, so record the change (for members with a record)."""
        raw = (args.event or {}).get("user") or {}
        if not raw.get("id"):
            return
        team = self._place(args, "").workspace_id
        user = to_user(raw)
        self.directory.saw(team, user)
        now = self.bot.clock.now()
        club = await self.bot.store.clubs.get_or_create(
            platform="slack", workspace_id=team, name=team, now=now
        )
        learned = self.bot.store.repo(LearnedMembers)
        known = await learned.get(club.id, user.id)
        if known is not None and not same_rights(known.rights, user):
            await learned.learn_rights(club.id, user, now=now)

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
        await self.lifecycle.back_if_away(place.workspace_id)
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
    lifecycle = Lifecycle(
        bot=bot,
        workspaces=directory.workspaces,
        installations=oauth_settings.installation_store if oauth_settings else None,
    )
    if oauth_settings is not None:
        oauth_settings.callback_options = _on_install(lifecycle)
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
        lifecycle=lifecycle,
    )
    for root in roots(bot.commands):
        app.command(slash_command(prefix, root))(listeners.on_command)
    app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(listeners.on_click)
    app.event("app_home_opened")(listeners.on_home_opened)
    app.event("user_change")(listeners.on_user_change)
    app.event("app_uninstalled")(lifecycle.on_uninstalled)
    app.event("tokens_revoked")(lifecycle.on_tokens_revoked)
    return app


def _on_install(lifecycle: Lifecycle) -> AsyncCallbackOptions:
    """bolt's own pages after the OAuth flow; a completed install resumes the club."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        if args.installation.team_id:
            await lifecycle.installed(args.installation.team_id)
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    return AsyncCallbackOptions(success=success, failure=failure)
