"""The club itself: `/help`, officers' `/admin` commands and the weekly officer digest."""

from bot.club import admin, help
from bot.club.jobs import JOBS, PeopleFacts, jobs

# Help first, then the admin commands: platform listings (Slack's usage hints, Discord's
# subcommand order) then start with setup.
COMMANDS = (*help.COMMANDS, *admin.COMMANDS)

__all__ = ["COMMANDS", "JOBS", "PeopleFacts", "jobs"]
