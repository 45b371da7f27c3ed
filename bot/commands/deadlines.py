"""/deadlines and the officers' deadline commands."""

from __future__ import annotations

from bot.app import Command

COMMANDS: tuple[Command, ...] = ()
