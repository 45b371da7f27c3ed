"""What the applications read of the other features, through their exports only: a program
of the windows calendar (its employer, track and opening this cycle), a live posting (its
company, title, category, address and date), suggestions while a member types, the plan
categories' windows for the next step, and the one "applied" mark of `/alerts applied`.
pyproject.toml's import contract names this module as the one that may."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from bot import postings, windows
from bot.app import Context
from bot.applications.facts import load_facts, named_category
from bot.applications.kinds import Category, category_of_track
from bot.applications.plan import Opening
from bot.club_time import local
from bot.model import Message
from bot.store.clubs import Club
from bot.store.store import Store

# A suggestion carries what it names at its end, so the chosen text finds it again.
_PROGRAM = re.compile(r" · program ([a-z0-9][a-z0-9-]{0,79})$")
_POSTING = re.compile(r" · posting (\d{1,12})$")
_SUGGESTION_WIDTH: Final = 100
# Postings offered while typing: those posted in the last four months.
_POSTINGS_SINCE: Final = timedelta(days=120)
_QUANT_CATEGORIES: Final = frozenset({"quant", "quantitative finance"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What an application is to, as far as the bot can tell."""

    company: str
    role: str
    link: str
    category: Category
    # program, posting, company (one the articles name) or unknown (the member is asked)
    category_from: str
    program: str | None = None
    window_key: str | None = None
    posting_id: int | None = None
    opened_on: date | None = None


def named_in(text: str) -> tuple[str, str] | None:
    """("program", id) or ("posting", id) when `text` is one of our suggestions."""
    for kind, pattern in (("program", _PROGRAM), ("posting", _POSTING)):
        found = pattern.search(text)
        if found:
            return kind, found[1]
    return None


async def program_target(
    store: Store, club: Club, window_id: str, applied_on: date
) -> Target | None:
    """The program's window of the cycle `applied_on` falls in (the open one, else the next
    to open, else the last), or None when the calendar has no such program."""
    found = [
        o
        for o in await windows.track_windows(store, club, applied_on)
        if o.window is not None and o.window_id == window_id
    ]
    if not found:
        return None
    chosen = next(
        (o for o in found if o.opens_on <= applied_on <= o.open_until),
        next((o for o in found if o.open_until >= applied_on), found[-1]),
    )
    window = chosen.window
    assert window is not None
    timed = chosen.announces_opening and window_id not in load_facts().season_programs
    return Target(
        company=window.employer,
        role=window.program,
        link=chosen.url,
        category=category_of_track(chosen.track),
        category_from="program",
        program=window_id,
        window_key=chosen.key,
        opened_on=chosen.opens_on if timed else None,
    )


async def program_named(store: Store, club: Club, text: str, today: date) -> str | None:
    """The program `text` names: its id, or an employer with just one program."""
    word = text.strip().lower()
    programs = {
        o.window_id: o.window
        for o in await windows.track_windows(store, club, today)
        if o.window is not None
    }
    if word in programs:
        return word
    employer = [i for i, w in programs.items() if w.employer.lower() == word]
    return employer[0] if len(employer) == 1 else None


async def posting_target(store: Store, club: Club, posting_id: int) -> Target | None:
    found = await postings.posting_facts(store, posting_id)
    if found is None:
        return None
    category, source = company_category(found.company)
    if source == "unknown" and found.category.strip().lower() in _QUANT_CATEGORIES:
        category, source = "quant", "posting"
    return Target(
        company=found.company,
        role=found.title,
        link=found.url,
        category=category,
        category_from=source,
        posting_id=found.id,
        opened_on=local(found.posted_at, club.timezone).date(),
    )


def company_category(company: str) -> tuple[Category, str]:
    """The category of a company the articles name, else "other" as a guess to correct."""
    named = named_category(company, load_facts().companies)
    return (named, "company") if named is not None else ("other", "unknown")


async def suggestions(store: Store, club: Club, typed: str, now: datetime) -> list[str]:
    """Programs, then live postings, matching what the member typed: each names what it is."""
    word = typed.strip().lower()
    today = local(now, club.timezone).date()
    programs: dict[str, str] = {}
    for o in await windows.track_windows(store, club, today):
        if o.window is not None and (word in o.window_id or word in o.title.lower()):
            programs.setdefault(o.window_id, o.title)
    shown = [_named(title, f"program {i}") for i, title in programs.items()][:10]
    if word:
        found = await postings.postings_like(store, word, since=now - _POSTINGS_SINCE)
        shown += [_named(f"{p.company}: {p.title}", f"posting {p.id}") for p in found]
    return shown[:25]


def _named(text: str, what: str) -> str:
    tail = f" · {what}"
    room = _SUGGESTION_WIDTH - len(tail)
    head = text if len(text) <= room else text[: room - 1] + "…"
    return head + tail


async def openings(store: Store, club: Club, today: date) -> list[Opening]:
    """The calendar's windows around `today` (not the club's own dates), as categories."""
    return [
        Opening(category=category_of_track(o.track), opens_on=o.opens_on, open_until=o.open_until)
        for o in await windows.track_windows(store, club, today)
        if o.window is not None
    ]


async def mark_applied(
    store: Store, club_id: int, user_id: str, window_key: str, now: datetime
) -> bool:
    """The same mark as `/alerts applied`: no more reminders for that window; True when
    it was not marked before."""
    repo = store.repo(windows.DeadlineStore)
    return await repo.mute(club_id, user_id, window_key, windows.APPLIED, now=now)


async def unmark_applied(store: Store, club_id: int, user_id: str, window_key: str) -> bool:
    """Lift that mark (a "not interested" stays): reminders for the window resume."""
    repo = store.repo(windows.DeadlineStore)
    return await repo.unmute(club_id, user_id, window_key, windows.APPLIED)


async def mark_only(ctx: Context) -> Message:
    """`/alerts applied` as the windows answer it: the mark alone, for what is no program
    (a club's own date), or the windows' answer to a window they don't know."""
    return await windows.alerts_applied(ctx)
