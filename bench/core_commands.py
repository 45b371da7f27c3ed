"""What the command benchmark runs: every command a member or officer can run, in the
forms people use, with who runs it and what makes every sample do the same work.

A state-changing sample has a `prepare` (untimed, before the sample: e.g. delete the
subscription it will add) or an `undo` (untimed, after it), so the 300th sample does what
the first did. tests/ops/test_bench_commands.py fails when a command of
`bot.runtime.COMMANDS` has no sample here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, Protocol
from uuid import uuid4

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.core_population import (
    APPLICANTS,
    APPLIED_EACH,
    NOW,
    club_zone,
    iso_week,
    local_today,
    member_id,
    monday,
)
from bench.core_population import _deadlines as population_deadlines
from bench.core_population import _settings as population_settings
from bot.applications.store import ApplicantRow, ApplicationRow
from bot.model import Message
from bot.pairing.store import FeedbackRow, GroupRow, PairingMemberRow, RoundRow
from bot.postings.store import PostingFollowRow
from bot.problems.store import ProblemPostRow, SolveRow
from bot.store.models import ClaimRow, ClubRow, ClubSettingRow, MemberRow, OfficerRow
from bot.web.store import CLUB_FEED, FeedTokenRow, PageHiddenRow
from bot.windows.store import ClubDeadlineRow, DeadlineChanges, DeadlineStore, MuteRow

# Who runs a sample: any member; an officer on the club's list (not a workspace admin); a
# workspace admin; a member in this week's pairing round with a partner; a member who
# never opted in to pairing; a member subscribed to deadline alerts; an applicant: a
# member tracking applications (24 of this season's, numbered 1..24); a member who has
# recorded none.
Who = Literal[
    "member", "officer", "admin", "partnered", "unpaired", "subscriber", "applicant", "unapplied"
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Pick:
    club: int
    member: int

    @property
    def user_id(self) -> str:
        return member_id(self.member)


class Bench(Protocol):
    """What a hook may use: the database and the bot, untimed."""

    engine: AsyncEngine

    def deadlines(self) -> DeadlineStore: ...

    async def run(self, pick: Pick, command: str, args: Mapping[str, str]) -> Message: ...

    async def partner(self, pick: Pick) -> str | None: ...


# A hook returns arguments to add to the sample's own (e.g. the id of a deadline it made).
Hook = Callable[[Bench, Pick], Awaitable[Mapping[str, str] | None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    command: str
    expect: str  # the answer (title, text or a field) must contain this
    args: Mapping[str, str] = field(default_factory=dict)
    form: str = ""  # what the label adds, e.g. "first request in the club"
    who: Who = "member"
    # Each sample by a member who has not run this form yet (their state changes).
    fresh: bool = False
    prepare: Hook | None = None
    undo: Hook | None = None

    @property
    def label(self) -> str:
        shown = [f'{k}:"{v}"' if " " in v else f"{k}:{v}" for k, v in self.args.items()]
        return " ".join([f"/{self.command}", *shown]) + (f" ({self.form})" if self.form else "")


async def _sql(bench: Bench, *statements: Any) -> None:
    async with bench.engine.begin() as connection:
        for statement in statements:
            await connection.execute(statement)


async def _scalar(bench: Bench, statement: Any) -> Any:
    async with bench.engine.connect() as connection:
        return (await connection.execute(statement)).scalar()


def _running(command: str, args: Mapping[str, str]) -> Hook:
    """A hook that runs another command as the same member (e.g. unsubscribe after subscribe)."""

    async def hook(bench: Bench, pick: Pick) -> None:
        await bench.run(pick, command, args)

    return hook


def _settings_back(*keys: str) -> Hook:
    """Put the club's settings `keys` back as the population left them."""

    async def hook(bench: Bench, pick: Pick) -> None:
        mine = ClubSettingRow.club_id == pick.club
        kept = [r for r in population_settings(pick.club) if r["key"] in keys]
        statements: list[Any] = [delete(ClubSettingRow).where(mine, ClubSettingRow.key.in_(keys))]
        if kept:
            statements.append(insert(ClubSettingRow).values(kept))
        statements.append(_bump(pick.club))
        await _sql(bench, *statements)

    return hook


def _bump(club: int) -> Any:
    return (
        update(ClubRow).where(ClubRow.id == club).values(config_version=ClubRow.config_version + 1)
    )


# --- hooks -----------------------------------------------------------------------------


async def _seen_two_hours_ago(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        update(MemberRow)
        .where(MemberRow.club_id == pick.club, MemberRow.user_id == pick.user_id)
        .values(last_seen_at=NOW - timedelta(hours=2)),
    )


async def _setup_back(bench: Bench, pick: Pick) -> None:
    await bench.run(pick, "admin setup", {"timezone": club_zone(pick.club), "alerts": "#officers"})


async def _not_officer(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(OfficerRow).where(OfficerRow.club_id == pick.club, OfficerRow.user_id == "U150"),
        _bump(pick.club),
    )


async def _unmute(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(MuteRow).where(
            MuteRow.club_id == pick.club,
            MuteRow.user_id == pick.user_id,
            MuteRow.window_key.in_(("google-intern:2027", "nvidia-intern:2027")),
        ),
    )


async def _unapply(bench: Bench, pick: Pick) -> None:
    """Back to the population: the application a /applied sample recorded (numbered after
    the population's), and a first-timer's settings row."""
    mine = and_(ApplicationRow.club_id == pick.club, ApplicationRow.user_id == pick.user_id)
    if pick.member in APPLICANTS:
        await _sql(bench, delete(ApplicationRow).where(mine, ApplicationRow.number > APPLIED_EACH))
        return
    theirs = and_(ApplicantRow.club_id == pick.club, ApplicantRow.user_id == pick.user_id)
    await _sql(bench, delete(ApplicationRow).where(mine), delete(ApplicantRow).where(theirs))


async def _unmute_unapply(bench: Bench, pick: Pick) -> None:
    """`/alerts applied` mutes the window and records the application."""
    await _unmute(bench, pick)
    await _unapply(bench, pick)


async def _third_back(bench: Bench, pick: Pick) -> None:
    """Application #3 as the population left it (the sample moved it to interview)."""
    mine = and_(
        ApplicationRow.club_id == pick.club,
        ApplicationRow.user_id == pick.user_id,
        ApplicationRow.number == 3,
    )
    await _sql(bench, update(ApplicationRow).where(mine).values(stage="assessment"))


async def _drop_career_fair(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(ClubDeadlineRow).where(
            ClubDeadlineRow.club_id == pick.club, ClubDeadlineRow.title == "Career fair"
        ),
    )


def _sixth(pick: Pick) -> Any:
    return and_(ClubDeadlineRow.club_id == pick.club, ClubDeadlineRow.title == "Club event 6")


async def _sixth_deadline(bench: Bench, pick: Pick) -> Mapping[str, str]:
    found = await _scalar(bench, select(ClubDeadlineRow.id).where(_sixth(pick)))
    return {"id": str(found)}


async def _sixth_back(bench: Bench, pick: Pick) -> None:
    first = population_deadlines(pick.club)[5]
    await _sql(
        bench,
        update(ClubDeadlineRow)
        .where(ClubDeadlineRow.club_id == pick.club, ClubDeadlineRow.title == "Moved fair")
        .values(title=first["title"], opens_on=first["opens_on"], closes_on=first["closes_on"]),
    )


async def _a_deadline_to_remove(bench: Bench, pick: Pick) -> Mapping[str, str]:
    made = await bench.deadlines().add(
        pick.club,
        DeadlineChanges(title="Mock night", closes_on=local_today(pick.club) + timedelta(days=9)),
        actor=_actor(),
        now=NOW,
    )
    return {"id": str(made.id)}


def _actor() -> Any:
    from bot.store.clubs import Actor

    return Actor(id="U1", name="member 1")


async def _today_problem(bench: Bench, pick: Pick) -> str:
    day = local_today(pick.club)
    return str(
        await _scalar(
            bench,
            select(ProblemPostRow.problem_id).where(
                ProblemPostRow.club_id == pick.club, ProblemPostRow.day == day
            ),
        )
    )


async def _unsolve(bench: Bench, pick: Pick, problem_id: str) -> None:
    await _sql(
        bench,
        delete(SolveRow).where(
            SolveRow.club_id == pick.club,
            SolveRow.user_id == pick.user_id,
            SolveRow.problem_id == problem_id,
        ),
    )


async def _unsolve_today(bench: Bench, pick: Pick) -> None:
    await _unsolve(bench, pick, await _today_problem(bench, pick))


async def _solve_today(bench: Bench, pick: Pick) -> None:
    await bench.run(pick, "solved", {})


async def _unsolved_old_problem(bench: Bench, pick: Pick) -> Mapping[str, str]:
    """A problem the club posted 90 days ago, not yet solved by the member."""
    day = local_today(pick.club) - timedelta(days=90)
    problem_id = str(
        await _scalar(
            bench,
            select(ProblemPostRow.problem_id).where(
                ProblemPostRow.club_id == pick.club, ProblemPostRow.day == day
            ),
        )
    )
    await _unsolve(bench, pick, problem_id)
    return {"problem": problem_id}


def _todays_daily(pick: Pick) -> Any:
    return and_(
        ClaimRow.club_id == pick.club,
        ClaimRow.kind == "daily_problem",
        ClaimRow.occurrence == local_today(pick.club).isoformat(),
    )


async def _daily_not_posted(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(ClaimRow).where(_todays_daily(pick)),
        delete(ProblemPostRow).where(
            ProblemPostRow.club_id == pick.club, ProblemPostRow.day == local_today(pick.club)
        ),
    )


async def _daily_unclaimed(bench: Bench, pick: Pick) -> None:
    await _sql(bench, delete(ClaimRow).where(_todays_daily(pick)))


async def _daily_posted(bench: Bench, pick: Pick) -> None:
    await _sql(bench, update(ClaimRow).where(_todays_daily(pick)).values(status="posted"))


async def _drop_pairing_member(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(PairingMemberRow).where(
            PairingMemberRow.club_id == pick.club, PairingMemberRow.user_id == pick.user_id
        ),
    )


def _pairing_member(pick: Pick) -> Any:
    return and_(PairingMemberRow.club_id == pick.club, PairingMemberRow.user_id == pick.user_id)


async def _active_again(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        update(PairingMemberRow).where(_pairing_member(pick)).values(active=True, skip_until=None),
    )


async def _availability_back(bench: Bench, pick: Pick) -> None:
    from bench.core_population import _pairing_members

    row = next(r for r in _pairing_members(pick.club) if r["user_id"] == pick.user_id)
    await _sql(
        bench,
        update(PairingMemberRow)
        .where(_pairing_member(pick))
        .values(availability=row["availability"], timezone=row["timezone"], level=row["level"]),
    )


async def _this_round(bench: Bench, pick: Pick) -> int:
    return int(
        await _scalar(
            bench,
            select(RoundRow.id).where(
                RoundRow.club_id == pick.club, RoundRow.week_of == monday(pick.club)
            ),
        )
    )


async def _feedback_not_given(bench: Bench, pick: Pick) -> Mapping[str, str]:
    partner = await bench.partner(pick)
    assert partner is not None, "a partnered member has a partner"
    round_id = await _this_round(bench, pick)
    groups = select(GroupRow.id).where(GroupRow.round_id == round_id)
    await _sql(
        bench,
        delete(FeedbackRow).where(
            FeedbackRow.group_id.in_(groups), FeedbackRow.from_user == pick.user_id
        ),
    )
    return {"partner": f"<@{partner}>"}


@dataclass
class _RoundCopy:
    groups: list[tuple[int, str, int | None]]
    partner: str


_copies: dict[Pick, _RoundCopy] = {}


async def _no_show_prepared(bench: Bench, pick: Pick) -> Mapping[str, str]:
    """The feedback's own preparation, and a copy of this week's groups: a no-show re-pairs
    the member, which the undo takes back."""
    args = await _feedback_not_given(bench, pick)
    round_id = await _this_round(bench, pick)
    async with bench.engine.connect() as connection:
        rows = await connection.execute(
            select(GroupRow.id, GroupRow.members, GroupRow.slot).where(
                GroupRow.round_id == round_id
            )
        )
        _copies[pick] = _RoundCopy(
            groups=[(r[0], r[1], r[2]) for r in rows], partner=args["partner"][2:-1]
        )
    return args


async def _no_show_back(bench: Bench, pick: Pick) -> None:
    copy = _copies.pop(pick)
    round_id = await _this_round(bench, pick)
    kept = [g[0] for g in copy.groups]
    statements: list[Any] = [
        delete(FeedbackRow).where(
            FeedbackRow.club_id == pick.club, FeedbackRow.from_user == pick.user_id
        ),
        delete(GroupRow).where(GroupRow.round_id == round_id, GroupRow.id.not_in(kept)),
        update(PairingMemberRow)
        .where(PairingMemberRow.club_id == pick.club, PairingMemberRow.user_id == copy.partner)
        .values(no_shows=PairingMemberRow.no_shows - 1),
    ]
    statements += [
        update(GroupRow).where(GroupRow.id == i).values(members=members, slot=slot)
        for i, members, slot in copy.groups
    ]
    await _sql(bench, *statements)


async def _round_not_run(bench: Bench, pick: Pick) -> None:
    """This week's round out of the way, and its claims gone. The round is moved a year
    back rather than deleted: deleting it cascades to its question packs and feedback,
    whose `group_id` has no index (a scan of every pack, seconds on the big database)."""
    week = iso_week(monday(pick.club))
    await _sql(
        bench,
        update(RoundRow)
        .where(RoundRow.club_id == pick.club, RoundRow.occurrence == week)
        .values(
            occurrence=f"{week}-moved-{uuid4().hex[:8]}",
            week_of=monday(pick.club) - timedelta(weeks=52),
        ),
        delete(ClaimRow).where(
            ClaimRow.club_id == pick.club,
            ClaimRow.kind.in_(("mockpair_round", "mockpair_round:dm")),
            ClaimRow.occurrence.startswith(week),
        ),
    )


async def _unfollow_lyft(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(PostingFollowRow).where(
            PostingFollowRow.club_id == pick.club,
            PostingFollowRow.user_id == pick.user_id,
            PostingFollowRow.company_key == "lyft",
        ),
    )


async def _follow_lyft(bench: Bench, pick: Pick) -> None:
    await _unfollow_lyft(bench, pick)
    row = {"club_id": pick.club, "user_id": pick.user_id, "company_key": "lyft", "company": "Lyft"}
    await _sql(bench, insert(PostingFollowRow).values(row))


async def _shown(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(PageHiddenRow).where(
            PageHiddenRow.club_id == pick.club, PageHiddenRow.user_id == pick.user_id
        ),
    )


async def _no_feed_links(bench: Bench, pick: Pick) -> None:
    await _sql(
        bench,
        delete(FeedTokenRow).where(
            FeedTokenRow.club_id == pick.club,
            FeedTokenRow.user_id.in_((CLUB_FEED, pick.user_id)),
        ),
    )


# --- the samples -----------------------------------------------------------------------

_FAIR = {"title": "Career fair", "date": "2026-12-03", "url": "https://example.org/fair"}
_JOIN = {"track": "coding", "level": "3", "availability": "mon-thu 7pm-10pm, sun 14-17"}
_POSTINGS_FILTER = {
    "enabled": "yes",
    "categories": "software,data",
    "locations": "new york, remote",
}

SAMPLES: tuple[Sample, ...] = (
    # /help
    Sample(command="help", expect="What you can run"),
    Sample(command="help", expect="What you can run", who="officer", form="officer"),
    Sample(command="help", args={"command": "admin setup"}, expect="Usage"),
    Sample(
        command="help",
        expect="What you can run",
        form="member's first command in an hour",
        prepare=_seen_two_hours_ago,
    ),
    # /admin setup, officers, status, audit
    Sample(command="admin setup", expect="Time zone", who="officer"),
    Sample(
        command="admin setup",
        args={"timezone": "America/Chicago", "alerts": "#general"},
        expect="Saved.",
        who="officer",
        undo=_setup_back,
    ),
    Sample(
        command="admin officers add",
        args={"member": "<@U150>"},
        expect="is now an officer",
        who="officer",
        prepare=_not_officer,
    ),
    Sample(
        command="admin officers remove",
        args={"member": "<@U150>"},
        expect="no longer an officer",
        who="officer",
        prepare=_running("admin officers add", {"member": "<@U150>"}),
    ),
    Sample(command="admin officers list", expect="since", who="officer"),
    Sample(command="admin status", expect="Club time now", who="officer"),
    Sample(command="admin audit", expect="→", who="officer"),
    # windows
    Sample(command="deadlines", expect="Internship windows"),
    Sample(command="deadlines", args={"when": "all"}, expect="Internship windows"),
    Sample(command="deadlines", args={"track": "quant"}, expect="Internship windows"),
    Sample(command="deadlines", args={"year": "junior"}, expect="Internship windows"),
    Sample(
        command="deadlines",
        args={"track": "big-tech", "year": "sophomore"},
        expect="Internship windows",
    ),
    Sample(command="deadlines", args={"program": "google-intern"}, expect="Who may apply"),
    Sample(command="whatnow", expect="What now?"),
    Sample(command="whatnow", args={"year": "sophomore"}, expect="first- and second-years"),
    Sample(
        command="calendar",
        expect="Calendar subscription",
        form="first request in the club: links made",
        prepare=_no_feed_links,
    ),
    Sample(command="calendar", expect="Calendar subscription", form="links made before"),
    Sample(command="calendar", args={"track": "quant"}, expect="Calendar subscription"),
    Sample(command="calendar", args={"reset": "mine"}, expect="old link no longer works"),
    Sample(
        command="alerts subscribe",
        args={"target": "research-reu"},
        expect="Subscribed to research-reu",
        undo=_running("alerts unsubscribe", {"target": "research-reu"}),
    ),
    Sample(
        command="alerts unsubscribe",
        args={"target": "research-reu"},
        expect="Unsubscribed",
        prepare=_running("alerts subscribe", {"target": "research-reu"}),
    ),
    Sample(command="alerts list", expect="Subscribed to:", who="subscriber"),
    Sample(
        command="alerts applied",
        args={"window": "google-intern"},
        expect="Recorded",
        undo=_unmute_unapply,
    ),
    Sample(
        command="alerts not-interested",
        args={"window": "nvidia-intern"},
        expect="Noted (not interested)",
        undo=_unmute,
    ),
    Sample(
        command="admin deadlines add",
        args=_FAIR,
        expect="Added #",
        who="officer",
        undo=_drop_career_fair,
    ),
    Sample(
        command="admin deadlines edit",
        args={"title": "Moved fair", "date": "2026-12-10"},
        form="id of one of the club's 8",
        expect="Updated #",
        who="officer",
        prepare=_sixth_deadline,
        undo=_sixth_back,
    ),
    Sample(
        command="admin deadlines remove",
        expect="Removed #",
        form="id of a deadline added before",
        who="officer",
        prepare=_a_deadline_to_remove,
    ),
    Sample(command="admin deadlines list", expect="Club event", who="officer"),
    Sample(command="admin deadlines settings", expect="Reminders at", who="officer"),
    Sample(
        command="admin deadlines settings",
        args={"time": "8am", "reminders": "21,7,2"},
        expect="Saved.",
        who="officer",
        undo=_settings_back("deadline_time", "deadline_reminders"),
    ),
    # daily problem
    Sample(command="problem", expect="Solved it?"),
    Sample(command="problem", args={"which": "random"}, expect="A random pick"),
    Sample(
        command="problem",
        args={"which": "random", "difficulty": "medium", "topic": "graphs"},
        expect="A random pick",
    ),
    Sample(
        command="solved",
        expect="Counted:",
        form="today's, first solve",
        fresh=True,
        prepare=_unsolve_today,
    ),
    Sample(
        command="solved",
        expect="it counts once",
        form="today's, already counted",
        prepare=_solve_today,
    ),
    Sample(
        command="solved",
        expect="Counted:",
        form="by id, posted 90 days ago",
        fresh=True,
        prepare=_unsolved_old_problem,
    ),
    Sample(command="progress", expect="Your progress"),
    Sample(command="leaderboard", expect="Leaderboard, since Monday"),
    Sample(command="leaderboard", args={"period": "all"}, expect="Leaderboard, all time"),
    Sample(command="admin problem settings", expect="Current daily-problem", who="officer"),
    Sample(
        command="admin problem settings",
        args={"time": "8am", "days": "weekdays"},
        expect="Saved.",
        who="officer",
        undo=_settings_back("problem_time", "problem_days"),
    ),
    Sample(
        command="admin problem post-now",
        expect="Posted today's problem",
        who="officer",
        prepare=_daily_not_posted,
    ),
    Sample(
        command="admin problem skip",
        expect="Skipped today's problem",
        who="officer",
        prepare=_daily_unclaimed,
        undo=_daily_posted,
    ),
    # mock interviews
    Sample(
        command="mockpair join",
        args=_JOIN,
        expect="You're in.",
        form="a new member",
        who="unpaired",
        fresh=True,
        undo=_drop_pairing_member,
    ),
    Sample(
        command="mockpair join",
        args=_JOIN,
        expect="Updated your details.",
        form="a member changing their hours",
        who="partnered",
        undo=_availability_back,
    ),
    Sample(command="mockpair leave", expect="You've left", who="partnered", undo=_active_again),
    Sample(
        command="mockpair skip",
        args={"weeks": "2"},
        expect="Skipping 2 rounds",
        who="partnered",
        undo=_active_again,
    ),
    Sample(command="mockpair status", expect="with member", who="partnered"),
    Sample(command="mockpair history", expect="Your mock interviews", who="partnered"),
    Sample(
        command="mockpair feedback",
        args={"rating": "4", "notes": "clear, but test the edge cases first"},
        form="about this week's partner",
        expect="Thanks",
        who="partnered",
        prepare=_feedback_not_given,
    ),
    Sample(
        command="mockpair feedback",
        args={"rating": "1", "no-show": "yes"},
        form="about this week's partner",
        expect="didn't show",
        who="partnered",
        prepare=_no_show_prepared,
        undo=_no_show_back,
    ),
    Sample(command="admin mockpair preview", expect="Pairing preview", who="officer"),
    Sample(
        command="admin mockpair run-now",
        expect="This week's round is out",
        form="this week's round not run yet",
        who="officer",
        prepare=_round_not_run,
    ),
    Sample(command="admin mockpair stats", expect="Mock-interview stats", who="officer"),
    Sample(command="admin mockpair settings", expect="Rounds run", who="officer"),
    Sample(
        command="admin mockpair settings",
        args={"day": "tue", "time": "18:00"},
        expect="Saved.",
        who="officer",
        undo=_settings_back("pairing_day", "pairing_time"),
    ),
    # live postings
    Sample(command="postings search", expect="Postings"),
    Sample(command="postings search", args={"query": "software engineer"}, expect="Postings"),
    Sample(
        command="postings search",
        args={"query": "machine learning", "location": "new york"},
        expect="Postings",
    ),
    Sample(
        command="postings search",
        args={"sponsorship": "offers", "company": "Amazon"},
        expect="Postings",
    ),
    Sample(command="postings recent", expect="New this week"),
    Sample(
        command="postings follow",
        args={"company": "Lyft"},
        expect="I'll DM you when Lyft",
        prepare=_unfollow_lyft,
    ),
    Sample(
        command="postings unfollow",
        args={"company": "Lyft"},
        expect="no more DMs",
        prepare=_follow_lyft,
    ),
    Sample(command="admin postings settings", expect="Live postings", who="officer"),
    Sample(
        command="admin postings settings",
        args=_POSTINGS_FILTER,
        expect="Saved.",
        who="officer",
        undo=_settings_back("postings"),
    ),
    Sample(command="admin postings preview", expect="would have been announced", who="officer"),
    Sample(
        command="admin postings preview",
        args={"categories": "quant", "sponsorship": "offers"},
        expect="would have been announced",
        who="officer",
    ),
    # applications
    Sample(
        command="applied",
        args={"company": "Stripe"},
        expect="Recorded",
        who="applicant",
        undo=_unapply,
    ),
    Sample(
        command="applied",
        args={"company": "Stripe"},
        expect="Recorded",
        form="a member's first",
        who="unapplied",
        undo=_unapply,
    ),
    Sample(
        command="applied",
        args={
            "company": "google-intern",
            "role": "Software engineering intern",
            "link": "https://careers.google.com/jobs/results/1234",
            "date": "3 days ago",
        },
        expect="Recorded",
        who="applicant",
        undo=_unapply,
    ),
    Sample(command="applications", expect="Your applications", who="applicant"),
    Sample(command="applications", expect="Your applications", form="none yet", who="unapplied"),
    Sample(
        command="applications",
        args={"id": "3", "stage": "interview"},
        expect="#3",
        who="applicant",
        undo=_third_back,
    ),
    Sample(command="mydata export", expect="", who="applicant"),
    Sample(command="mydata delete", expect="Delete your data?", who="applicant"),
    # web
    Sample(
        command="admin dashboard",
        expect="sign-in link by DM",
        form="a workspace admin",
        who="admin",
        fresh=True,
    ),
    Sample(command="admin page", expect="club page", who="officer"),
    Sample(
        command="admin page",
        args={"enabled": "on"},
        expect="The public club page is on",
        who="officer",
        undo=_settings_back("web_page"),
    ),
    Sample(command="clubpage", expect="page"),
    Sample(
        command="clubpage",
        args={"me": "hide"},
        expect="left off the club page",
        prepare=_shown,
    ),
)
