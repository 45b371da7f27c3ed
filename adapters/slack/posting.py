"""Scheduled posts and DMs through the Web API: `SlackPoster` implements the core's `Poster`.

Slack's answers split the way the core needs them: a channel that will not take posts
(gone, archived, bot not invited, scope missing, app uninstalled) raises `PostRefused`
and the core marks it broken and tells the officers; anything passing (5xx, a timeout,
a rate limit that outlasts the client's retries) raises `PostFailed` and the core retries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.render import message_payload
from adapters.slack.workspace import NotInstalled, Workspaces, error_code
from bot.model import Attachment, Message, Place
from bot.posting import CutOff, DmRefused, PostFailed, PostKey, PostRefused

log = logging.getLogger(__name__)

# Errors that stay until a person acts: posting again would fail the same way.
REFUSALS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "restricted_action",
    }
)
# The workspace cut the app off (uninstalled, token revoked, workspace deleted): nothing goes
# through until it is installed again, so the club is paused rather than a channel.
CUT_OFF = frozenset({"invalid_auth", "token_revoked", "account_inactive"})
# conversations.open's answers for a member the bot can't DM: deactivated, gone, hidden
# from the bot, another bot, or outside the workspace.
DM_REFUSALS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "user_not_visible",
        "cannot_dm_bot",
        "invalid_user_combination",
    }
)


# The metadata event type every scheduled post carries, its payload naming the occurrence.
POST_EVENT = "clubbot_post"
# How far back an in-doubt occurrence is looked for: pages of history, and the seconds a
# platform clock may run behind ours.
_LOOK_PAGES = 5
_LOOK_PAGE_SIZE = 200
_CLOCK_SKEW = 120.0


@dataclass(frozen=True, slots=True)
class SlackPoster:
    """Every keyed post carries its occurrence in its `metadata`; an occurrence in doubt (an
    earlier attempt may have posted it) is looked for in the channel's history first, and
    the message found is the outcome: Slack has no idempotent send of its own."""

    workspaces: Workspaces

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        """chat.postMessage; returns the message's ts (a thread_of for replies to it)."""
        return await self._send(place.workspace_id, place.channel_id, message, key)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        """Open (or find) the bot's DM with `user_id`, then post there."""
        client = await self._client(place.workspace_id)
        opened = await _call(client.conversations_open(users=user_id))
        return await self._send(place.workspace_id, str(opened["channel"]["id"]), message, key)

    async def upload(self, place: Place, user_id: str, attachment: Attachment) -> None:
        """Send a file (e.g. the .ics of /calendar) to the member's DM with the bot."""
        client = await self._client(place.workspace_id)
        opened = await _call(client.conversations_open(users=user_id))
        await _call(
            client.files_upload_v2(
                channel=str(opened["channel"]["id"]),
                filename=attachment.filename,
                title=attachment.filename,
                content=attachment.content,
            )
        )

    async def _send(self, team_id: str, channel: str, message: Message, key: PostKey | None) -> str:
        client = await self._client(team_id)
        if key is not None and key.in_doubt:
            try:
                found = await _posted(client, channel, message.thread_of, key)
            except PostRefused as error:
                # No history scope (an install from before it was asked for) or not a member
                # of the channel: post without looking, at worst a second copy, never none.
                log.warning("cannot look for %s in %s (%s): posting it", key.key, channel, error)
                found = None
            if found is not None:
                return found
        metadata = (
            None if key is None else {"event_type": POST_EVENT, "event_payload": {"key": key.key}}
        )
        # No link_names, no parse=full: escaped member text must stay text.
        answer = await _call(
            client.chat_postMessage(
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
                **message_payload(message),
            )
        )
        return str(answer["ts"])

    async def _client(self, team_id: str) -> AsyncWebClient:
        try:
            return await self.workspaces.client(team_id)
        except NotInstalled as error:
            raise CutOff("app_uninstalled") from error


async def _posted(
    client: AsyncWebClient, channel: str, thread_ts: str | None, key: PostKey
) -> str | None:
    """The ts of the message carrying `key` in `channel` (or in the thread under
    `thread_ts`, whose replies the channel's history leaves out), None if there is none.

    Reads newest first from the occurrence's due time on, a few pages at most: a message
    older than that is not this occurrence's."""
    oldest = "0" if key.since is None else f"{key.since.timestamp() - _CLOCK_SKEW:.6f}"
    cursor: str | None = None
    for _ in range(_LOOK_PAGES):
        if thread_ts:
            request = client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                oldest=oldest,
                limit=_LOOK_PAGE_SIZE,
                cursor=cursor,
                include_all_metadata=True,
            )
        else:
            request = client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=_LOOK_PAGE_SIZE,
                cursor=cursor,
                include_all_metadata=True,
            )
        page = await _call(request)
        for found in page.get("messages") or []:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == POST_EVENT and payload.get("key") == key.key:
                return str(found["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or cursor is None:
            return None
    return None


async def _call(request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    """Await one Web API call, turning its failure into the core's two kinds."""
    try:
        return await request
    except SlackApiError as error:
        code = error_code(error)
        status = error.response.status_code if error.response is not None else 0
        if code in CUT_OFF:
            raise CutOff(code) from error
        if code in DM_REFUSALS:
            raise DmRefused(code) from error
        if code in REFUSALS:
            raise PostRefused(code) from error
        # A server error may come after the message was made.
        raise PostFailed(code or f"HTTP {status}", maybe_posted=status >= 500) from error
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
        # No answer: the request may have reached Slack.
        raise PostFailed(f"{type(error).__name__}: {error}", maybe_posted=True) from error
