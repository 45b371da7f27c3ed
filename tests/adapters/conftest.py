"""The platform club fixtures (`mock` and `slack` for Slack, `discord_club` for Discord)
for every adapter test module."""

from tests.adapters.discord.test_discord import discord_club
from tests.adapters.slack.test_slack import mock, slack

__all__ = ["discord_club", "mock", "slack"]
