"""The weekly mock-interview round: plan it, hand out question packs, announce it once.

A round is planned from the members who opted in (and aren't skipping this week),
their availability over the seven days after the round goes out, in their own zones,
from the club's notice on (12 hours by default, so no time told is about to pass), the
pairs of past rounds (so the engine can avoid repeats) and how many rounds in a row
each member was left out (so the engine seats them first). Each group is told up to
three times on different days. Question packs go to the interviewer; an interviewee
only answers and gets the topic; no member is asked a question they heard before, nor one
of the club's daily problems of the round's days (`daily_around`).
The round is saved before anything is sent; DMs are claimed per member, so a retried
round never doubles a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot.club_time import local, parse_duration, parse_hhmm, parse_weekday, zone
from bot.errors import UserError
from bot.jobs import Delivery, Job, JobRun, Late, SkipRun, When, occurrence_of
from bot.model import (
    MAX_FIELD_VALUE,
    Field,
    Message,
    clip,
    field_lines,
    fit,
    mention,
    plural,
    stamp,
)
from bot.pairing.hours import (
    SLOT,
    WEEK,
    candidate_slots,
    describe_time,
    first_slot,
    from_slot,
    monday_start,
    parse_availability,
    round_start,
    slot_time,
    week_slots,
)
from bot.pairing.matching import Group as Planned
from bot.pairing.matching import History, Participant, Round, pair_round
from bot.pairing.store import Group, NewGroup, PairingMember, PairingStore
from bot.problems import Problem, ProblemStore, daily_problems_between, load_bank
from bot.store.claims import ClaimKey
from bot.store.clubs import Club
from bot.store.store import Store

ROUND = "mockpair_round"
DEFAULTS = {"pairing_day": "mon", "pairing_time": "10:00", "pairing_notice": "12h"}
MAX_NOTICE = timedelta(days=3)
HISTORY_ROUNDS = 30
FORMAT = (
    "Two 25-minute halves: one of you interviews, then swap roles. "
    "Leave 5 minutes at the end of each half for feedback."
)
ONE_WAY = "One 50-minute interview; leave the last 10 minutes for feedback."
TRIO = "One 25-minute turn per line above; leave 5 minutes at the end of each for feedback."
# The bank has no behavioral questions; these are the project-walkthrough prompts.
BEHAVIORAL = (
    "Walk me through the project you're proudest of: the goal, your part, the result.",
    "Tell me about a model that didn't work. How did you find out, and what did you change?",
    "Describe a technical decision you made and the alternative you rejected. Why?",
    "Tell me about a time you had to learn a new tool or library fast to finish something.",
    "How did you evaluate your project's model, and what baseline did you compare it with?",
    "Tell me about a disagreement in a team project and how it was resolved.",
)
_PACK_SIZE = {"coding": 2, "ml-fundamentals": 3, "ml-system-design": 1}


def week_of(club: Club, instant: datetime) -> date:
    today = local(instant, club.timezone).date()
    return today - timedelta(days=today.weekday())


def scheduled_at(club: Club, monday: date) -> datetime:
    """When the round of the week of `monday` is due, by the club's settings."""
    at = parse_hhmm(club.settings.get("pairing_time", DEFAULTS["pairing_time"]))
    day = parse_weekday(club.settings.get("pairing_day", DEFAULTS["pairing_day"]))
    wall = datetime.combine(monday + timedelta(days=day), at)
    return wall.replace(tzinfo=zone(club.timezone)).astimezone(UTC)


def notice(club: Club) -> timedelta:
    """How long before a group's first time it is told (an officer setting)."""
    return parse_duration(club.settings.get("pairing_notice", DEFAULTS["pairing_notice"]))


async def next_round_at(
    store: Store, club: Club, now: datetime, *, ran: bool | None = None
) -> datetime:
    """When the next round goes out: this week's if it has not run and is still ahead,
    else next week's. `/mockpair status`, `skip`, `join` and the preview all ask here;
    `ran` is whether this week's round has gone out, when the caller read it already.

    A round the scheduler has already taken up (run, or skipped with nobody in) is not
    ahead even at its own minute."""
    monday = week_of(club, now)
    due = scheduled_at(club, monday)
    if due >= now and not ran:
        occurrence = occurrence_of("week", local(due, club.timezone))
        if ran is None:  # gone out or taken up, in one read
            taken = await store.repo(PairingStore).round_taken(club.id, monday, ROUND, occurrence)
        else:
            key = ClaimKey(club_id=club.id, kind=ROUND, occurrence=occurrence)
            taken = await store.claims.get(key) is not None
        if not taken:
            return due
    return scheduled_at(club, monday + timedelta(weeks=1))


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    week_of: date
    start: datetime  # where the round's slots begin: its time, rounded up to the half hour
    round: Round
    members: dict[str, PairingMember]

    def slot_index(self, slots: int) -> int | None:
        """The first of `slots` (counted from `start`) as the group table stores it."""
        first = first_slot(slots)
        if first is None:
            return None
        return (slot_time(self.start, first) - monday_start(self.week_of)) // SLOT

    def candidates(self, group: Planned) -> tuple[int, ...]:
        """Up to three half hours the group shares, on different days in every member's
        zone, each beginning a whole session where one fits; as the group table counts."""
        zones = [self.members[m].timezone for m in group.members if m in self.members]
        length = session_length(len(group.members)) // SLOT
        picked = candidate_slots(group.hours, self.start, zones, length)
        shift = (self.start - monday_start(self.week_of)) // SLOT
        return tuple(shift + index for index in picked)


def session_length(people: int) -> timedelta:
    """A group's session: an hour for two (two halves), 90 minutes for three (three turns)."""
    return SLOT * (2 if people == 2 else 3)


def member_slots(member: PairingMember, start: datetime) -> int:
    """A member's slots in the week from `start`; none when their saved availability no
    longer reads (written before the grammar refused `mon 21-18`)."""
    try:
        return week_slots(parse_availability(member.availability), member.timezone, start)
    except UserError:
        return 0


async def plan_round(store: Store, club: Club, instant: datetime) -> Plan:
    """The round going out at `instant`: only the slots of the seven days ahead count."""
    monday = week_of(club, instant)
    start = round_start(instant)
    ahead = from_slot(start, instant + notice(club))
    members = {
        m.user_id: m
        for m in await store.repo(PairingStore).members(club.id)
        if m.active and (m.skip_until is None or m.skip_until <= monday)
    }
    groups = [
        PastGroup(week_of=week, members=met)
        for week, met in await store.repo(PairingStore).past_groups(
            club.id, limit_rounds=HISTORY_ROUNDS, before=monday
        )
    ]
    waited = rounds_waited(groups)
    # Members who write the same hours in the same zone have the same slots: read once.
    slots: dict[tuple[str, str], int] = {}
    for m in members.values():
        if (m.availability, m.timezone) not in slots:
            slots[m.availability, m.timezone] = member_slots(m, start) & ahead
    participants = [
        Participant(
            id=m.user_id,
            track=m.track,
            level=m.level,
            role=m.role,  # type: ignore[arg-type]
            hours=slots[m.availability, m.timezone],
            priority=1 / (1 + m.no_shows),
            trio_count=m.trio_count,
            waited=waited.get(m.user_id, 0),
        )
        for m in members.values()
    ]
    result = pair_round(participants, past_pairs(groups), seed=f"{club.id}:{monday}")
    return Plan(week_of=monday, start=start, round=result, members=members)


class Met(Protocol):
    """What planning reads of a past group: a `Group`, or a `PastGroup`."""

    @property
    def week_of(self) -> date: ...

    @property
    def members(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PastGroup:
    """A past group as a round is planned from it (`PairingStore.past_groups`)."""

    week_of: date
    members: tuple[str, ...]


def past_pairs(groups: Sequence[Met]) -> History:
    """Every pair of the last rounds -> how many rounds ago (1 = the last one)."""
    weeks = sorted({g.week_of for g in groups}, reverse=True)
    rounds_ago = {week: ago for ago, week in enumerate(weeks, start=1)}
    history: dict[frozenset[str], int] = {}
    for group in groups:
        ago = rounds_ago[group.week_of]
        for a in group.members:
            for b in group.members:
                if a < b:
                    pair = frozenset((a, b))
                    history[pair] = min(ago, history.get(pair, ago))
    return history


def rounds_waited(groups: Sequence[Met]) -> dict[str, int]:
    """Member -> the latest rounds in a row they were in and left out of (a member re-paired
    after a no-show was not left out; a round they sat out ends the count)."""
    by_week: dict[date, list[Met]] = {}
    for group in groups:
        by_week.setdefault(group.week_of, []).append(group)
    waited: dict[str, int] = {}
    counting: set[str] | None = None
    for week in sorted(by_week, reverse=True):
        paired = {m for g in by_week[week] if len(g.members) > 1 for m in g.members}
        alone = {g.members[0] for g in by_week[week] if len(g.members) == 1} - paired
        counting = alone if counting is None else counting & alone
        if not counting:
            break
        for member in counting:
            waited[member] = waited.get(member, 0) + 1
    return waited


async def pack_for(
    store: Store,
    club_id: int,
    member: PairingMember,
    seed: str,
    *,
    given: Collection[str],
    heard: Collection[str] = (),
    daily: Collection[str] = (),
) -> tuple[str, ...]:
    """Questions to ask `member` as interviewee: their track, not solved by them, none
    of `given`, the questions they heard in a session before (asked of them, of a trio
    partner, or by them as interviewer: `PairingStore.questions_heard`), none of `heard`
    (asked of someone else in their session), none of `daily` (the club's daily problems
    around the round: `daily_around`). Their interviewer gets them; they never see them
    in advance."""
    if member.track == "behavioral":
        return ()
    solved = {
        s.problem_id for s in await store.repo(ProblemStore).solves(club_id, user_id=member.user_id)
    }
    pool = [
        p
        for p in _track_pool(member)
        if p.id not in solved and p.id not in given and p.id not in heard and p.id not in daily
    ]
    pool.sort(key=lambda p: hashlib.sha256(f"{seed}|{p.id}".encode()).hexdigest())
    return tuple(p.id for p in pool[: _PACK_SIZE[member.track]])


async def _session_packs(
    run: JobRun,
    group: Sequence[str],
    members: dict[str, PairingMember],
    week_of: date,
    heard_before: dict[str, set[str]],
    daily: Collection[str],
) -> dict[str, tuple[str, ...]]:
    """Each interviewee's pack. A trio meets as one session, where everyone hears every
    question asked: no question goes to two members of the same group."""
    packs: dict[str, tuple[str, ...]] = {}
    heard: set[str] = set()
    for m in interviewed(group, members):
        seed = f"{week_of}|{m}"
        given = heard_before[m]
        packs[m] = await pack_for(
            run.store, run.club.id, members[m], seed, given=given, heard=heard, daily=daily
        )
        heard.update(packs[m])
    return packs


# How far back a pack keeps clear of the club's daily problems.
DAILY_BEFORE = timedelta(days=7)


async def daily_around(store: Store, club: Club, plan: Plan, now: datetime) -> frozenset[str]:
    """The club's daily problems no pack of the round may hold: those posted in the week
    before it and those posted, or due to be, until its seven days are over (club-local
    dates). A pack is read with its model answers by the interviewer when the round goes
    out and asked in a session any day that week, so a daily problem of those days would be
    spoiled for the interviewer (the problem still open, its key idea not out) or met twice
    by the interviewee; one of the week before is still fresh in the channel, its key idea
    a few days old. Older ones are fair game again, like any problem the member hasn't
    solved: the bank is finite and the daily problem comes round again itself."""
    today = local(now, club.timezone).date()
    last = local(plan.start + WEEK, club.timezone).date()
    return await daily_problems_between(store, club, today - DAILY_BEFORE, last, today=today)


def _track_pool(member: PairingMember) -> list[Problem]:
    bank = load_bank()
    if member.track == "coding":
        wanted = "easy" if member.level <= 2 else "medium" if member.level <= 4 else "hard"
        return list(bank.select(kind="coding", difficulty=wanted))
    design = [p for p in bank.select(kind="ml") if "ml-system-design" in p.topics]
    if member.track == "ml-system-design":
        return design
    return [p for p in bank.select(kind="ml") if p not in design]


async def _build_round(run: JobRun) -> Delivery:
    plan = await plan_round(run.store, run.club, run.now)
    if not plan.members:
        raise SkipRun("nobody has joined /mockpair yet")
    repo = run.store.repo(PairingStore)
    asked = [m for g in plan.round.groups for m in interviewed(g.members, plan.members)]
    heard_before = await repo.questions_heard_by(run.club.id, asked)
    daily = await daily_around(run.store, run.club, plan, run.now)
    new_groups = []
    for g in plan.round.groups:
        times = plan.candidates(g)  # the first is the group's slot (calendar feeds show it)
        packs = await _session_packs(
            run, g.members, plan.members, plan.week_of, heard_before, daily
        )
        new_groups.append(
            NewGroup(
                members=g.members,
                slot=times[0] if times else plan.slot_index(g.hours),
                why=g.why,
                packs=packs,
                candidates=times,
            )
        )
    new_groups += [
        NewGroup(members=(u.id,), slot=None, why=f"unpaired: {u.reason}", packs={})
        for u in plan.round.unpaired
    ]
    saved = await repo.save_round(
        run.club.id,
        occurrence=run.occurrence,
        week_of=plan.week_of,
        groups=new_groups,
        now=run.now,
    )
    # As saved: a retried round keeps the packs it was given first.
    given = await repo.packs(run.club.id, [g.id for g in saved])
    refusing = await run.refusing_dms(m for g in saved for m in g.members)
    for group in saved:
        for member_id in group.members:
            message = group_dm(group, member_id, plan.members, given)
            await run.dm(member_id, message, about="pairs", refusing=refusing)
            for answerer, answers in model_answers(group, member_id, plan.members, given):
                # Keyed by the answerer's seat, not their id: a member's erasure must not
                # leave their id in another member's DM record.
                seat = group.members.index(answerer)
                await run.dm(member_id, answers, about=f"answers:{seat}", refusing=refusing)
    return Delivery(purpose="pairing", message=announcement(saved, plan.members, plan.week_of))


def group_slot(group: Group) -> datetime | None:
    """When a group's first common half hour starts."""
    if group.slot is None:
        return None
    return slot_time(monday_start(group.week_of), group.slot)


def group_times(group: Group) -> list[datetime]:
    """The times a group was told: its candidates, or its first slot (older groups)."""
    slots = group.candidates or ((group.slot,) if group.slot is not None else ())
    return [slot_time(monday_start(group.week_of), s) for s in slots]


def told_times(times: Sequence[datetime], zone_name: str) -> str:
    """Times as each platform shows them in the reader's zone, with `zone_name`'s wall
    clock where it can't ('Mon 05 Oct 10:00 EDT')."""
    return "\n".join(f"• {stamp(at, describe_time(at, zone_name))}" for at in times) or "-"


def interviews(group: Sequence[str], members: dict[str, PairingMember]) -> list[tuple[str, str]]:
    """(interviewer, interviewee), one interviewer per interviewee: `interviewer` members
    only ask and `interviewee` members only answer, never ask (when a group has no one to
    answer, as two interviewers, everyone answers; a member nobody can ask, as "both"
    with an interviewee, only asks); the asking is spread evenly, so in a trio of three
    "both" each member asks once and answers once."""
    roles = {m: members[m].role if m in members else "both" for m in group}
    askers = [m for m in group if roles[m] != "interviewee"]
    answerers = [m for m in group if roles[m] != "interviewer"] or list(group)

    def eligible(answerer: str) -> list[str]:
        return [o for o in askers if o != answerer]

    load = dict.fromkeys(group, 0)
    halves = []
    for answerer in sorted(answerers, key=lambda a: (len(eligible(a)), group.index(a))):
        if eligible(answerer):
            asker = min(eligible(answerer), key=lambda o: (load[o], group.index(o)))
            load[asker] += 1
            halves.append((asker, answerer))
    return sorted(halves, key=lambda half: group.index(half[1]))


def interviewed(group: Sequence[str], members: dict[str, PairingMember]) -> list[str]:
    return [answerer for _, answerer in interviews(group, members)]


AFTER_THE_SESSION = (
    "After the session: `/mockpair feedback partner:@name rating:1-5`; if your partner "
    "doesn't show, `/mockpair feedback partner:@name no-show:yes` and I'll look for "
    "someone free."
)


Packs = Mapping[tuple[int, str], Sequence[str]]  # (group id, interviewee) -> problem ids


def group_dm(
    group: Group, member_id: str, members: dict[str, PairingMember], packs: Packs
) -> Message:
    me = members[member_id]
    if len(group.members) == 1:
        reason = group.why.removeprefix("unpaired: ")
        return Message(
            title=f"No mock-interview partner this week ({group.week_of:%d %b})",
            text=f"I couldn't pair you this round: {reason}.",
        )

    def name(user_id: str) -> str:
        return members[user_id].name if user_id in members else user_id

    others = [m for m in group.members if m != member_id]
    # Partners as mentions (clickable, never pinging in a DM); names where mentions don't render.
    everyone = "both" if len(others) == 1 else "all"
    halves = interviews(group.members, members)
    fields = [
        Field(name="Partner" + ("s" if len(others) > 1 else ""), value=_names(others, mention)),
        Field(name=f"Times you {everyone} have", value=told_times(group_times(group), me.timezone)),
        Field(name="Who interviews whom", value=_turns(halves, member_id, mention)),
        Field(name="Format", value=_format(len(group.members), len(halves))),
    ]
    for asker, answerer in halves:
        if asker == member_id:
            questions = _questions(group, members[answerer], packs)
            fields.append(Field(name=f"Questions to ask {name(answerer)}"[:256], value=questions))
    if any(answerer == member_id for _, answerer in halves):
        askers = _names([a for a, b in halves if b == member_id], mention)
        fields.append(
            Field(
                name="When you're interviewed",
                value=f"Topic: {_topic(me)}. {askers} has the questions; "
                "you'll hear them in the session, as in a real interview.",
            )
        )
    if group.why:
        reason = "Why a trio" if len(group.members) > 2 else "Why the same partner"
        fields.append(Field(name=reason, value=clip(group.why, MAX_FIELD_VALUE)))
    return fit(
        f"Say hi to {_names(others, mention)} now and pick one of the times below: each "
        f"starts a half hour you {everyone} have, on a different day. {AFTER_THE_SESSION}",
        title=f"Your mock interview this week ({group.week_of:%d %b})",
        fields=fields,
    )


def _format(people: int, halves: int) -> str:
    if halves == 1:
        return ONE_WAY
    return FORMAT if people == 2 else TRIO


def _names(user_ids: Sequence[str], name: Callable[[str], str]) -> str:
    names = [name(u) for u in user_ids]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _turns(halves: Sequence[tuple[str, str]], me: str, name: Callable[[str], str]) -> str:
    lines = [
        f"You interview {name(b)}." if a == me else f"{name(a)} interviews you."
        for a, b in halves
        if me in (a, b)
    ]
    lines += [f"{name(a)} interviews {name(b)}." for a, b in halves if me not in (a, b)]
    return "\n".join(lines)


def _topic(member: PairingMember) -> str:
    if member.track == "coding":
        wanted = "easy" if member.level <= 2 else "medium" if member.level <= 4 else "hard"
        return f"coding, {wanted} problems"
    if member.track == "behavioral":
        return "behavioral: your projects and how you work with others"
    return member.track.replace("-", " ")


def _questions(group: Group, answerer: PairingMember, packs: Packs) -> str:
    """What the interviewer asks: each question with its link and the key idea to steer by."""
    if answerer.track == "behavioral":
        start = group.id % len(BEHAVIORAL)
        prompts = [BEHAVIORAL[(start + i) % len(BEHAVIORAL)] for i in range(2)]
        return field_lines([f"• {p}" for p in prompts], "")
    pack = packs.get((group.id, answerer.user_id), ())
    return field_lines([_question(p) for p in pack], "No fresh questions left in the bank.")


def _question(problem_id: str) -> str:
    problem = load_bank().by_id(problem_id)
    if problem is None:
        return problem_id
    ask = problem.url or clip(problem.question, 200)
    return (
        f"• {problem.title}"
        + (f": {ask}" if ask else "")
        + ("\n  Steer by: its model answer, whole, in my next message" if problem.solution else "")
    )


def model_answers(
    group: Group, asker: str, members: dict[str, PairingMember], packs: Packs
) -> list[tuple[str, Message]]:
    """For the interviewer, one message per member they ask: each question's model answer,
    whole (a DM field holds the longest in the bank)."""
    found: list[tuple[str, Message]] = []
    if len(group.members) < 2:  # unpaired: nobody to ask
        return found
    for a, answerer in interviews(group.members, members):
        if a != asker or answerer not in members or members[answerer].track == "behavioral":
            continue
        pack = packs.get((group.id, answerer), ())
        problems = [p for p in map(load_bank().by_id, pack) if p is not None and p.solution]
        if problems:
            fields = tuple(
                Field(name=clip(p.title, 256), value=clip(p.solution, MAX_FIELD_VALUE))
                for p in problems
            )
            name = members[answerer].name
            found.append(
                (
                    answerer,
                    Message(
                        title=clip(f"Model answers for the questions you ask {name}", 150),
                        text="For you as the interviewer, to steer by: keep them to yourself "
                        "until the session is over.",
                        fields=fields,
                    ),
                )
            )
    return found


def announcement(
    groups: Sequence[Group], members: dict[str, PairingMember], monday: date
) -> Message:
    def name(user_id: str) -> str:
        return members[user_id].name if user_id in members else user_id

    pairs = [
        f"• {' + '.join(name(m) for m in g.members)} ({members[g.members[0]].track})"
        for g in groups
        if len(g.members) > 1 and g.members[0] in members
    ]
    alone = len([g for g in groups if len(g.members) == 1])
    text = "Check your DMs for your partner, times you share and who interviews whom."
    if alone:
        told = "was" if alone == 1 else "were"
        text += f" {plural(alone, 'member')} couldn't be paired this week and {told} told why."
    return Message(
        title=f"Mock-interview pairs · week of {monday:%d %b}",
        text=text,
        fields=(Field(name="Pairs", value=field_lines(pairs, "Nobody could be paired.")),),
    )


def _when(club: Club) -> When | None:
    if "pairing" not in club.channels:
        return None
    at = parse_hhmm(club.settings.get("pairing_time", DEFAULTS["pairing_time"]))
    day = parse_weekday(club.settings.get("pairing_day", DEFAULTS["pairing_day"]))
    return When(hour=at.hour, minute=at.minute, day_of_week=day)


JOBS: tuple[Job, ...] = (
    Job(
        kind=ROUND,
        description="Mock-interview pairing",
        period="week",
        when=_when,
        build=_build_round,
        # Pairs need days left to meet, and the round belongs to its week.
        late=Late(at_most=timedelta(days=3), same_period=True),
    ),
)
