"""The console workspace's channels and members."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.app import ChannelRef
from bot.model import Place, User

WORKSPACE = "console-club"
DEFAULT_CHANNELS = (
    "general",
    "announcements",
    "deadlines",
    "daily-problem",
    "mock-interviews",
    "officers",
)
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass
class ConsoleDirectory:
    """The console workspace: a fixed set of channels; any plain name is a member."""

    channels: set[str] = field(default_factory=lambda: set(DEFAULT_CHANNELS))
    # Shared with the poster's `refusing`, so a re-check sees what a post would.
    refusing: set[str] = field(default_factory=set)

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        name = ref.strip().removeprefix("#").lower()
        if name not in self.channels:
            return None
        refusal = "403 Missing Access" if name in self.refusing else ""
        return ChannelRef(id=name, name=name, refusal=refusal)

    async def find_user(self, place: Place, ref: str) -> User | None:
        name = ref.strip().removeprefix("@")
        return User(id=name.lower(), name=name) if NAME.match(name) else None
