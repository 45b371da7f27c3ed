"""/help: what the asking member may run."""

from __future__ import annotations

from bot.app import Command, Context
from bot.model import Message, field_lines, reply


async def show_help(ctx: Context) -> Message:
    members = [c for c in ctx.commands if not c.officers_only]
    officers = [c for c in ctx.commands if c.officers_only] if ctx.is_officer else []
    lines = [f"`/{c.name}` — {c.description}" for c in (*members, *officers)]
    if not ctx.is_officer:
        lines.append("Officers have /admin commands too.")
    return reply(field_lines(lines, "", limit=3000), title="What you can run")


COMMANDS = (Command(name="help", description="What you can run here", handler=show_help),)
