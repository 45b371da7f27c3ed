"""Application windows: the internship calendar, season advice, the .ics feed, window
posts and reminders, `/deadlines`, `/whatnow`, `/calendar`, `/alerts` and club deadlines."""

from bot.windows.calendar import Occurrence
from bot.windows.commands import COMMANDS
from bot.windows.feeds import (
    TRACKS,
    closing_soon,
    member_windows,
    parse_track,
    track_windows,
    windows_ics,
)
from bot.windows.posts import JOBS, club_feed
from bot.windows.store import DeadlineStore

__all__ = [
    "COMMANDS",
    "JOBS",
    "TRACKS",
    "DeadlineStore",
    "Occurrence",
    "closing_soon",
    "club_feed",
    "member_windows",
    "parse_track",
    "track_windows",
    "windows_ics",
]
