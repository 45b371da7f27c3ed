"""What the applications tests share: postings put in the store as a poll would, and clicks
handed to the core as an adapter would."""

from __future__ import annotations

from datetime import datetime

from bot.model import ButtonEvent, Message, Place, User
from bot.postings.diff import Changes
from bot.postings.listing import Posting
from bot.postings.store import PostingStore
from bot.store.store import Store
from tests.conftest import WORKSPACE, Club


async def add_posting(
    store: Store,
    *,
    company: str,
    title: str,
    posted_at: datetime,
    category: str = "",
    ext_id: str | None = None,
) -> int:
    """A posting stored as a poll stores it; its id."""
    ext = ext_id or f"{company}-{title}".lower().replace(" ", "-")
    posting = Posting(
        source="test-list",
        ext_id=ext,
        company=company,
        title=title,
        url=f"https://jobs.example/{ext}",
        locations=("Remote in USA",),
        posted_at=posted_at,
        category=category,
    )
    repo = store.repo(PostingStore)
    await repo.apply(Changes(new=[posting]), now=posted_at)
    found = await repo.posted_since(posted_at)
    return next(s.id for s in found if s.posting.ext_id == ext)


async def click(
    club: Club, action: str, value: str, *, as_user: User, workspace: str = WORKSPACE
) -> Message:
    place = Place(platform="console", workspace_id=workspace, channel_id="general")
    event = ButtonEvent(action=action, value=value, user=as_user, place=place)
    return await club.runtime.bot.handle(event)


def button_values(message: Message, action: str) -> list[str]:
    return [b.value for b in message.buttons if b.action == action]
