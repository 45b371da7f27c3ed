"""The I applied button any post or DM may carry (a digest's postings, window reminders,
`/deadlines program:`): its one format, made and read here; bot/applications answers the
click. It sits in the core, below the features, because the features that show it (windows,
postings) are the ones the applications read: were it the applications', showing it would
make those features and the applications import each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from bot.model import MAX_BUTTON_LABEL, Button, clip

APPLIED_ACTION: Final = "applied"


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedTo:
    """What a click on the button names: the club it was shown in, and a program (its
    window id) or a posting (its id)."""

    club_id: int
    kind: Literal["program", "posting"]
    what: str


def applied_button(
    club_id: int,
    *,
    program: str | None = None,
    posting: int | None = None,
    label: str = "I applied",
) -> Button:
    """The "I applied" button for a program of the calendar (its window id) or a posting (its
    id), for any post or DM of the club's: a click records the application for whoever
    clicks, as `/applied` would. The value names the club, so a click that reaches the bot
    from a DM is still recorded in the club the button came from. A post with several
    postings names each in its `label` ("I applied: Stripe"), cut to fit."""
    if (program is None) == (posting is None):
        raise ValueError("an I applied button is for one program or one posting")
    what = f"w.{program}" if program is not None else f"p.{posting}"
    return Button(
        label=clip(label, MAX_BUTTON_LABEL), action=APPLIED_ACTION, value=f"{club_id}.{what}"
    )


def applied_to(value: str) -> AppliedTo | None:
    """What a button's value names; None for a value no such button carries."""
    club, kind, what = [*value.split(".", 2), "", ""][:3]
    if not (club.isascii() and club.isdecimal()) or len(club) > 12 or not what:
        return None
    if kind == "w":
        return AppliedTo(club_id=int(club), kind="program", what=what)
    if kind == "p" and what.isascii() and what.isdecimal() and len(what) <= 12:
        return AppliedTo(club_id=int(club), kind="posting", what=what)
    return None
