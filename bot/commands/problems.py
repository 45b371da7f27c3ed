"""/problem, /solved, /leaderboard and the officers' problem commands."""

from __future__ import annotations

from bot.app import Command

COMMANDS: tuple[Command, ...] = ()
