"""/help: what the asking member may run."""

from __future__ import annotations

from bot.app import Command, Context
from bot.model import Message, clip, reply


async def show_help(ctx: Context) -> Message:
    allowed = [c for c in ctx.commands if ctx.is_officer or not c.officers_only]
    lines = [f"`/{c.name}` — {c.description}" for c in allowed]
    if not ctx.is_officer:
        lines.append("Officers have /admin commands too.")
    return reply(clip("\n".join(lines), 3000), title="What you can run")


COMMANDS = (Command(name="help", description="What you can run here", handler=show_help),)
