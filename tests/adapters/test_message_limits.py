"""No message the bot builds may fail for its size: every builder is fed oversized content
(very long company names, 140-300 character apply links, hundreds of postings, long
titles, many fields) and what it builds is rendered through the real Discord and Slack
adapters and held to their limits. What does not fit is said, never dropped silently.

The pure builders here; the builders that read the database (commands and scheduled
posts) in test_message_limits_club.py.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Command, Context, Option, Run, explain
from bot.applications import ClubActivity, Season, Sent, club_view, club_view_fields, load_facts
from bot.applications.kinds import CATEGORIES, PROGRESSION, STAGES
from bot.applied import APPLIED_ACTION, AppliedTo, applied_to
from bot.club.digest import DigestData, officer_digest
from bot.club.help import show_help
from bot.model import Field, Message, User, mention
from bot.pairing.rounds import announcement
from bot.pairing.store import Group as PairingGroup
from bot.pairing.store import PairingMember
from bot.postings.listing import Posting
from bot.postings.store import StoredPosting
from bot.postings.texts import digest_message, follow_message, listing
from bot.problems.bank import Problem
from bot.problems.posts import hint_post, problem_post, problem_settings, solution_post
from bot.store.claims import Claim, ClaimKey
from bot.store.clubs import Channel, Club
from bot.windows.alerts import Alert, alert_dm
from bot.windows.calendar import club_occurrence, load_calendar
from tests.adapters.limits import assert_fits

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text as members and lists write it, and worse: markup to escape, emoji, nothing at all.
WORDS = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\ue000\ue001"), max_size=60
)
LONG = st.one_of(
    WORDS,
    st.text(min_size=150, max_size=400),
    st.just("&<>" * 100),
    st.just("🎉" * 300),
)


def _nonempty(text: str, fallback: str) -> str:
    return text if text.strip() else fallback


def url(length: int, serial: int) -> str:
    """An apply link of `length` characters, as Workday and tracking links run."""
    head = f"https://acme.wd5.myworkdayjobs.com/External/job/New-York-NY/{serial}_R"
    return head + "x" * max(length - len(head), 0)


@st.composite
def postings(draw: st.DrawFn, most: int = 300) -> list[StoredPosting]:
    """Up to `most` postings made from a few drawn names, titles, places and link lengths
    (so a draw stays small), as long as the readers let them be."""
    count = draw(st.integers(min_value=0, max_value=most))
    some = st.lists(LONG, min_size=1, max_size=6)
    companies, titles = draw(some), draw(some)
    places = draw(st.lists(st.lists(LONG.map(lambda t: t[:120]), max_size=20), min_size=1))
    lengths = draw(st.lists(st.sampled_from([140, 200, 300, 1000]), min_size=1, max_size=4))
    found = []
    for i in range(count):
        posting = Posting(
            source="SimplifyJobs/Summer2027-Internships",
            ext_id=str(i),
            company=_nonempty(companies[i % len(companies)], "Acme")[:200],
            title=_nonempty(titles[i % len(titles)], "Intern")[:300],
            url=url(lengths[i % len(lengths)], i),
            locations=tuple(t for t in places[i % len(places)] if t.strip()),
            posted_at=NOW - timedelta(hours=i % 80),
            active=i % 7 != 0,
        )
        found.append(StoredPosting(id=i, posting=posting, first_seen_at=NOW, closed_at=None))
    return found


def _links(text: str) -> set[str]:
    return set(re.findall(r"https://\S+", text))


CLUB_ID = 7


def _assert_applied_buttons(message: Message) -> None:
    """An I applied button for each shown posting, in the order shown (its link is the
    posting's, `url(…, id)`), up to 25; past 25 the text says where the others are."""
    shown = re.findall(r"https://\S+/(\d+)_R", "\n".join(f.value for f in message.fields))
    named = [applied_to(b.value) for b in message.buttons if b.action == APPLIED_ACTION]
    assert all(n is not None and n.club_id == CLUB_ID for n in named)
    assert [n.what for n in named if n is not None] == shown[:25]
    assert ("for the others, `/applied`" in message.text) == (len(shown) > 25)


@EXAMPLES
@given(postings())
def test_the_digest_and_the_followers_dm_fit_and_count_what_they_leave_out(found):
    if not found:
        return
    digest = digest_message(found, NOW, club_id=CLUB_ID)
    assert_fits(digest)
    _assert_applied_buttons(digest)
    shown = _links("\n".join(f.value for f in digest.fields))
    hidden = len(found) - len(shown)
    if hidden:
        assert f"{hidden} more: `/postings recent`." in digest.text
    assert shown <= {s.posting.url for s in found}, "a link is never cut"
    dm = follow_message(found, NOW, club_id=CLUB_ID)
    assert_fits(dm)
    _assert_applied_buttons(dm)
    hidden = len(found) - len(_links("\n".join(f.value for f in dm.fields)))
    if hidden:
        assert f"{hidden} more: `/postings search" in dm.text


@settings(EXAMPLES, max_examples=20)
@given(postings(), st.integers(min_value=-3, max_value=40))
def test_every_page_of_a_postings_listing_fits_and_the_pages_hold_them_all(found, page):
    again = '`/postings search query:"{0} }{" page:{page}`'  # what a member typed, braces too
    first = listing(
        found, NOW, club_id=CLUB_ID, title="New this week", empty="None.", page=1, next_page=again
    )
    assert_fits(first)
    _assert_applied_buttons(first)
    big = listing(
        found, NOW, club_id=CLUB_ID, title="x" * 300, empty="None.", page=page, next_page="p"
    )
    assert_fits(big)
    _assert_applied_buttons(big)
    pages = int(m[1]) if (m := re.search(r"Page 1 of (\d+)", first.text)) else 1
    links: set[str] = set()
    for number in range(1, pages + 1):
        each = listing(
            found, NOW, club_id=CLUB_ID, title="t", empty="-", page=number, next_page="p{page}"
        )
        _assert_applied_buttons(each)
        links |= _links("\n".join(f.value for f in each.fields))
    assert links == {s.posting.url for s in found}, "every posting on some page"


CLUB = Club(
    id=1,
    platform="discord",
    workspace_id="w",
    name="n" * 200,
    timezone="America/New_York",
    officer_role_id=None,
    digest_weekday=0,
    digest_time="09:00",
    channels={"alerts": Channel(id="c", name="o" * 100)},
    officer_ids=frozenset(),
)


@EXAMPLES
@given(
    problems=st.lists(LONG, max_size=60),
    kinds=st.lists(LONG.map(lambda t: _nonempty(t, "k")[:100]), max_size=80),
)
def test_the_officer_digest_fits(problems, kinds):
    ran = [
        Claim(
            key=ClaimKey(club_id=1, kind=f"{kind}{i}", occurrence="2026-11-16"),
            status="failed",
            due_at=NOW,
            attempts=1,
            posted_at=None,
            message_ref=None,
            error="e" * 300,
        )
        for i, kind in enumerate(kinds)
    ]
    runs = [Run(kind=f"{k}{i}", description=k * 3, at=NOW) for i, k in enumerate(kinds)]
    data = DigestData(
        week_start=NOW - timedelta(days=7),
        week_end=NOW,
        members=10**9,
        new_members=10**9,
        ran=ran,
        problems=problems,
        next_runs=runs,
        people=_big_club_view(),
    )
    assert_fits(officer_digest(CLUB, data))


def _big_club_view() -> tuple[Field, ...]:
    """The people-facts the digest leads with, as large as they grow: every category and
    stage, a season of weeks, huge counts."""
    sent = [
        Sent(
            category=CATEGORIES[i % len(CATEGORIES)],
            applied_on=date(2026, 9, 1) + timedelta(days=i % 200),
            opened_on=date(2026, 9, 1) if i % 2 else None,
            stage=STAGES[i % len(STAGES)],
            furthest=PROGRESSION[i % len(PROGRESSION)],
        )
        for i in range(2000)
    ]
    activity = ClubActivity(
        solves_per_week=(10**6,) * 8, sessions_held=10**6, no_shows=10**6, members_active=10**6
    )
    view = club_view(
        sent,
        members_counted=10**6,
        season=Season(summer=2027),
        today=date(2027, 3, 1),
        facts=load_facts(),
        activity=activity,
    )
    return club_view_fields(view)


@EXAMPLES
@given(
    title=LONG,
    body=st.text(max_size=9000),
    topics=st.lists(LONG, max_size=40),
    tags=st.booleans(),
)
def test_the_daily_problem_its_hint_and_key_idea_fit(title, body, topics, tags):
    for kind in ("coding", "ml", "sql"):
        problem = Problem(
            id="p",
            kind=kind,  # type: ignore[arg-type]
            title=_nonempty(title, "Two Sum"),
            difficulty="hard",
            topics=tuple(topics),
            hint=_nonempty(body, "h"),
            solution=_nonempty(body, "s"),
            url="https://leetcode.com/problems/" + "x" * 400,
            question=body,
            schema=body,
            rows=body,
            query=body,
        )
        settings_ = replace(problem_settings(CLUB), show_tags=tags)
        assert_fits(problem_post(problem, NOW.date(), settings_, zone_name="Asia/Kolkata"))
        assert_fits(hint_post(problem, None))
        assert_fits(solution_post(problem, None))


@EXAMPLES
@given(titles=st.lists(LONG, min_size=1, max_size=80))
def test_a_reminder_dm_for_many_windows_fits(titles):
    alerts = [
        Alert(
            occurrence=club_occurrence(
                deadline_id=i,
                title=_nonempty(t, "Career fair"),
                track=None,
                opens_on=None,
                closes_on=date(2026, 11, 19),
                url=None,
            ),
            kind="closing",
            on=date(2026, 11, 16),
            days_left=3,
        )
        for i, t in enumerate(titles)
    ]
    assert_fits(alert_dm(alerts, date(2026, 11, 16), club_id=CLUB_ID))


def _command(i: int, description: str, options: int) -> Command:
    async def handler(ctx: Context) -> object:
        raise AssertionError

    return Command(
        name=f"group{i % 3} c{i}",
        description=_nonempty(description, "d")[:100],
        handler=handler,  # type: ignore[arg-type]
        options=tuple(
            Option(name=f"option{n}", description=_nonempty(description, "d")[:100])
            for n in range(options)
        ),
    )


@EXAMPLES
@given(
    descriptions=st.lists(LONG, min_size=1, max_size=150),
    options=st.integers(min_value=0, max_value=25),
)
def test_help_and_a_commands_explanation_fit(descriptions, options):
    commands = [_command(i, d, options) for i, d in enumerate(descriptions)]
    ctx = Context(
        args={},
        user=User(id="u", name="u"),
        place=None,  # type: ignore[arg-type]
        club=CLUB,
        is_officer=True,
        now=NOW,
        store=None,  # type: ignore[arg-type]
        directory=None,  # type: ignore[arg-type]
        schedule=None,  # type: ignore[arg-type]
        commands=commands,
    )
    assert_fits(asyncio.run(show_help(ctx)))
    for name in ("group0", "group1 c1", commands[0].name):
        found = explain(commands, name)
        if found is not None:
            assert_fits(found)


@EXAMPLES
@given(names=st.lists(LONG, min_size=2, max_size=400))
def test_the_pairing_announcement_fits(names):
    members = {
        f"u{i}": PairingMember(
            user_id=f"u{i}",
            name=_nonempty(n, "sam")[:100],
            track="coding",
            level=3,
            role="both",
            availability="daily 9-22",
            timezone="UTC",
        )
        for i, n in enumerate(names)
    }
    ids = list(members)
    groups = [
        PairingGroup(
            id=i,
            round_id=1,
            week_of=NOW.date(),
            ran_at=NOW,
            members=tuple(ids[i : i + 2]),
            slot=None,
            why=mention(ids[i]) * 300,
        )
        for i in range(0, len(ids), 2)
    ]
    assert_fits(announcement(groups, members, NOW.date()))


@settings(EXAMPLES, max_examples=20)
@given(st.integers(min_value=0, max_value=400), st.sampled_from(["opened", "closing", "late"]))
def test_a_reminder_dm_for_many_programs_has_an_i_applied_button_each_that_fits(offset, kind):
    day = date(2026, 7, 1) + timedelta(days=offset)
    programs = [o for o in load_calendar().around(day) if o.window is not None]
    alerts = [Alert(occurrence=o, kind=kind, on=day, days_left=3) for o in programs]
    dm = alert_dm(alerts, day, club_id=CLUB_ID)
    assert_fits(dm)
    ids = list(dict.fromkeys(o.window_id for o in programs))
    named = [applied_to(b.value) for b in dm.buttons]
    assert [(n.club_id, n.kind, n.what) for n in named if n is not None] == [
        (CLUB_ID, "program", i) for i in ids[:25]
    ]
    assert ("for the others, `/applied`" in dm.text) == (len(ids) > 25)


def test_a_reminder_dm_with_more_programs_than_buttons_says_where_the_others_are():
    day = date(2026, 11, 16)
    real = next(o for o in load_calendar().around(day) if o.window is not None)
    # More programs than the calendar holds today: the same window under 30 ids.
    many = [replace(real, key=f"program-{i}:2027") for i in range(30)]
    dm = alert_dm(
        [Alert(occurrence=o, kind="closing", on=day, days_left=3) for o in many],
        day,
        club_id=CLUB_ID,
    )
    assert_fits(dm)
    assert [applied_to(b.value) for b in dm.buttons] == [
        AppliedTo(club_id=CLUB_ID, kind="program", what=f"program-{i}") for i in range(25)
    ]
    assert dm.text.startswith(
        "I applied buttons for the first 25 programs; for the others, `/applied`."
    )
