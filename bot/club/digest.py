"""Pure builders: (club, occasion, data) -> Message. No I/O, so they are easy to test."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.app import Run
from bot.club_time import local, moment
from bot.model import Field, Message, field_lines, fit
from bot.store.claims import Claim
from bot.store.clubs import Club


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestData:
    week_start: datetime
    week_end: datetime
    members: int
    new_members: int
    ran: Sequence[Claim]
    problems: Sequence[str]
    next_runs: Sequence[Run]
    # What the club's people did (bot/people.py): the digest leads with it.
    people: Sequence[Field] = ()


def job_names(runs: Sequence[Run]) -> dict[str, str]:
    """Each scheduled job's name as officers read it, by its internal kind."""
    return {r.kind: r.description for r in runs}


def job_name(kind: str, names: Mapping[str, str]) -> str:
    """'Deadline alerts' for `deadline_alerts`, 'Deadline alerts (DMs)' for its DMs."""
    base, _, channel = kind.partition(":")
    name = names.get(base) or base.replace("_", " ").capitalize()
    return f"{name} (DMs)" if channel == "dm" else name


_STATUS = {"posted": "posted", "skipped": "skipped", "failed": "failed", "claimed": "running"}


def _outcome(claim: Claim, *, dm: bool) -> str:
    status = "sent" if dm and claim.status == "posted" else _STATUS.get(claim.status, claim.status)
    return status + (f" ({claim.error})" if claim.error and claim.status != "posted" else "")


def last_runs(claims: Sequence[Claim], names: Mapping[str, str], zone_name: str) -> list[str]:
    """What ran, newest last, in words: 'Daily problem, Mon 16 Nov 09:00: posted'. A job's
    DMs of one day are one line ('Deadline alerts (DMs), Thu 19 Nov: 3 sent, 1 skipped'),
    never one line per member with their ids."""
    lines: dict[tuple[str, str], tuple[str, Counter[str]]] = {}
    for claim in claims:
        dm = claim.key.kind.endswith(":dm")
        when = local(claim.due_at, zone_name)
        day = f"{when:%a %d %b}" if dm else f"{when:%a %d %b %H:%M}"
        key = (claim.key.kind, day if dm else f"{day}:{claim.key.occurrence}")
        head = f"{job_name(claim.key.kind, names)}, {day}"
        lines.setdefault(key, (head, Counter()))[1][_outcome(claim, dm=dm)] += 1
    return [
        f"{head}: "
        + ", ".join(f"{n} {o}" if len(counts) > 1 or n > 1 else o for o, n in counts.items())
        for head, counts in lines.values()
    ]


def week_summary(claims: Sequence[Claim], names: Mapping[str, str]) -> list[str]:
    """One line per job: '• Daily problem: 6 posted, 1 skipped (nothing to post)'."""
    by_kind: dict[str, Counter[str]] = {}
    for claim in claims:
        outcome = _outcome(claim, dm=claim.key.kind.endswith(":dm"))
        by_kind.setdefault(claim.key.kind, Counter())[outcome] += 1
    return [
        f"• {job_name(kind, names)}: " + ", ".join(f"{n} {o}" for o, n in counts.items())
        for kind, counts in by_kind.items()
    ]


def officer_digest(club: Club, data: DigestData) -> Message:
    """The week in people first (the club view and what the club did, when the runtime
    gives them), then members, what needs attention and what comes; which jobs ran last."""
    start, end = (local(t, club.timezone).date() for t in (data.week_start, data.week_end))
    ran = week_summary(data.ran, job_names(data.next_runs))
    fields = (
        *data.people,
        Field(
            name="Members",
            value=f"{data.members} members have used clubbot ({data.new_members} new this week).",
        ),
        Field(
            name="Needs attention",
            value=field_lines([f"• {p}" for p in data.problems], "Nothing looks broken."),
        ),
        Field(
            name="Coming up",
            value=field_lines(
                [f"• {r.description}: {moment(r.at, club.timezone)}" for r in data.next_runs],
                "Nothing is scheduled.",
            ),
        ),
        Field(name="What ran this week", value=field_lines(ran, "Nothing ran this week.")),
    )
    text = f"Week of {start:%a %d %b} to {end:%a %d %b %Y}."
    return fit(text, title=f"Weekly officer digest · {club.name}", fields=fields)
