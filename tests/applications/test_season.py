"""A season in the console, September to April: eight members living in six zones record
applications by command (`/applied`, `/alerts applied`) and by clicking the I applied
buttons the bot really sent them (under each posting of the club's postings digest, polled
from a list served locally; on the window reminder DMs of what they follow; on
`/deadlines program:`), correct categories, move applications through stages, one leaves
the club's counts and one turns follow-ups off, while the scheduler runs every day.

An independent ledger, kept by the test from what each member did (the club-local day
worked out here with zoneinfo, categories from the test's own table), is the oracle for
what each member is told: their count, mix and speed in /applications, every follow-up DM
(which day, which applications), the season-end DM, the officers' club view, and the
applied mark on every program window a member applied to."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.console import ConsoleDirectory
from bot.applications import ApplicationStore, club_view, load_facts
from bot.applications.plan import Season
from bot.applied import APPLIED_ACTION, applied_to
from bot.clock import ManualClock
from bot.model import Button, Message, Place, User
from bot.postings.store import PostingStore
from bot.runtime import open_runtime
from bot.windows import DeadlineStore
from bot.windows.calendar import load_calendar
from tests.applications.helpers import click
from tests.conftest import ADMIN, WORKSPACE, Club, RecordingPoster
from tests.postings.feeds import Feeds, live_entries, sample, start_feeds

CLUB_ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 8, 31, 16, 0, tzinfo=UTC)  # Monday 31 August, noon in New York
LAST_DAY = date(2027, 4, 30)
# The test's own table: the calendar's tracks as the articles' categories.
TRACK_KIND = {
    "big-tech": "big-tech",
    "early-career": "big-tech",
    "research-reu": "research",
    "research-lab": "research",
    "quant": "quant",
    "mid-market-saas": "saas",
    "startup": "startup",
    "fellowship": "other",
}
NO_OPENING = {"mid-market-saas", "ai-startups"}  # a season, not a posting going live
LABELS = {
    "big-tech": "Big tech",
    "saas": "Mid-market SaaS",
    "startup": "AI-first startups",
    "research": "Research labs",
}
# Postings' companies and what the test expects of each: the articles name some.
POSTING_COMPANIES = {
    "Google": "big-tech",
    "Amazon": "big-tech",
    "Anthropic": "research",
    "Jane Street": "quant",
    "Rampwise": None,  # not named: a guess of "other" the member may correct
    "Tallyhq": None,
    "Quillsoft": None,
}
TYPED = {"Meta": "big-tech", "OpenAI": "research", "Cohere": "research"}
UNNAMED = ["Brightloop", "Cobaltly", "Dunefold", "Emberline", "Fernly", "Gridsmith"]


@dataclass
class Member:
    user: User
    zone: ZoneInfo
    hour: time  # when they usually act, in their own zone


MEMBERS = [
    Member(User(id="ana", name="Ana"), ZoneInfo("America/New_York"), time(21, 0)),
    Member(User(id="ben", name="Ben"), ZoneInfo("America/Los_Angeles"), time(22, 30)),
    Member(User(id="chloe", name="Chloe"), ZoneInfo("Europe/London"), time(23, 0)),
    Member(User(id="dev", name="Dev"), ZoneInfo("Asia/Kolkata"), time(23, 30)),
    Member(User(id="emi", name="Emi"), ZoneInfo("Asia/Tokyo"), time(8, 0)),
    Member(User(id="femi", name="Femi"), ZoneInfo("Africa/Lagos"), time(20, 0)),
    Member(User(id="gus", name="Gus"), ZoneInfo("Australia/Sydney"), time(7, 0)),
    Member(User(id="hana", name="Hana"), ZoneInfo("America/Chicago"), time(23, 30)),
]
PRIVATE, QUIET = "femi", "gus"  # left out of the counts; follow-ups off
# What members follow: window reminder DMs, each with its I applied buttons.
FOLLOWS = {"ana": "big-tech", "ben": "quant", "chloe": "big-tech", "dev": "research-reu"}
DIGEST = "New internship postings"


@dataclass
class Entry:
    """One application as the ledger knows it."""

    number: int
    category: str
    applied_on: date
    opened_on: date | None
    key: str  # what makes a repeat: the program's window, the posting, the company
    stage: str = "applied"
    furthest: str = "applied"
    news_on: date = date.min
    nudged_on: date | None = None


@dataclass
class Ledger:
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    follow_ups: dict[str, list[tuple[date, list[int]]]] = field(default_factory=dict)

    def add(self, user: str, entry: Entry) -> None:
        entry.news_on = entry.applied_on
        self.entries.setdefault(user, []).append(entry)

    def next_number(self, user: str) -> int:
        return len(self.entries.get(user, [])) + 1

    def follow_up_day(self, day: date) -> None:
        """What the follow-up job must send on `day`, worked out afresh from the ledger."""
        for user, entries in self.entries.items():
            if user == QUIET:
                continue
            due = [
                e
                for e in entries
                if e.stage in ("applied", "assessment", "interview")
                and (day - e.news_on).days >= 14
                and (e.nudged_on is None or (day - e.nudged_on).days >= 14)
            ]
            for e in due:
                e.nudged_on = day
            if due:
                self.follow_ups.setdefault(user, []).append((day, [e.number for e in due]))


class TimedPoster(RecordingPoster):
    """Records when each DM went out, by the scenario's clock."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock
        self.timed: list[tuple[datetime, str, Message]] = []

    async def dm(self, place, user_id, message, *, key=None):
        self.timed.append((self.clock.now(), user_id, message))
        return await super().dm(place, user_id, message, key=key)


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


@pytest.fixture
async def season_club(database_url: str) -> AsyncIterator[Club]:
    clock = ManualClock(START)
    poster = TimedPoster(clock)
    runtime = await open_runtime(
        database_url=database_url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(),
        owner="season",
    )
    yield Club(runtime=runtime, poster=poster, clock=clock)
    await runtime.close()


def _club_day(moment: datetime) -> date:
    return moment.astimezone(CLUB_ZONE).date()


class Season2027:
    """The scenario: the club, the ledger and a seeded random hand for the members."""

    def __init__(self, club: Club, feeds: Feeds) -> None:
        self.club, self.ledger, self.rng = club, Ledger(), random.Random(2027)
        self.feeds = feeds
        self.served: list[dict[str, object]] = []  # the list the poll reads
        self.posted: dict[str, tuple[str, date]] = {}  # url: (company, posted club day)
        self.club_id = 0
        self.next_follow_up = date(2026, 9, 1)
        self.paths: Counter[str] = Counter()  # how applications were recorded

    async def run(self, line: str, member: Member) -> Message:
        reply = await self.club.run(line, as_user=member.user)
        assert reply.ephemeral, line
        assert "went wrong" not in reply.text, line
        return reply

    async def until(self, moment: datetime) -> None:
        """Move time on, the ledger's follow-up days in step with the scheduler's."""
        while True:
            run_at = datetime.combine(self.next_follow_up, time(10), CLUB_ZONE)
            if run_at > moment:
                break
            await self.club.runtime.scheduler.run_until(self.club.clock, run_at)
            self.ledger.follow_up_day(self.next_follow_up)
            self.next_follow_up += timedelta(days=1)
        await self.club.runtime.scheduler.run_until(self.club.clock, moment)

    # --- what members do ---------------------------------------------------------------

    async def apply(self, member: Member) -> None:
        moment = self.club.clock.now()
        today = _club_day(moment)
        choice = self.rng.random()
        if choice < 0.35:
            await self._program(member, today)
        elif choice < 0.7 and self._digest_buttons():
            await self._posting(member, today)
        else:
            await self._typed(member, today)

    async def _program(self, member: Member, today: date) -> None:
        open_now = [
            o
            for o in load_calendar().around(today)
            if o.window is not None and o.is_open(today) and o.track in TRACK_KIND
        ]
        how = self.rng.choice(["applied", "alerts", "deadlines", "reminder"])
        # A member who follows a track applies to what its reminders told them of.
        reminded = [
            o
            for o in open_now
            if not self._repeat(member, o.key) and self._reminder_button(member, o.window_id)
        ]
        o = self.rng.choice(reminded if how == "reminder" and reminded else open_now)
        if self._repeat(member, o.key):
            return
        opened = o.opens_on if o.announces_opening and o.window_id not in NO_OPENING else None
        entry = Entry(
            number=self.ledger.next_number(member.user.id),
            category=TRACK_KIND[o.track],
            applied_on=today,
            opened_on=opened,
            key=o.key,
        )
        reply = await self._apply_to_program(member, o.window_id, how)
        assert reply.title.startswith(f"#{entry.number} "), reply.title
        self.ledger.add(member.user.id, entry)

    async def _apply_to_program(self, member: Member, window_id: str, how: str) -> Message:
        """By command, or by a button the bot sent: the latest reminder DM naming the
        program, else the `/deadlines program:` answer."""
        button = self._reminder_button(member, window_id) if how == "reminder" else None
        if how == "applied":
            reply = await self.run(f"/applied company:{window_id}", member)
        elif how == "alerts":
            reply = await self.run(f"/alerts applied window:{window_id}", member)
        elif button is not None:
            # A click from the member's DM: its place is not the club's workspace.
            reply = await click(
                self.club, button.action, button.value, as_user=member.user, workspace="dm"
            )
        else:
            how = "deadlines"
            page = await self.run(f"/deadlines program:{window_id}", member)
            [button] = [b for b in page.buttons if b.action == APPLIED_ACTION]
            reply = await click(self.club, button.action, button.value, as_user=member.user)
        self.paths[how] += 1
        return reply

    def _reminder_button(self, member: Member, window_id: str) -> Button | None:
        poster = self.club.poster
        assert isinstance(poster, TimedPoster)
        for _, user, message in reversed(poster.timed):
            for button in message.buttons if user == member.user.id else ():
                named = applied_to(button.value)
                if named is not None and (named.kind, named.what) == ("program", window_id):
                    assert named.club_id == self.club_id
                    return button
        return None

    def _digest_buttons(self) -> list[tuple[Button, int]]:
        """The I applied buttons of the latest digests the club was sent, with the posting
        each names."""
        digests = [m for m in self.club.poster.messages("deadlines") if m.title == DIGEST]
        found = []
        for digest in digests[-3:]:
            for button in digest.buttons:
                named = applied_to(button.value)
                if named is not None and named.kind == "posting":
                    assert named.club_id == self.club_id
                    found.append((button, int(named.what)))
        return found

    async def _posting_of(self, posting_id: int) -> tuple[str, date]:
        repo = self.club.runtime.store.repo(PostingStore)
        stored = await repo.posted_since(datetime(2026, 1, 1, tzinfo=UTC))
        [url] = [s.posting.url for s in stored if s.id == posting_id]
        return self.posted[url]

    async def _posting(self, member: Member, today: date) -> None:
        button, posting_id = self.rng.choice(self._digest_buttons())
        company, posted = await self._posting_of(posting_id)
        if self._repeat(member, f"posting-{posting_id}"):
            return
        named = POSTING_COMPANIES[company]
        entry = Entry(
            number=self.ledger.next_number(member.user.id),
            category=named or "other",
            applied_on=today,
            opened_on=posted,
            key=f"posting-{posting_id}",
        )
        if self.rng.random() < 0.7:
            reply = await click(self.club, button.action, button.value, as_user=member.user)
            self.paths["digest"] += 1
        else:
            self.paths["typed posting"] += 1
            place = Place(platform="console", workspace_id=WORKSPACE, channel_id="general")
            found = await self.club.runtime.bot.complete(
                "applied", "company", company[:4], user=member.user, place=place
            )
            [chosen] = [s for s in found if s.endswith(f" · posting {posting_id}")]
            reply = await self.run(f'/applied company:"{chosen}"', member)
        assert reply.title.startswith(f"#{entry.number} {company}"), reply.title
        self.ledger.add(member.user.id, entry)
        if named is None and self.rng.random() < 0.6:
            entry.category = self.rng.choice(["saas", "startup"])
            await click(
                self.club, "app-kind", f"{entry.number}.{entry.category}", as_user=member.user
            )

    async def _typed(self, member: Member, today: date) -> None:
        company = self.rng.choice([*TYPED, *UNNAMED])
        if self._repeat(member, company):
            return
        back = self.rng.choice([0, 0, 1, 2])
        written = {0: "", 1: " date:yesterday", 2: ' date:"2 days ago"'}[back]
        line = f"/applied company:{company}{written}"
        category = TYPED.get(company, "other")
        if company in UNNAMED and self.rng.random() < 0.7:
            category = self.rng.choice(["saas", "startup", "big-tech"])
            line += f" category:{category}"
        entry = Entry(
            number=self.ledger.next_number(member.user.id),
            category=category,
            applied_on=today - timedelta(days=back),
            opened_on=None,
            key=company,
        )
        reply = await self.run(line, member)
        assert reply.title == f"#{entry.number} {company}", reply.title
        self.ledger.add(member.user.id, entry)

    def _repeat(self, member: Member, key: str) -> bool:
        return any(e.key == key for e in self.ledger.entries.get(member.user.id, []))

    async def news(self, member: Member) -> None:
        """Some news for one of the member's applications still waiting."""
        waiting = [
            e
            for e in self.ledger.entries.get(member.user.id, [])
            if e.stage in ("applied", "assessment", "interview")
        ]
        if not waiting:
            return
        entry = self.rng.choice(waiting)
        later = {
            "applied": ["assessment", "interview", "rejected"],
            "assessment": ["interview", "rejected"],
        }
        stage = self.rng.choice(later.get(entry.stage, ["offer", "rejected", "withdrawn"]))
        if self.rng.random() < 0.5:
            await click(self.club, "app-stage", f"{entry.number}.{stage}", as_user=member.user)
        else:
            await self.run(f"/applications id:{entry.number} stage:{stage}", member)
        entry.stage, entry.news_on = stage, _club_day(self.club.clock.now())
        if stage in ("assessment", "interview", "offer"):
            entry.furthest = stage

    async def week(self, monday: date) -> None:
        """One week: new postings on Monday morning, then each member's evenings."""
        template = live_entries(sample())[0]
        for company in self.rng.sample(sorted(POSTING_COMPANIES), 2):
            posted = datetime.combine(monday, time(9), CLUB_ZONE) - timedelta(
                days=self.rng.randint(0, 3)
            )
            ext = f"{company}-{monday}".lower().replace(" ", "-")
            url = f"https://jobs.example/{ext}"
            stamp = int(posted.timestamp())
            self.served.append(
                {
                    **template,
                    "id": ext,
                    "company_name": company,
                    "title": f"ML Intern {monday:%m%d}",
                    "url": url,
                    "locations": ["Remote in USA"],
                    "terms": ["Summer 2027"],
                    "date_posted": stamp,
                    "date_updated": stamp,
                    "active": True,
                    "is_visible": True,
                }
            )
            self.posted[url] = (company, _club_day(posted))
        self.feeds.serve("/listings.json", self.served, etag=f'"{monday}"')
        busy = monday.month in (9, 10, 1, 2)
        plan = []
        for member in MEMBERS:
            for _ in range(self.rng.choice([0, 1, 2, 2, 3] if busy else [0, 1, 1, 2])):
                day = monday + timedelta(days=self.rng.randint(0, 6))
                local = datetime.combine(day, member.hour, member.zone)
                plan.append((local.astimezone(UTC), member))
        for moment, member in sorted(plan, key=lambda p: (p[0], p[1].user.id)):
            if _club_day(moment) > LAST_DAY:
                continue
            await self.until(moment)
            if self.rng.random() < 0.3:
                await self.news(member)
            else:
                await self.apply(member)


@pytest.mark.timeout(900)
async def test_a_season_of_applications_told_to_each_member_as_the_ledger_counts_it(
    season_club, feeds
):
    club = season_club
    scenario = Season2027(club, feeds)
    club.runtime.postings.settings = feeds.settings()
    await club.run("/admin setup timezone:America/New_York deadlines:#deadlines", as_user=ADMIN)
    await club.run("/admin postings settings enabled:yes", as_user=ADMIN)
    scenario.club_id = (await club.runtime.store.clubs.all())[0].id
    for member in MEMBERS:
        if member.user.id in FOLLOWS:
            await scenario.run(f"/alerts subscribe target:{FOLLOWS[member.user.id]}", member)
    private = next(m for m in MEMBERS if m.user.id == PRIVATE)
    quiet = next(m for m in MEMBERS if m.user.id == QUIET)
    await scenario.run("/applications privacy:private", private)
    await scenario.run("/applications nudges:off", quiet)

    monday = date(2026, 8, 31)
    while monday <= LAST_DAY:
        await scenario.week(monday)
        monday += timedelta(days=7)
    await scenario.until(datetime.combine(LAST_DAY, time(20), CLUB_ZONE))

    ledger = scenario.ledger
    assert sum(len(e) for e in ledger.entries.values()) > 150, "a season's worth"
    for how in ("applied", "alerts", "deadlines", "reminder", "digest", "typed posting"):
        assert scenario.paths[how] >= 5, (how, scenario.paths)
    await _every_program_applied_to_is_marked(club, scenario)
    for member in MEMBERS:
        _told_their_season(await scenario.run("/applications", member), ledger, member)
    _followed_up_as_the_ledger_says(club.poster, ledger)
    await _club_view_is_the_counted_members_aggregates(club, scenario)

    before = len(club.poster.timed)
    await scenario.until(datetime.combine(date(2027, 5, 1), time(12), CLUB_ZONE))
    season_end = {u for _, u, m in club.poster.timed[before:] if m.title == "Where to go from here"}
    expected = {
        u
        for u, entries in ledger.entries.items()
        if u != QUIET and not any(e.furthest == "offer" for e in entries)
    }
    assert season_end == expected


async def _every_program_applied_to_is_marked(club: Club, scenario: Season2027) -> None:
    """Whichever way it was recorded, a program's window is marked applied for the member
    (no more reminders for it); nothing else is."""
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(scenario.club_id)
    for user, entries in scenario.ledger.entries.items():
        windows = {e.key for e in entries if ":" in e.key}  # a program window's key
        assert {k for k, why in mutes.get(user, {}).items() if why == "applied"} == windows


def _told_their_season(reply: Message, ledger: Ledger, member: Member) -> None:
    mine = ledger.entries.get(member.user.id, [])
    fields = {f.name: f.value for f in reply.fields}
    assert reply.text.startswith(f"{len(mine)} application"), (member.user.id, reply.text)
    per = Counter(e.category for e in mine)
    in_mix = sum(per[c] for c in LABELS)
    for category, label in LABELS.items():
        share = round(100 * per[category] / in_mix) if in_mix else 0
        assert f"{label}: {per[category]} ({share}%" in fields["The mix against the plan"]
    outside = f"Outside the plan's mix: {per['quant']} quant, {per['other']} other"
    assert (outside in fields["The mix against the plan"]) == bool(per["quant"] + per["other"])
    timed = [e for e in mine if e.opened_on is not None]
    early = [e for e in timed if (e.applied_on - e.opened_on).days <= 14]
    if timed:
        assert f"{len(early)} of the {len(timed)} with a known opening" in reply.text
    assert fields["Next step"]
    counted = "Not counted" if member.user.id == PRIVATE else "Counted in the club's totals"
    assert counted in reply.text
    waiting = [e for e in mine if e.stage in ("applied", "assessment", "interview")]
    shown = re.findall(r"^#(\d+) ", fields.get("Waiting for news", ""), re.MULTILINE)
    assert sorted(int(n) for n in shown) == sorted(
        e.number for e in waiting
    ) or "more" in fields.get("Waiting for news", "")


def _followed_up_as_the_ledger_says(poster: TimedPoster, ledger: Ledger) -> None:
    told: dict[str, list[tuple[date, list[int]]]] = {}
    for moment, user, message in poster.timed:
        if message.title.startswith("Any news"):
            numbers = [int(n) for n in re.findall(r"^#(\d+) ", message.text, re.MULTILINE)]
            told.setdefault(user, []).append((_club_day(moment), sorted(numbers)))
    assert told == ledger.follow_ups
    assert QUIET not in told
    assert sum(len(v) for v in told.values()) > 20, "the season had follow-ups to send"


async def _club_view_is_the_counted_members_aggregates(club: Club, scenario: Season2027) -> None:
    repo = club.runtime.store.repo(ApplicationStore)
    applications, members = await repo.counted(scenario.club_id, 2027)
    counted = {u: e for u, e in scenario.ledger.entries.items() if u != PRIVATE}
    assert members == len(counted) == 7
    view = club_view(
        applications,
        members_counted=members,
        season=Season(summer=2027),
        today=LAST_DAY,
        facts=load_facts(),
    )
    everything = [e for entries in counted.values() for e in entries]
    assert view.breakdown is not None
    assert view.breakdown.total == len(everything)
    per = Counter(e.category for e in everything)
    assert {m.category: m.applications for m in view.breakdown.mix} == {c: per[c] for c in LABELS}
    reached = dict(view.breakdown.reached)
    assert reached["offer"] == sum(1 for e in everything if e.furthest == "offer")
    assert reached["interview"] == sum(
        1 for e in everything if e.furthest in ("interview", "offer")
    )
