"""The weekly mock-interview round: plan it, hand out question packs, announce it once.

A round is planned from the members who opted in (and aren't skipping this week),
their availability for that very week in their own zones, and the pairs of past
rounds (so the engine can avoid repeats). The round is saved before anything is
sent; DMs are claimed per member, so a retried round never doubles a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.club_time import local, parse_hhmm, parse_weekday
from bot.jobs import Delivery, Job, JobRun, SkipRun, When
from bot.model import Field, Message, field_lines
from bot.pairing.hours import describe_hour, first_hour, parse_week
from bot.pairing.matching import History, Participant, Round, pair_round
from bot.pairing.store import Group, NewGroup, PairingMember, PairingStore
from bot.problems import Problem, ProblemStore, load_bank
from bot.store.clubs import Club
from bot.store.store import Store

ROUND = "mockpair_round"
DEFAULTS = {"pairing_day": "mon", "pairing_time": "10:00"}
HISTORY_ROUNDS = 30
FORMAT = (
    "Two 25-minute halves: one of you interviews, then swap roles. "
    "Leave 5 minutes at the end of each half for feedback."
)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    week_of: date
    round: Round
    members: dict[str, PairingMember]


async def plan_round(store: Store, club: Club, instant: datetime) -> Plan:
    monday = week_of(club, instant)
    members = {
        m.user_id: m
        for m in await store.repo(PairingStore).members(club.id)
        if m.active and (m.skip_until is None or m.skip_until <= monday)
    }
    participants = [
        Participant(
            id=m.user_id,
            track=m.track,
            level=m.level,
            role=m.role,  # type: ignore[arg-type]
            hours=parse_week(m.availability, m.timezone, monday),
            priority=1 / (1 + m.no_shows),
            trio_count=m.trio_count,
        )
        for m in members.values()
    ]
    history = await past_pairs(store, club.id, before=monday)
    result = pair_round(participants, history, seed=f"{club.id}:{monday}")
    return Plan(week_of=monday, round=result, members=members)


async def past_pairs(store: Store, club_id: int, *, before: date) -> History:
    """Every pair of the last rounds -> how many rounds ago (1 = the last one)."""
    groups = [
        g
        for g in await store.repo(PairingStore).groups(club_id, limit_rounds=HISTORY_ROUNDS)
        if g.week_of < before
    ]
    weeks = sorted({g.week_of for g in groups}, reverse=True)
    history: dict[frozenset[str], int] = {}
    for group in groups:
        ago = weeks.index(group.week_of) + 1
        for a in group.members:
            for b in group.members:
                if a < b:
                    pair = frozenset((a, b))
                    history[pair] = min(ago, history.get(pair, ago))
    return history


async def pack_for(store: Store, club_id: int, member: PairingMember, seed: str) -> tuple[str, ...]:
    """Questions for `member` as interviewee: their track, not solved, never given before."""
    if member.track == "behavioral":
        return ()
    solved = {
        s.problem_id for s in await store.repo(ProblemStore).solves(club_id, user_id=member.user_id)
    }
    given = await store.repo(PairingStore).packs_given(club_id, member.user_id)
    pool = [p for p in _track_pool(member) if p.id not in solved | given]
    pool.sort(key=lambda p: hashlib.sha256(f"{seed}|{p.id}".encode()).hexdigest())
    return tuple(p.id for p in pool[: _PACK_SIZE[member.track]])


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
    plan = await plan_round(run.store, run.club, run.due_at)
    if not plan.members:
        raise SkipRun("nobody has joined /mockpair yet")
    new_groups = [
        NewGroup(
            members=g.members,
            slot=first_hour(g.hours),
            why=g.why,
            packs={
                m: await pack_for(run.store, run.club.id, plan.members[m], f"{plan.week_of}|{m}")
                for m in g.members
                if plan.members[m].role in ("interviewee", "both")
            },
        )
        for g in plan.round.groups
    ]
    new_groups += [
        NewGroup(members=(u.id,), slot=None, why=f"unpaired: {u.reason}", packs={})
        for u in plan.round.unpaired
    ]
    saved = await run.store.repo(PairingStore).save_round(
        run.club.id,
        occurrence=run.occurrence,
        week_of=plan.week_of,
        groups=new_groups,
        now=run.now,
    )
    for group in saved:
        for member_id in group.members:
            message = await group_dm(run.store, run.club.id, group, member_id, plan.members)
            await run.dm(member_id, message, about="pairs")
    return Delivery(purpose="pairing", message=announcement(saved, plan.members, plan.week_of))


async def group_dm(
    store: Store, club_id: int, group: Group, member_id: str, members: dict[str, PairingMember]
) -> Message:
    me = members[member_id]
    if len(group.members) == 1:
        reason = group.why.removeprefix("unpaired: ")
        return Message(
            title=f"No mock-interview partner this week ({group.week_of:%d %b})",
            text=f"I couldn't pair you this round: {reason}.",
        )
    others = [members[m].name if m in members else m for m in group.members if m != member_id]
    slot = describe_hour(group.slot, group.week_of, me.timezone) if group.slot is not None else "-"
    pack = await store.repo(PairingStore).pack(club_id, group.id, member_id)
    questions = [_question(p) for p in pack] or (
        list(BEHAVIORAL[:2]) if me.track == "behavioral" else []
    )
    fields = [
        Field(name="Partner" + ("s" if len(others) > 1 else ""), value=", ".join(others)),
        Field(name="First common slot (your time)", value=slot),
        Field(name="Format", value=FORMAT),
    ]
    if questions:
        fields.append(
            Field(name="Your question pack (as interviewee)", value=field_lines(questions, ""))
        )
    if group.why:
        fields.append(Field(name="Why a trio", value=group.why))
    return Message(
        title=f"Your mock interview this week ({group.week_of:%d %b})",
        text="After the session: `/mockpair feedback partner:@name rating:1-5`. "
        "If your partner doesn't show, add `no-show:yes` and I'll look for someone free.",
        fields=tuple(fields),
    )


def _question(problem_id: str) -> str:
    problem = load_bank().by_id(problem_id)
    if problem is None:
        return problem_id
    return f"• {problem.title}" + (f": {problem.url}" if problem.url else "")


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
    text = "Check your DMs for your partner, a time that suits you both and your question pack."
    if alone:
        text += f" {alone} member(s) couldn't be paired this week and were told why."
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
    ),
)
