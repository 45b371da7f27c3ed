"""Pure builders: (club, occasion, data) -> Message. No I/O, so they are easy to test."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.app import Run
from bot.club_time import local, moment
from bot.model import Field, Message, clip, field_lines
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


def _job_name(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


def run_outcome(claim: Claim) -> str:
    """'Officer digest 2026-W48: posted', with the reason when it was not."""
    reason = f" ({claim.error})" if claim.error else ""
    return f"{_job_name(claim.key.kind)} {claim.key.occurrence}: {claim.status}{reason}"


def week_summary(claims: Sequence[Claim]) -> list[str]:
    """One line per job: '• Daily problem: 6 posted, 1 skipped (nothing to post)'."""
    by_kind: dict[str, Counter[str]] = {}
    for claim in claims:
        outcome = claim.status + (f" ({claim.error})" if claim.status != "posted" else "")
        by_kind.setdefault(claim.key.kind, Counter())[outcome] += 1
    return [
        f"• {_job_name(kind)}: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        for kind, counts in by_kind.items()
    ]


def officer_digest(club: Club, data: DigestData) -> Message:
    start, end = (local(t, club.timezone).date() for t in (data.week_start, data.week_end))
    ran = week_summary(data.ran)
    fields = (
        Field(
            name="Members",
            value=f"{data.members} members have used clubbot ({data.new_members} new this week).",
        ),
        Field(name="What ran this week", value=field_lines(ran, "Nothing ran this week.")),
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
    )
    text = f"Week of {start:%a %d %b} to {end:%a %d %b %Y}."
    return Message(
        text=text, title=clip(f"Weekly officer digest · {club.name}", 150), fields=fields
    )
