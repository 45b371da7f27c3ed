"""Reaching a workspace's Web API, and the workspace as the core sees it (`SlackDirectory`).

One club runs with one bot token (`SingleWorkspace`); an app installed in many workspaces
finds each workspace's token in the OAuth installation store (`InstalledWorkspaces`).
Every client retries 429s itself (`AsyncRateLimitErrorRetryHandler`), honouring Retry-After.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import unescape
from bot.app import ChannelRef
from bot.model import Place, User

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
# users.info answers are reused this long: an admin demoted mid-session keeps the right briefly.
USER_TTL = 300.0
# team.info answers are reused this long: a renamed workspace shows its new name within the hour.
TEAM_TTL = 3600.0
_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_NO_USER = {"user_not_found", "users_not_found"}
# Private channels the bot was not invited to answer channel_not_found too.
_NO_CHANNEL = {"channel_not_found", "missing_scope"}
_NAME_PAGES = 10


def web_client(token: str | None = None, *, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out rate limits (Retry-After) instead of failing."""
    client = AsyncWebClient(token=token, base_url=base_url or SLACK_API)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


class Workspaces(Protocol):
    """Where to send a workspace's Web API calls."""

    async def client(self, team_id: str) -> AsyncWebClient:
        """A client holding `team_id`'s bot token."""
        ...


@dataclass(frozen=True, slots=True)
class SingleWorkspace:
    """One club, one bot token (Socket Mode, or HTTP without OAuth)."""

    web: AsyncWebClient

    async def client(self, team_id: str) -> AsyncWebClient:
        return self.web


class NotInstalled(LookupError):
    """No installation holds a bot token for this workspace."""


@dataclass
class InstalledWorkspaces:
    """Many workspaces: each one's bot token comes from the OAuth installation store."""

    store: AsyncInstallationStore
    base_url: str = SLACK_API
    _clients: dict[str, AsyncWebClient] = field(default_factory=dict)

    async def client(self, team_id: str) -> AsyncWebClient:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"clubbot is not installed in workspace {team_id}")
        # A reinstall brings a new token: key the reused client by token.
        cached = self._clients.get(team_id)
        if cached is None or cached.token != bot.bot_token:
            cached = self._clients[team_id] = web_client(bot.bot_token, base_url=self.base_url)
        return cached


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("name")
    return str(name or user.get("id", "someone"))


def to_user(user: dict[str, Any]) -> User:
    """A users.info member; workspace admins and owners are officers by right."""
    admin = any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))
    return User(id=str(user["id"]), name=display_name(user), is_admin=admin)


@dataclass
class SlackDirectory:
    """Members and channels of a workspace, from mentions Slack escapes and the Web API."""

    workspaces: Workspaces
    ttl: float = USER_TTL
    monotonic: Callable[[], float] = time.monotonic
    team_ttl: float = TEAM_TTL
    _users: dict[tuple[str, str], tuple[float, User | None]] = field(default_factory=dict)
    _teams: dict[str, tuple[float, str]] = field(default_factory=dict)

    async def team_name(self, team_id: str) -> str:
        """The workspace's name (team.info), cached for `team_ttl` seconds; the id if unknown."""
        now = self.monotonic()
        hit = self._teams.get(team_id)
        if hit is not None and now - hit[0] < self.team_ttl:
            return hit[1]
        try:
            client = await self.workspaces.client(team_id)
            answer = await client.team_info(team=team_id)
            name = str((answer.get("team") or {}).get("name") or team_id)
        except (SlackClientError, NotInstalled) as error:
            # e.g. an install from before team:read: keep what we had, and don't ask
            # again on every request.
            log.warning("team.info failed for %s: %s", team_id, error)
            name = hit[1] if hit else team_id
        self._teams[team_id] = (now, name)
        return name

    def saw(self, team_id: str, user: User) -> None:
        """Slack told us how the member is now (a `user_change` event): answer with that."""
        self._users[(team_id, user.id)] = (self.monotonic(), user)

    async def member(self, team_id: str, user_id: str) -> User | None:
        """users.info for one member, cached for `ttl` seconds; None if there is no such member."""
        key, now = (team_id, user_id), self.monotonic()
        hit = self._users.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        client = await self.workspaces.client(team_id)
        try:
            answer = await client.users_info(user=user_id)
        except SlackApiError as error:
            if error_code(error) not in _NO_USER:
                raise
            found: User | None = None
        else:
            found = to_user(answer["user"])
        self._users[key] = (now, found)
        return found

    async def find_user(self, place: Place, ref: str) -> User | None:
        ref = unescape(ref.strip())
        mention = _USER_MENTION.match(ref)
        user_id = mention.group(1) if mention else ref if _USER_ID.match(ref) else None
        if user_id is None:
            return None
        try:
            return await self.member(place.workspace_id, user_id)
        except SlackClientError:
            log.warning("users.info failed for %s in %s", user_id, place.workspace_id)
            return None

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        ref = unescape(ref.strip())
        mention = _CHANNEL_MENTION.match(ref)
        try:
            if mention:
                return await self._channel(place.workspace_id, mention.group(1))
            if _CHANNEL_ID.match(ref):
                return await self._channel(place.workspace_id, ref)
            return await self._channel_named(place.workspace_id, ref.removeprefix("#").lower())
        except SlackClientError:
            log.warning("looking up channel %r in %s failed", ref[:80], place.workspace_id)
            return None

    async def _channel(self, team_id: str, channel_id: str) -> ChannelRef | None:
        client = await self.workspaces.client(team_id)
        try:
            answer = await client.conversations_info(channel=channel_id)
        except SlackApiError as error:
            if error_code(error) in _NO_CHANNEL:
                return None
            raise
        channel = answer["channel"]
        if channel.get("is_archived"):
            return None  # it would refuse every post
        return ChannelRef(id=str(channel["id"]), name=str(channel.get("name") or channel["id"]))

    async def _channel_named(self, team_id: str, name: str) -> ChannelRef | None:
        """A plain `#name` (Slack escapes picked channels, but not ones typed by hand)."""
        if not name:
            return None
        client = await self.workspaces.client(team_id)
        cursor = None
        for _ in range(_NAME_PAGES):
            answer = await client.conversations_list(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=200,
                cursor=cursor,
            )
            for channel in answer.get("channels") or []:
                if channel.get("name") == name:
                    return ChannelRef(id=str(channel["id"]), name=name)
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None


def error_code(error: SlackApiError) -> str:
    data = error.response.data if error.response is not None else None
    return str(data.get("error", "")) if isinstance(data, dict) else ""
