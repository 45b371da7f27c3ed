"""Application windows: the internship calendar, season advice, the .ics feed, window
posts and reminders, `/deadlines`, `/whatnow`, `/calendar`, `/alerts` and club deadlines."""

from bot.windows.calendar import Occurrence
from bot.windows.commands import COMMANDS
from bot.windows.commands import applied as alerts_applied
from bot.windows.feeds import (
    FEED_END,
    TRACKS,
    MemberWindow,
    closing_soon,
    feed_head,
    member_windows,
    occurrence_ical,
    parse_track,
    reminder_days,
    track_windows,
)
from bot.windows.ics import timed_event
from bot.windows.member_data import MEMBER_DATA
from bot.windows.posts import JOBS, club_feed
from bot.windows.store import APPLIED, DeadlineStore

__all__ = [
    "APPLIED",
    "COMMANDS",
    "FEED_END",
    "JOBS",
    "MEMBER_DATA",
    "TRACKS",
    "DeadlineStore",
    "MemberWindow",
    "Occurrence",
    "alerts_applied",
    "closing_soon",
    "club_feed",
    "feed_head",
    "member_windows",
    "occurrence_ical",
    "parse_track",
    "reminder_days",
    "timed_event",
    "track_windows",
]
