"""How scheduled posts leave the core: the `Poster` adapters implement, and its two failures."""

from __future__ import annotations

from typing import Protocol

from bot.model import Message, Place


class PostRefused(Exception):
    """The platform will not take posts there (403, unknown or archived channel): stop trying."""


class PostFailed(Exception):
    """A passing failure (timeout, 5xx, rate limit outlasting our patience): try again later."""


class Poster(Protocol):
    async def post(self, place: Place, message: Message) -> str:
        """Post `message` at `place`; returns the platform's message reference."""
        ...

    async def dm(self, place: Place, user_id: str, message: Message) -> str:
        """Send `message` to one member of the workspace at `place`."""
        ...
