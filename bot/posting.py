"""How scheduled posts leave the core: the `Poster` adapters implement, and its two failures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model import Message, Place


class PostRefused(Exception):
    """The platform will not take posts there (403, unknown or archived channel): stop trying."""


class CutOff(PostRefused):
    """The platform cut the bot off from the whole workspace (the server removed the bot, the
    app was uninstalled, its token revoked): nothing goes through for the club until it is
    back, so the club is paused, not the channel."""


class DmRefused(PostRefused):
    """The member does not take DMs from the bot (e.g. closed DMs from server members)."""


class PostFailed(Exception):
    """A passing failure (timeout, 5xx, rate limit outlasting our patience): try again later.

    `maybe_posted` when the request may have reached the platform all the same (a timeout,
    a connection dropped while waiting for the answer): the retry is in doubt, and a poster
    that can look for the post looks before posting again."""

    def __init__(self, *args: object, maybe_posted: bool = False) -> None:
        super().__init__(*args)
        self.maybe_posted = maybe_posted


@dataclass(frozen=True, slots=True, kw_only=True)
class PostKey:
    """What makes two sends the same post: the occurrence they are for.

    A poster hands `key` to a platform that deduplicates (Discord's nonce) or stores it on
    the message to look for later (Slack's metadata). `in_doubt` is set when an earlier
    attempt may already have posted it (its process died before recording the outcome): a
    poster that can look must look before posting again; `since` bounds how far back (the
    occurrence was not due before it).
    """

    key: str
    in_doubt: bool = False
    since: datetime | None = None

    @property
    def nonce(self) -> str:
        """A fixed-length digest of `key` for platforms that cap it (Discord: 25 characters)."""
        return hashlib.blake2b(self.key.encode(), digest_size=12).hexdigest()


class Poster(Protocol):
    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        """Post `message` at `place`; returns the platform's message reference.

        With `key`, sending the same key again must not make a second message where the
        platform offers a way to avoid it (see `PostKey`)."""
        ...

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        """Send `message` to one member of the workspace at `place` (`key` as for `post`)."""
        ...
