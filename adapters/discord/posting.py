"""The core's `Poster` on Discord: posts, thread replies and DMs, failures as the core's."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.render import send_kwargs
from bot.model import Message, Place
from bot.posting import DmRefused, PostFailed, PostKey, PostRefused

# Discord's answers to a DM the member won't take: "Cannot send messages to this user"
# (DMs from server members closed, or the bot blocked), and no server shared any more.
DM_REFUSALS = frozenset({50007, 50278})


class Connected:
    """Made before the client exists (the runtime needs a poster first), bound later."""

    def __init__(self, client: discord.Client | None = None) -> None:
        self._client = client

    def bind(self, client: discord.Client) -> None:
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise PostFailed("not connected to Discord yet")
        return self._client


class DiscordPoster(Connected):
    """The core's `Poster` on Discord; 429s are waited out by discord.py itself.

    A keyed post carries its occurrence as the message `nonce` (discord.py then sets
    `enforce_nonce`): Discord answers a re-send of that nonce by the bot within a few minutes
    with the message it already made, so a post retried soon after a crash is not doubled.
    """

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        channel = await self._channel(int(place.channel_id))
        target: Any = channel
        if message.thread_of:
            target = await self._thread(channel, int(message.thread_of), message.title)
        sent = await _call(
            target.send(
                allowed_mentions=discord.AllowedMentions.none(),
                **_nonce(key),
                **send_kwargs(message),
            )
        )
        return str(sent.id)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        user = await _call(self.client.fetch_user(int(user_id)))
        sent = await _call(user.send(**_nonce(key), **send_kwargs(message)))
        return str(sent.id)

    async def _channel(self, channel_id: int) -> Any:
        found = self.client.get_channel(channel_id) or await _call(
            self.client.fetch_channel(channel_id)
        )
        if not isinstance(found, discord.abc.Messageable):  # a category or forum picked once
            raise PostRefused(cannot_hold_messages(found))
        return found

    async def _thread(self, channel: Any, message_id: int, title: str) -> Any:
        parent = await _call(channel.fetch_message(message_id))
        if parent.thread is not None:
            return parent.thread
        return await _call(parent.create_thread(name=(title or "Thread")[:100]))


def _nonce(key: PostKey | None) -> dict[str, Any]:
    """send()'s nonce for a keyed post: a digest of the occurrence (Discord takes 25 chars)."""
    return {} if key is None else {"nonce": key.nonce}


async def _call(request: Any) -> Any:
    """Await one Discord request, turning failures into the core's two kinds."""
    try:
        return await request
    except discord.Forbidden as error:
        if error.code in DM_REFUSALS:
            raise DmRefused(f"403 {error.text or 'Cannot send messages to this user'}") from error
        raise PostRefused(f"403 {error.text or 'Missing Access'}") from error
    except discord.NotFound as error:
        raise PostRefused(f"404 {error.text or 'Unknown Channel'}") from error
    except (discord.HTTPException, TimeoutError, OSError) as error:
        # No answer, or a server error: the message may exist all the same.
        unsure = isinstance(error, TimeoutError | OSError | discord.DiscordServerError)
        raise PostFailed(f"{type(error).__name__}: {error}", maybe_posted=unsure) from error


def cannot_hold_messages(channel: Any) -> str:
    kind = str(getattr(getattr(channel, "type", None), "name", "channel")).replace("_", " ")
    return f"a {kind} can't hold messages"
