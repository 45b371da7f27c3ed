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
from bot.windows.confirming import PostingRule, fits


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


# What each window's first fit is, per list of live postings: the list is kept per process
# until a poll changes the postings (bot.postings.open_postings), and every /deadlines of
# every club asks about the same programs. Keyed by the list's id: holding the list keeps
# that id from being given to another list while its answers are here.
_FOUND: dict[
    tuple[int, int],
    tuple[
        Sequence[LivePosting], dict[tuple[str, PostingRule, tuple[str, ...]], LivePosting | None]
    ],
] = {}


def first_fits(
    windows: Sequence[Occurrence], live: Sequence[LivePosting], cycle: int
) -> list[LivePosting | None]:
    """For each window, the first of the live postings (in their order, oldest first)
    that fits it. Only the postings of a program's own companies can fit it: a few of
    the hundreds live, found by company instead of trying every posting on every window;
    and worked out once per window while `live` is the list kept."""
    kept = _FOUND.get((id(live), cycle))
    if kept is None:
        if len(_FOUND) >= 16:
            _FOUND.clear()
        kept = _FOUND[(id(live), cycle)] = (live, {})
    found = kept[1]
    by_company: dict[str, list[tuple[int, LivePosting]]] | None = None
    keys = [_fit_key(o) for o in windows]
    for occurrence, key in zip(windows, keys, strict=True):
        if key in found:
            continue
        if by_company is None:
            by_company = {}
            for n, posting in enumerate(live):
                by_company.setdefault(posting.company_key, []).append((n, posting))
        rule = key[1]
        mine = sorted(
            (seen for company in set(rule.companies) for seen in by_company.get(company, ())),
            key=lambda seen: seen[0],
        )
        years = occurrence.class_years
        found[key] = next(
            (p for _, p in mine if fits(rule, p, cycle=cycle, class_years=years)), None
        )
    return [found[key] for key in keys]


def _fit_key(occurrence: Occurrence) -> tuple[str, PostingRule, tuple[str, ...]]:
    """All that decides a window's fit: which cycle's program, its rule, whom it takes."""
    assert occurrence.window is not None
    return (occurrence.key, occurrence.window.postings, tuple(occurrence.class_years))
