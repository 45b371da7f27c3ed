"""The command benchmark's database: N clubs x 200 members with a year of history in every
feature a command reads, bulk-loaded through the features' own tables.

Per club (the shape is the same for every club, so a sample's work does not depend on
which club it lands on):
- 200 members (U0..U199), all seen within the hour and their platform rights (no admin
  right, no roles) learned at an earlier command (a running bot's steady state); officers
  U1..U3 on the officer list; four channels; a few feature settings on some clubs;
  application follow-ups on in every club (its first application switched them on).
- Daily problem: a post every day for `days` days up to today, `solves` solves per member
  on random posted days, the running totals recounted from them.
- Claims: what a year of scheduled runs leaves (daily problem, hint, key idea and deadline
  alerts every day; the digest, the week's windows post and the pairing round every week;
  the pairing DMs; the DMs of deadline reminders; postings digests).
- Windows: 8 club deadlines (past and to come); subscriptions (every third member, one or
  two targets); class years (four members in five); mutes (every fourth member).
- Mock interviews: 40 members opted in (two left, one skipping), 16 weekly rounds of 18
  pairs and one member left alone, question packs, feedback from 70% of seats.
- Postings (deployment-wide): 10,000 postings over the year made from the real list's
  sample (tests/postings/fixtures), about 40 a day, the older ones closed; members following
  companies (every tenth member, two companies).
- Applications: every fourth member (U2, U6, ...) has recorded 24 of this season's, in
  every category and stage, numbered 1..24; their settings row made at the first.
- Web: feed tokens for every third member and the club's own; some members hidden from
  the club page; 50 audit entries.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.applications.kinds import CATEGORIES, STAGES
from bot.applications.record import FOLLOW_UPS
from bot.applications.store import ApplicantRow, ApplicationRow
from bot.pairing.store import (
    FeedbackRow,
    GroupRow,
    PackRow,
    PairingMemberRow,
    RoundRow,
)
from bot.postings.filters import SETTING as POSTINGS_SETTING
from bot.postings.filters import Filter
from bot.postings.listing import Posting, dedupe_ids, read_community_list
from bot.postings.store import PostingFollowRow, PostingRow, PostingSourceRow
from bot.postings.store import _row as stored_row
from bot.problems.bank import load_bank
from bot.problems.store import ProblemPostRow, ProblemStore, SolveRow
from bot.store.learned import LearnedMemberRow
from bot.store.models import (
    AuditRow,
    ChannelRow,
    ClaimRow,
    ClubRow,
    ClubSettingRow,
    MemberRow,
    OfficerRow,
)
from bot.store.store import Store
from bot.web.store import CLUB_FEED, FeedTokenRow, KeyRow, PageHiddenRow
from bot.windows.store import ClubDeadlineRow, MuteRow, ProfileRow, SubscriptionRow

ROOT = Path(__file__).resolve().parents[1]
LISTINGS = ROOT / "tests" / "postings" / "fixtures" / "listings-summer2025-sample.json"

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # a Monday: every club's round of the week ran
MEMBERS = 200
# Zones whose Monday 10:00 (the round) and 09:00 (the problem) are behind NOW.
ZONES = ("America/New_York",) * 7 + ("Europe/London", "Europe/Berlin", "Asia/Kolkata")
OFFICERS = (1, 2, 3)
PAIRING = tuple(range(0, MEMBERS, 5))  # 40 members opted in
LEFT, SKIPPING = (190, 195), (185,)
ROUNDS = 16
AVAILABILITY = (
    "weekdays 6pm-9pm, sat 10:30-12",
    "mon-fri 18-21",
    "tue 19-22, thu 19-22, sun 14-18",
    "weekends 10-16",
    "mon 12-14, wed 12-14, fri 12-14",
)
PAIR_TRACKS = ("coding", "coding", "ml-fundamentals", "ml-system-design")
# Targets and windows the population uses; the benchmark's own choices stay outside them,
# so a subscribe or a mute it times always adds a row.
SUBSCRIBED = ("big-tech", "quant", "early-career", "amazon-intern", "meta-swe-intern")
MUTED = ("amazon-intern:2027", "microsoft-intern:2027", "meta-swe-intern:2027")
APPLICANTS = tuple(range(2, MEMBERS, 4))  # 50 members tracking applications
APPLIED_EACH = 24
FOLLOWED = ("Amazon", "Google", "Jane Street", "Citadel", "Palantir", "Uber", "Adobe", "Visa")
POSTINGS = 10_000
SOURCE = "SimplifyJobs/Summer2027-Internships"
BLOCK = 50  # clubs built per batch of inserts


def member_id(m: int) -> str:
    return f"U{m}"


def club_zone(club: int) -> str:
    return ZONES[club % len(ZONES)]


def local_today(club: int) -> date:
    return NOW.astimezone(ZoneInfo(club_zone(club))).date()


def monday(club: int) -> date:
    today = local_today(club)
    return today - timedelta(days=today.weekday())


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def at_local(day: date, hour: int, club: int) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(club_zone(club))).astimezone(UTC)


def paired_members() -> tuple[int, ...]:
    """Members in every round: opted in, not left, not skipping."""
    return tuple(m for m in PAIRING if m not in LEFT and m not in SKIPPING)


def round_groups(club: int, week: int) -> list[tuple[int, ...]]:
    """The groups of round `week` (0 = this week's): pairs in a shuffled order, the last
    member alone (37 members: 18 pairs and one left out)."""
    order = list(paired_members())
    random.Random(club * 1000 + week).shuffle(order)
    groups = [tuple(order[i : i + 2]) for i in range(0, len(order) - 1, 2)]
    if len(order) % 2:
        groups.append((order[-1],))
    return groups


@dataclass(frozen=True, slots=True, kw_only=True)
class Built:
    seconds: float
    rows: Mapping[str, int]


class _Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite, values passed through each
    column's own bind processing (so stored values read back as the store writes them)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    async def load(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        names = [c.name for c in table.columns if c.name in rows[0] or _scalar_default(c)]
        fields = [(n, (_scalar_default(table.c[n]) or (None,))[0]) for n in names]
        processors = [
            (i, p)
            for i, n in enumerate(names)
            if (p := table.c[n].type._cached_bind_processor(self.dialect)) is not None
        ]
        records = []
        for row in rows:
            values = [row.get(n, default) for n, default in fields]
            for i, process in processors:
                if values[i] is not None:
                    values[i] = process(values[i])
            records.append(tuple(values))
        if self.postgres:
            raw = await self.connection.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                table.name, records=records, columns=names
            )
        else:
            marks = ", ".join("?" for _ in names)
            quoted = ", ".join(f'"{n}"' for n in names)
            await self.connection.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', records
            )
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def _scalar_default(column: Any) -> tuple[Any] | None:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return (default.arg,)
    return None


MARKER = "bench-population"  # a web_keys row saying what was built, for --reuse


def described(clubs: int, days: int, solves: int) -> str:
    return f"{clubs} clubs, {days} days, {solves} solves, format 3"


async def built(store: Store) -> str | None:
    """What `populate` built in this database, if it did."""
    async with store.engine.connect() as connection:
        found = await connection.execute(select(KeyRow.value).where(KeyRow.name == MARKER))
        return found.scalar_one_or_none()


async def populate(store: Store, clubs: int, *, days: int, solves: int) -> dict[str, int]:
    """Fill an empty, migrated database; the rows written per table."""
    engine = store.engine
    postings = _postings()
    async with engine.connect() as connection:
        loader = _Loader(connection)
        await loader.load(PostingSourceRow.__table__, [_source_row(len(postings))])
        await loader.load(PostingRow.__table__, postings)
        for first in range(1, clubs + 1, BLOCK):
            block = range(first, min(first + BLOCK, clubs + 1))
            await _load_clubs(loader, block, days=days, solves=solves)
            await connection.commit()  # a block at a time: SQLite's WAL stays small
    await _fix_sequences(engine)
    # Solves were bulk-loaded around `record_solve`: count the members' running totals.
    await store.repo(ProblemStore).recount_totals()
    async with engine.begin() as connection:
        mark = {"name": MARKER, "value": described(clubs, days, solves)}
        await connection.execute(insert(KeyRow).values(mark))
    return loader.counts


async def _load_clubs(loader: _Loader, block: range, *, days: int, solves: int) -> None:
    rng = random.Random(block.start)
    bank = [p for p in load_bank().problems if p.kind == "coding"]
    tables: dict[Table, list[dict[str, Any]]] = {}

    def add(row_class: Any, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> None:
        tables.setdefault(row_class.__table__, []).extend(rows)

    add(ClubRow, (_club(c) for c in block))
    for c in block:
        add(ChannelRow, _channels(c))
        add(ClubSettingRow, _settings(c))
        add(OfficerRow, _officers(c))
        add(MemberRow, _members(c))
        add(LearnedMemberRow, _learned(c))
        posted = _problem_posts(c, bank, days)
        add(ProblemPostRow, posted)
        add(SolveRow, _solves(c, posted, bank, solves, rng))
        add(ClaimRow, _claims(c, days))
        add(ClubDeadlineRow, _deadlines(c))
        add(SubscriptionRow, _subscriptions(c))
        add(ProfileRow, _profiles(c))
        add(MuteRow, _mutes(c))
        add(PostingFollowRow, _follows(c))
        add(FeedTokenRow, _feed_tokens(c))
        add(PageHiddenRow, _hidden(c))
        add(ApplicantRow, _applicants(c))
        add(ApplicationRow, _applications(c))
        add(AuditRow, _audit(c))
        add(PairingMemberRow, _pairing_members(c))
        rounds, groups, packs, feedback = _pairing_history(c, rng)
        add(RoundRow, rounds)
        add(GroupRow, groups)
        add(PackRow, packs)
        add(FeedbackRow, feedback)
    for table, rows in tables.items():  # in the order added: parents before children
        await loader.load(table, rows)


def _club(c: int) -> dict[str, Any]:
    return {
        "id": c,
        "platform": "slack",
        "workspace_id": f"T{c}",
        "name": f"club {c}",
        "timezone": club_zone(c),
        "digest_weekday": 0,
        "digest_time": "09:00",
        "created_at": NOW - timedelta(days=400),
        "config_version": 1,
    }


def _channels(c: int) -> list[dict[str, Any]]:
    channels = {
        "deadlines": "deadlines",
        "problems": "daily-problem",
        "pairing": "mock-interviews",
        "alerts": "officers",
    }
    return [
        {"club_id": c, "purpose": p, "channel_id": name, "channel_name": name}
        for p, name in channels.items()
    ]


def _settings(c: int) -> list[dict[str, Any]]:
    """What officers set, on some clubs (a feature's setting is a row, its default none),
    and what a club's first application set."""
    rows = []
    if c % 3 == 0:
        rows.append(("problem_time", "08:30"))
    if c % 5 == 0:
        rows.append(("problem_mix", "coding daily, sql thu"))
    if c % 2 == 0:
        chosen = Filter(enabled=True, categories=("software", "data"), sponsorship="any")
        rows.append((POSTINGS_SETTING, chosen.to_json()))
    if c % 4 == 0:
        rows.append(("web_page", "on"))
    if c % 7 == 0:
        rows.append(("deadline_reminders", "14,7,1"))
    # Every club has members tracking applications: its first switched the follow-ups on.
    rows.append((FOLLOW_UPS, "on"))
    return [{"club_id": c, "key": k, "value": v} for k, v in rows]


def _officers(c: int) -> list[dict[str, Any]]:
    return [
        {
            "club_id": c,
            "user_id": member_id(m),
            "name": f"member {m}",
            "added_by": "U0",
            "added_at": NOW - timedelta(days=300 - m),
        }
        for m in OFFICERS
    ]


def _members(c: int) -> Iterator[dict[str, Any]]:
    for m in range(MEMBERS):
        yield {
            "club_id": c,
            "user_id": member_id(m),
            "name": f"member {m}",
            "joined_at": NOW - timedelta(days=(m * 7) % 390),
            "last_seen_at": NOW,
        }


def _learned(c: int) -> Iterator[dict[str, Any]]:
    """Rights as the benchmark's events show them (no admin right, no roles): a command
    writes them only when they change (`/admin dashboard` by a workspace admin does)."""
    for m in range(MEMBERS):
        yield {
            "club_id": c,
            "user_id": member_id(m),
            "is_admin": False,
            "roles": "",
            "rights_at": NOW - timedelta(days=1),
        }


def _problem_posts(c: int, bank: Sequence[Any], days: int) -> list[dict[str, Any]]:
    today = local_today(c)
    return [
        {
            "club_id": c,
            "day": today - timedelta(days=back),
            "problem_id": bank[(c + days - back) % len(bank)].id,
            "cycle": 1 + (days - back) // len(bank),
            "posted_at": at_local(today - timedelta(days=back), 9, c),
        }
        for back in range(days - 1, -1, -1)
    ]


def _solves(
    c: int, posted: Sequence[dict[str, Any]], bank: Sequence[Any], per_member: int, rng: Any
) -> Iterator[dict[str, Any]]:
    difficulty = {p.id: p.difficulty for p in bank}
    # Never today's problem: the benchmark's first /solved of today counts for everyone.
    earlier = posted[:-1]
    for m in range(MEMBERS):
        seen = set()
        for post in rng.sample(earlier, min(per_member, len(earlier))):
            if post["problem_id"] in seen:  # a problem posted twice in the year counts once
                continue
            seen.add(post["problem_id"])
            yield {
                "club_id": c,
                "user_id": member_id(m),
                "problem_id": post["problem_id"],
                "name": f"member {m}",
                "difficulty": difficulty[post["problem_id"]],
                "day": post["day"],
                "solved_at": post["posted_at"] + timedelta(hours=3),
            }


_DAILY_KINDS = (
    ("daily_problem", 9),
    ("problem_hint", 15),
    ("problem_solution", 21),
    ("deadline_alerts", 9),
)
_WEEKLY_KINDS = (("officer_digest", 9), ("deadline_week", 9))


def _claims(c: int, days: int) -> Iterator[dict[str, Any]]:
    """A year of finished runs. Today's hint and key idea are still to come."""
    today = local_today(c)
    local_now = NOW.astimezone(ZoneInfo(club_zone(c)))
    for back in range(days):
        day = today - timedelta(days=back)
        for kind, hour in _DAILY_KINDS:
            if back == 0 and hour > local_now.hour:
                continue
            yield _claim(c, kind, day.isoformat(), at_local(day, hour, c))
    this_week = monday(c)
    for week in range(days // 7 + 1):
        first = this_week - timedelta(weeks=week)
        for kind, hour in _WEEKLY_KINDS:
            yield _claim(c, kind, iso_week(first), at_local(first, hour, c))
        if week < 52 and week % 3 == 0:  # DMs of the deadline reminders: a few each time
            for m in range(0, MEMBERS, 30):
                occurrence = f"{first.isoformat()}:closing:{member_id(m)}"
                yield _claim(c, "deadline_alerts:dm", occurrence, at_local(first, 9, c))
        if week < 52 and week % 2 == 0:  # a postings digest twice a week or so
            due = at_local(first + timedelta(days=2), 14, c)
            yield _claim(c, "postings_digest", due.strftime("%Y-%m-%dT%HZ"), due)
    for week in range(ROUNDS):
        first = this_week - timedelta(weeks=week)
        due = at_local(first, 10, c)
        yield _claim(c, "mockpair_round", iso_week(first), due)
        for m in paired_members():
            occurrence = f"{iso_week(first)}:pairs:{member_id(m)}"
            yield _claim(c, "mockpair_round:dm", occurrence, due)


def _claim(c: int, kind: str, occurrence: str, due: datetime) -> dict[str, Any]:
    return {
        "club_id": c,
        "kind": kind,
        "occurrence": occurrence,
        "status": "posted",
        "owner": "bench",
        "due_at": due,
        "claimed_at": due,
        "attempts": 1,
        "posted_at": due + timedelta(seconds=2),
        "message_ref": f"{kind}-{occurrence}",
        "error": None,
    }


def _deadlines(c: int) -> list[dict[str, Any]]:
    today = local_today(c)
    spans = ((-200, 3), (-120, 1), (-60, 5), (-20, 2), (10, 1), (25, 4), (60, 1), (150, 3))
    return [
        {
            "club_id": c,
            "title": f"Club event {i + 1}",
            "opens_on": today + timedelta(days=start) if length > 1 else None,
            "closes_on": today + timedelta(days=start + length - 1),
            "url": f"https://club{c}.example.org/events/{i + 1}" if i % 2 else None,
            "track": "big-tech" if i % 3 == 0 else None,
            "created_by": "U1",
            "created_at": NOW - timedelta(days=250 - i * 20),
        }
        for i, (start, length) in enumerate(spans)
    ]


def _subscriptions(c: int) -> Iterator[dict[str, Any]]:
    for m in range(0, MEMBERS, 3):
        for target in SUBSCRIBED[m % 4 : m % 4 + 1 + m % 2]:
            yield {
                "club_id": c,
                "user_id": member_id(m),
                "target": target,
                "created_at": NOW - timedelta(days=m),
            }


def _profiles(c: int) -> Iterator[dict[str, Any]]:
    years = ("freshman", "sophomore", "junior", "senior", "masters")
    for m in range(MEMBERS):
        if m % 5 != 4:
            yield {"club_id": c, "user_id": member_id(m), "class_year": years[m % 5]}


def _mutes(c: int) -> Iterator[dict[str, Any]]:
    for m in range(0, MEMBERS, 4):
        for key in MUTED[: 1 + m % 3]:
            yield {
                "club_id": c,
                "user_id": member_id(m),
                "window_key": key,
                "reason": "applied" if m % 8 else "not interested",
                "at": NOW - timedelta(days=m % 60),
            }


def _follows(c: int) -> Iterator[dict[str, Any]]:
    for m in range(0, MEMBERS, 10):
        for company in (FOLLOWED[m % 8], FOLLOWED[(m + 3) % 8]):
            yield {
                "club_id": c,
                "user_id": member_id(m),
                "company_key": company.lower(),
                "company": company,
            }


def _applicants(c: int) -> Iterator[dict[str, Any]]:
    for m in APPLICANTS:
        yield {
            "club_id": c,
            "user_id": member_id(m),
            "counted": m % 8 != 6,  # one in two keeps theirs private
            "nudges": True,
            "season_end_told": None,
            "since": NOW - timedelta(days=100),
        }


def _applications(c: int) -> Iterator[dict[str, Any]]:
    """Since 1 Aug, a few a week: the season (summer 2027) the plan is about."""
    first = date(2026, 8, 1)
    for m in APPLICANTS:
        for n in range(1, APPLIED_EACH + 1):
            applied_on = first + timedelta(days=(n * 4 + m) % 100)
            stage = STAGES[(n + m) % 5]  # applied .. rejected
            yield {
                "club_id": c,
                "user_id": member_id(m),
                "number": n,
                "season": 2027,
                "company": FOLLOWED[(n + m) % len(FOLLOWED)] if n % 3 else f"Startup {n}",
                "role": "Software engineering intern",
                "link": "",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "category_from": "member",
                "program": None,
                "window_key": None,
                "posting_id": None,
                "opened_on": None,
                "applied_on": applied_on,
                "stage": stage,
                "furthest": "interview" if stage == "rejected" else stage,
                "news_on": applied_on + timedelta(days=n % 20),
                "nudged_on": None,
                "created_at": datetime.combine(applied_on, time(12), UTC),
            }


def _feed_tokens(c: int) -> Iterator[dict[str, Any]]:
    yield {"token": f"club{c}", "club_id": c, "user_id": CLUB_FEED, "created_at": NOW}
    for m in range(1, MEMBERS, 3):
        yield {"token": f"t{c}x{m}", "club_id": c, "user_id": member_id(m), "created_at": NOW}


def _hidden(c: int) -> list[dict[str, Any]]:
    return [{"club_id": c, "user_id": member_id(m)} for m in (7, 77, 177)]


def _audit(c: int) -> Iterator[dict[str, Any]]:
    actions = ("set channel problems", "set problem_time", "add deadline", "add officer")
    for i in range(50):
        yield {
            "club_id": c,
            "actor_id": "U1",
            "actor_name": "member 1",
            "action": actions[i % 4],
            "detail": f"change {i}",
            "at": NOW - timedelta(days=365 - i * 7),
        }


def _pairing_members(c: int) -> Iterator[dict[str, Any]]:
    zone = club_zone(c)
    for i, m in enumerate(PAIRING):
        yield {
            "club_id": c,
            "user_id": member_id(m),
            "name": f"member {m}",
            "track": PAIR_TRACKS[i % 4] if m % 2 else "coding",
            "level": 1 + i % 5,
            "role": ("both", "both", "interviewer", "interviewee")[i % 4],
            "availability": AVAILABILITY[i % len(AVAILABILITY)],
            "timezone": zone if i % 6 else "Asia/Kolkata",
            "active": m not in LEFT,
            "skip_until": monday(c) + timedelta(weeks=2) if m in SKIPPING else None,
            "no_shows": 1 if i % 9 == 0 else 0,
            "trio_count": 0,
            "joined_at": NOW - timedelta(weeks=ROUNDS + 1),
        }


def _pairing_history(
    c: int, rng: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """ROUNDS weekly rounds with explicit ids (packs and feedback refer to groups)."""
    problems = [p.id for p in load_bank().problems if p.kind == "coding"]
    rounds, groups, packs, feedback = [], [], [], []
    for week in range(ROUNDS):
        week_of = monday(c) - timedelta(weeks=week)
        round_id = (c - 1) * ROUNDS + week + 1
        ran_at = at_local(week_of, 10, c)
        rounds.append(
            {
                "id": round_id,
                "club_id": c,
                "occurrence": iso_week(week_of),
                "week_of": week_of,
                "ran_at": ran_at,
            }
        )
        for g, members in enumerate(round_groups(c, week)):
            group_id = round_id * 32 + g
            alone = len(members) == 1
            groups.append(
                {
                    "id": group_id,
                    "round_id": round_id,
                    "club_id": c,
                    "members": " ".join(member_id(m) for m in members),
                    "slot": None if alone else 36 + (g * 7) % 250,
                    "why": "unpaired: nobody in your track shares an hour with you"
                    if alone
                    else "same track, level within one",
                }
            )
            for i, m in enumerate(members if not alone else ()):
                # Never the same question twice to a member: two new ones each round.
                packs += [
                    {
                        "club_id": c,
                        "user_id": member_id(m),
                        "problem_id": problems[(m * 7 + week * 2 + k) % len(problems)],
                        "group_id": group_id,
                    }
                    for k in range(2)
                ]
                partner = members[1 - i]
                if week > 0 and rng.random() < 0.7:
                    feedback.append(
                        {
                            "club_id": c,
                            "group_id": group_id,
                            "from_user": member_id(m),
                            "about_user": member_id(partner),
                            "rating": 3 + (m + week) % 3,
                            "notes": "clear explanation; practise edge cases",
                            "no_show": rng.random() < 0.05,
                            "at": ran_at + timedelta(days=3),
                        }
                    )
    return rounds, groups, packs, feedback


# --- postings -------------------------------------------------------------------------

_CATEGORIES = (
    (re.compile(r"quant|trad", re.I), "Quant"),
    (re.compile(r"data|machine learning|\bml\b|\bai\b|research", re.I), "AI/ML/Data"),
    (re.compile(r"hardware|electrical|embedded|fpga", re.I), "Hardware"),
    (re.compile(r"product", re.I), "Product"),
)


def _postings() -> list[dict[str, Any]]:
    """POSTINGS postings copied from the real list's sample, spread over the year before
    NOW (about 40 a day); those older than four months mostly closed, the newer ones open
    as often as in the sample. Newer entries carry the 2026 lists' short categories."""
    sample = dedupe_ids(read_community_list(SOURCE, json.loads(LISTINGS.read_text())))
    rng = random.Random(5)
    rows = []
    for n in range(POSTINGS):
        entry = sample[n % len(sample)]
        posted = NOW - timedelta(minutes=int(365 * 24 * 60 * (n / POSTINGS) ** 1.3))
        old = NOW - posted > timedelta(days=120)
        active = entry.active and not (old and rng.random() < 0.8)
        posting = Posting(
            source=SOURCE,
            ext_id=f"{entry.ext_id}-{n // len(sample)}",
            company=entry.company,
            title=entry.title,
            url=f"{entry.url}?copy={n // len(sample)}" if entry.url else "",
            locations=entry.locations,
            posted_at=posted,
            active=active,
            terms=tuple(_later(t) for t in entry.terms),
            sponsorship=entry.sponsorship,
            category=_category(entry.title) if not old else "",
            degrees=("Bachelor's",) if n % 3 else (),
        )
        first_seen = min(posted + timedelta(minutes=rng.randrange(5, 360)), NOW)
        # The store's own row for a posting first seen then; a closed one closed later.
        closed = None if active else min(first_seen + timedelta(days=20), NOW)
        rows.append({**stored_row(posting, first_seen), "closed_at": closed})
    return rows


def _later(term: str) -> str:
    """The sample's 2023-2025 terms moved to this cycle's years."""
    return re.sub(r"20(2\d)", lambda m: f"20{int(m.group(1)) + 3}", term)


def _category(title: str) -> str:
    return next((name for pattern, name in _CATEGORIES if pattern.search(title)), "Software")


def _source_row(entries: int) -> dict[str, Any]:
    return {
        "name": SOURCE,
        "url": f"https://raw.githubusercontent.com/{SOURCE}/dev/.github/scripts/listings.json",
        "etag": '"bench"',
        "last_modified": None,
        "last_ok_at": NOW - timedelta(minutes=20),
        "failing_since": None,
        "last_error": None,
        "entries": entries,
    }


async def _fix_sequences(engine: AsyncEngine) -> None:
    """Rows loaded with explicit ids leave PostgreSQL's sequences behind: move them on,
    so what the commands add gets new ids."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as connection:
        for table in ("clubs", "mockpair_rounds", "mockpair_groups"):
            await connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
