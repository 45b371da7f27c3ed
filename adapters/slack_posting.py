"""Scheduled posts and DMs through the Web API: `SlackPoster` implements the core's `Poster`.

Slack's answers split the way the core needs them: a channel that will not take posts
(gone, archived, bot not invited, scope missing, app uninstalled) raises `PostRefused`
and the core marks it broken and tells the officers; anything passing (5xx, a timeout,
a rate limit that outlasts the client's retries) raises `PostFailed` and the core retries.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack_render import message_payload
from adapters.slack_workspace import NotInstalled, Workspaces, error_code
from bot.model import Attachment, Message, Place
from bot.posting import PostFailed, PostRefused

# Errors that stay until a person acts: posting again would fail the same way.
REFUSALS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "restricted_action",
        "token_revoked",
        "account_inactive",
        # DMs: the member is gone or can't be written to.
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
    }
)


@dataclass(frozen=True, slots=True)
class SlackPoster:
    workspaces: Workspaces

    async def post(self, place: Place, message: Message) -> str:
        """chat.postMessage; returns the message's ts (a thread_of for replies to it)."""
        return await self._send(place.workspace_id, place.channel_id, message)

    async def dm(self, place: Place, user_id: str, message: Message) -> str:
        """Open (or find) the bot's DM with `user_id`, then post there."""
        client = await self._client(place.workspace_id)
        opened = await _call(client.conversations_open(users=user_id))
        return await self._send(place.workspace_id, str(opened["channel"]["id"]), message)

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

    async def _send(self, team_id: str, channel: str, message: Message) -> str:
        client = await self._client(team_id)
        # No link_names, no parse=full: escaped member text must stay text.
        answer = await _call(
            client.chat_postMessage(
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                **message_payload(message),
            )
        )
        return str(answer["ts"])

    async def _client(self, team_id: str) -> AsyncWebClient:
        try:
            return await self.workspaces.client(team_id)
        except NotInstalled as error:
            raise PostRefused("app_uninstalled") from error


async def _call(request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    """Await one Web API call, turning its failure into the core's two kinds."""
    try:
        return await request
    except SlackApiError as error:
        code = error_code(error)
        status = error.response.status_code if error.response is not None else 0
        if code in REFUSALS:
            raise PostRefused(code) from error
        raise PostFailed(code or f"HTTP {status}") from error
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
        raise PostFailed(f"{type(error).__name__}: {error}") from error
