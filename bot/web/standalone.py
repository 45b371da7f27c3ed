"""`clubbot web` alone: a process that serves pages and posts nothing. Commands run from
the dashboard still validate and save; what would post or DM is left to the bot's own
process (its claims run the current occurrence), and names can't be looked up here."""

from __future__ import annotations

from bot.app import ChannelRef
from bot.model import Message, Place, User
from bot.posting import PostFailed, PostKey

NOT_HERE = "this process only serves web pages; the bot's own process posts"


class PagesOnlyPoster:
    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        raise PostFailed(NOT_HERE)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        raise PostFailed(NOT_HERE)


class PagesOnlyDirectory:
    """Finds nobody: a channel or member named on the dashboard needs the bot's process
    (`--web` next to it) to be looked up."""

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        return None

    async def find_user(self, place: Place, ref: str) -> User | None:
        return None
