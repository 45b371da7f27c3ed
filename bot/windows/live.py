"""The calendar learns from live postings: a window whose employer has posted this cycle is
confirmed open ("Amazon's posting is live since 3 Aug"). The one place bot.windows reads
bot.postings, through what it exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from bot.postings import first_live_postings
from bot.store.store import Store
from bot.windows.calendar import Occurrence, cycles_visible


async def confirmed_open(store: Store, occurrences: Sequence[Occurrence], today: date) -> list[str]:
    """'• Amazon SDE internship: Amazon's posting is live since 3 Aug', one per window of
    this cycle whose employer has an open posting posted since the cycle began."""
    cycle = cycles_visible(today)[0]
    windows = [o for o in occurrences if o.window is not None and o.key.endswith(f":{cycle}")]
    if not windows:
        return []
    since = datetime(cycle - 1, 7, 1, tzinfo=UTC)
    employers = {o.window.employer for o in windows if o.window is not None}
    live = await first_live_postings(store, employers, since=since)
    lines = []
    for occurrence in windows:
        assert occurrence.window is not None
        posting = live.get(occurrence.window.employer)
        if posting is not None:
            lines.append(
                f"• {occurrence.title}: {occurrence.window.employer}'s posting is live since "
                f"{posting.posted_at:%-d %b} ({posting.url})"
            )
    return lines
