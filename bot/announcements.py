"""Pure builders: (club, occasion, data) -> Message. No I/O, so they are easy to test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.app import Run
from bot.club_time import describe, local
from bot.model import Field, Message, clip
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


def officer_digest(club: Club, data: DigestData) -> Message:
    start, end = (local(t, club.timezone).date() for t in (data.week_start, data.week_end))
    ran = [
        f"• {c.key.kind} {c.key.occurrence}: {c.status}" + (f" ({c.error})" if c.error else "")
        for c in data.ran
    ]
    fields = (
        Field(
            name="Members",
            value=f"{data.members} members have used clubbot ({data.new_members} new this week).",
        ),
        Field(name="What ran this week", value=_lines(ran, "Nothing ran this week.")),
        Field(
            name="Needs attention",
            value=_lines([f"• {p}" for p in data.problems], "Nothing looks broken."),
        ),
        Field(
            name="Coming up",
            value=_lines(
                [f"• {r.description}: {describe(r.at, club.timezone)}" for r in data.next_runs],
                "Nothing is scheduled.",
            ),
        ),
    )
    text = f"Week of {start:%a %d %b} to {end:%a %d %b %Y}."
    return Message(
        text=text, title=clip(f"Weekly officer digest · {club.name}", 150), fields=fields
    )


def _lines(lines: Sequence[str], empty: str) -> str:
    return clip("\n".join(lines), 1024) if lines else empty
