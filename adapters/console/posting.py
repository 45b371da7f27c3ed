"""The core's `Poster` at the console: posts and DMs printed as tagged lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from adapters.console.render import render
from bot.model import Message, Place
from bot.posting import DmRefused, PostKey, PostRefused

Output = Callable[[str], None]


@dataclass
class ConsolePoster:
    """Prints posts and DMs; channels named in `refusing` answer like a 403, members in
    `closed_dms` like a member who closed their DMs (Discord's 403, code 50007)."""

    out: Output
    refusing: set[str] = field(default_factory=set)
    closed_dms: set[str] = field(default_factory=set)
    posts: list[tuple[str, Message]] = field(default_factory=list)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        # `key` is not used: a console cannot un-print, so a process killed mid-post
        # prints at most the posts it had in flight again.
        if place.channel_id in self.refusing:
            raise PostRefused("403 Missing Access")
        self.posts.append((place.channel_id, message))
        where = f"#{place.channel_id}" + (
            f" thread {message.thread_of}" if message.thread_of else ""
        )
        emit(self.out, f"post {where}", render(message))
        return f"{place.channel_id}/{len(self.posts)}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        if user_id in self.closed_dms:
            raise DmRefused("403 Cannot send messages to this user")
        self.posts.append((f"@{user_id}", message))
        emit(self.out, f"dm @{user_id}", render(message))
        return f"dm/{user_id}/{len(self.posts)}"


def emit(out: Output, tag: str, lines: Iterable[str]) -> None:
    for line in lines:
        out(f"[{tag}] {line}")
