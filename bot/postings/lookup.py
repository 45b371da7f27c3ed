"""What other features may read of one posting: what it is (company, title, the list's
category, its address, when it was posted), by id or by what a member types. Exported from
the package; the applications feature records an application to a posting through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from bot.postings.listing import normal
from bot.postings.store import PostingRow
from bot.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingFacts:
    id: int
    company: str
    title: str
    category: str  # as the list writes it, e.g. "Quant", "AI/ML/Data"; "" when not given
    url: str
    posted_at: datetime
    open: bool


async def posting_facts(store: Store, posting_id: int) -> PostingFacts | None:
    async with store.sessions() as session:
        row = await session.get(PostingRow, posting_id)
        return None if row is None else _facts(row)


async def postings_like(
    store: Store, typed: str, *, since: datetime, limit: int = 15
) -> list[PostingFacts]:
    """Open postings since `since` whose company starts with, or title contains, what was
    typed; newest first."""
    word = normal(typed)
    if not word:
        return []
    pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    async with store.sessions() as session:
        rows = await session.execute(
            select(PostingRow)
            .where(
                PostingRow.posted_at >= since,
                PostingRow.active.is_(True),
                PostingRow.closed_at.is_(None),
                or_(
                    PostingRow.company_key.like(f"{pattern}%", escape="\\"),
                    PostingRow.title.ilike(f"%{pattern}%", escape="\\"),
                ),
            )
            .order_by(PostingRow.posted_at.desc(), PostingRow.id.desc())
            .limit(limit)
        )
        return [_facts(r) for r in rows.scalars()]


def _facts(row: PostingRow) -> PostingFacts:
    return PostingFacts(
        id=row.id,
        company=row.company,
        title=row.title,
        category=row.category,
        url=row.url,
        posted_at=row.posted_at,
        open=row.active and row.closed_at is None,
    )
