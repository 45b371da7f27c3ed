"""/mockpair and the officers' pairing commands."""

from __future__ import annotations

from bot.app import Command

COMMANDS: tuple[Command, ...] = ()
