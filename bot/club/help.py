"""/help: what the asking member may run; `/help admin` or `/help admin setup` explains a
group or one command (the same answer as `/admin help` or `/admin setup help`)."""

from __future__ import annotations

from bot.app import Command, Context, Option, explain
from bot.errors import UserError
from bot.model import MAX_FIELD_VALUE, Field, Message, clip, field_lines, reply


async def show_help(ctx: Context) -> Message:
    asked = ctx.args.get("command", "").strip().removeprefix("/").lower()
    if asked:
        return _explain(ctx, " ".join(asked.split()))
    members = [c for c in ctx.commands if not c.officers_only]
    lines = [f"`/{c.name}` — {c.description}" for c in members]
    lines.append("`/help admin setup` explains one command; `/help mockpair`, a group.")
    if not ctx.is_officer:
        lines.append("Officers have /admin commands too.")
        return reply(field_lines(lines, "", limit=3000), title="What you can run")
    officers = [c for c in ctx.commands if c.officers_only]
    listed = (
        (Field(name="Officer commands (`/help admin` explains them)", value=_by_group(officers)),)
        if officers
        else ()
    )
    return reply(field_lines(lines, "", limit=3000), title="What you can run", fields=listed)


def _by_group(commands: list[Command]) -> str:
    """`/admin setup` · `/admin deadlines` add|edit|remove: every command named, compactly."""
    groups: dict[str, list[str]] = {}
    for command in commands:
        head, _, last = command.name.rpartition(" ")
        if command.name.count(" ") < 2:  # a command of its own, e.g. /admin setup
            groups.setdefault(command.name, [])
        else:
            groups.setdefault(head, []).append(last)
    parts = [f"`/{head}` {'|'.join(subs)}".strip() for head, subs in groups.items()]
    return clip(" · ".join(parts), MAX_FIELD_VALUE)


def _explain(ctx: Context, name: str) -> Message:
    found = explain(ctx.commands, name)
    if found is None:
        raise UserError(f"There is no command /{name[:60]}. Run /help to see what you can use.")
    return found


async def _names(ctx: Context, typed: str) -> list[str]:
    """Commands and groups to explain, as Discord suggests them while `command` is typed."""
    shown = [c.name for c in ctx.commands if ctx.is_officer or not c.officers_only]
    groups = {n.rsplit(" ", 1)[0] for n in shown if " " in n}
    return [n for n in sorted({*shown, *groups}) if typed.lower() in n]


COMMANDS = (
    Command(
        name="help",
        description="What you can run here",
        handler=show_help,
        options=(
            Option(
                name="command",
                description="A command to explain, e.g. admin setup",
                autocomplete=_names,
            ),
        ),
    ),
)
