"""The calendar learns from live postings: a window is confirmed open by a live posting
that fits the program (bot/windows/confirming.py), named with its link: "Google STEP
internship: Google's “STEP Intern, First-Year Student”, live since 3 Aug". The one place
bot.windows reads bot.postings, through what it exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from bot.postings import LivePosting, open_postings
from bot.store.store import Store
from bot.windows.calendar import Occurrence, cycles_visible
from bot.windows.confirming import fits


async def confirmed_open(store: Store, occurrences: Sequence[Occurrence], today: date) -> list[str]:
    """One line per window of this cycle, not closed, that a fitting posting confirms: the
    first posting that fits, with its link."""
    cycle = cycles_visible(today)[0]
    windows = [
        o
        for o in occurrences
        if o.window is not None
        and o.window.postings.companies
        and o.key.endswith(f":{cycle}")
        and o.phase(today) != "closed"
    ]
    if not windows:
        return []
    companies = {c for o in windows if o.window is not None for c in o.window.postings.companies}
    live = await open_postings(store, companies, since=datetime(cycle - 1, 7, 1, tzinfo=UTC))
    lines = []
    for occurrence, found in zip(windows, first_fits(windows, live, cycle), strict=True):
        if found is not None:
            lines.append(
                f"• {occurrence.title}: {found.company}'s “{found.title}”, live since "
                f"{found.posted_at:%-d %b}" + (f": {found.url}" if found.url else "")
            )
    return lines


def first_fits(
    windows: Sequence[Occurrence], live: Sequence[LivePosting], cycle: int
) -> list[LivePosting | None]:
    """For each window, the first of the live postings (in their order, oldest first)
    that fits it. Only the postings of a program's own companies can fit it: a few of
    the hundreds live, found by company instead of trying every posting on every window."""
    by_company: dict[str, list[tuple[int, LivePosting]]] = {}
    for n, posting in enumerate(live):
        by_company.setdefault(posting.company_key, []).append((n, posting))
    found: list[LivePosting | None] = []
    for occurrence in windows:
        assert occurrence.window is not None
        rule = occurrence.window.postings
        mine = sorted(
            (seen for company in set(rule.companies) for seen in by_company.get(company, ())),
            key=lambda seen: seen[0],
        )
        years = occurrence.class_years
        found.append(
            next((p for _, p in mine if fits(rule, p, cycle=cycle, class_years=years)), None)
        )
    return found
