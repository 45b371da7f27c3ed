"""Applications: each member's own tracker (`/applied`, `/applications`, the "I applied"
button other features' posts carry), measured against the articles' plan, followed up after
two weeks without news; and the club's aggregates, over counted members only, for officers.

What the rest of the bot may use: `ApplicationStore.counted` with `club_view` and
`club_view_fields` (the officer digest and the dashboard), `ClubActivity` (what they add from
the other features). The I applied button itself is `bot.applied.applied_button`, in the core,
so the windows and postings can show it without importing this package."""

from bot.applications.club_view import (
    MIN_COUNTED,
    Breakdown,
    ClubActivity,
    ClubView,
    club_view,
    club_view_fields,
)
from bot.applications.commands import BUTTONS, COMMANDS, HANDLERS
from bot.applications.facts import load_facts
from bot.applications.follow_ups import JOBS
from bot.applications.kinds import CATEGORY_LABELS
from bot.applications.member_data import MEMBER_DATA
from bot.applications.plan import Season, Sent, season_of
from bot.applications.store import ApplicationStore

__all__ = [
    "BUTTONS",
    "CATEGORY_LABELS",
    "COMMANDS",
    "HANDLERS",
    "JOBS",
    "MEMBER_DATA",
    "MIN_COUNTED",
    "ApplicationStore",
    "Breakdown",
    "ClubActivity",
    "ClubView",
    "Season",
    "Sent",
    "club_view",
    "club_view_fields",
    "load_facts",
    "season_of",
]
