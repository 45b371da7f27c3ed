"""`clubbot web` alone: a process that serves pages and posts nothing. Commands run from
the dashboard still validate and save; what would post or DM is left to the bot's own
process (its claims run the current occurrence), and names can't be looked up here."""

from __future__ import annotations

from bot.app import CantLookUp, ChannelRef
from bot.model import Message, Place, User
from bot.posting import PostFailed, PostKey

NOT_HERE = "this process only serves web pages; the bot's own process posts"
_PLATFORMS = {"discord": "Discord", "slack": "Slack"}


class PagesOnlyPoster:
    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        raise PostFailed(NOT_HERE)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        raise PostFailed(NOT_HERE)


class PagesOnlyDirectory:
    """Finds nobody and says so: a channel or member named on the dashboard needs the
    bot's process (`--web` next to it) or the chat to be looked up."""

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        raise CantLookUp(_elsewhere(place, "channels", ref))

    async def find_user(self, place: Place, ref: str) -> User | None:
        raise CantLookUp(_elsewhere(place, "members", ref))


def _elsewhere(place: Place, what: str, ref: str) -> str:
    platform = _PLATFORMS.get(place.platform, "the platform")
    return (
        f"This dashboard is served by `clubbot web` alone, which can't look up {platform} "
        f"{what}, so `{ref[:80]}` can't be checked here. Run the same command in the chat, "
        "or use the dashboard of the bot's own process (started with --web)."
    )
