"""Application windows: the internship calendar, season advice, the .ics feed, window
posts and reminders, `/deadlines`, `/whatnow`, `/calendar`, `/alerts` and club deadlines."""

from bot.windows.commands import COMMANDS
from bot.windows.posts import JOBS, club_feed
from bot.windows.store import DeadlineStore

__all__ = ["COMMANDS", "JOBS", "DeadlineStore", "club_feed"]
