"""The member's own page (Slack's Home tab): their deadlines and reminders, today's problem
and their streak, this week's pairing in their zone, buttons for the common actions; an
officer also sees the club's status and what needs attention.

It sits beside the composition root because it reads several features, and only through
their commands, as the member would run them: each feature stays on its own.
"""

from __future__ import annotations

from dataclasses import replace

from bot.app import Bot, ButtonAction, Command, Context, is_officer, validate_args
from bot.errors import UserError
from bot.model import Button, CommandEvent, Message, Place, User

# (command, shown to officers only); a command the runtime lacks is left out.
SECTIONS: tuple[tuple[str, bool], ...] = (
    ("deadlines", False),
    ("alerts list", False),
    ("problem", False),
    ("progress", False),
    ("mockpair status", False),
    ("admin status", True),
)
# What the Home tab's buttons run for the member who clicks (answered in their DM).
ACTIONS: tuple[tuple[str, str], ...] = (
    ("Today's problem", "problem"),
    ("I solved it", "solved"),
    ("Leaderboard", "leaderboard"),
    ("My mock interviews", "mockpair history"),
    ("What I can run", "help"),
)
RUN = "run"
_RUNNABLE = frozenset(name for _, name in ACTIONS)


async def home_page(bot: Bot, user: User, place: Place) -> list[Message]:
    """The sections of one member's page, in order; each is what its command answers them."""
    club = await bot.store.clubs.get_or_create(
        platform=place.platform,
        workspace_id=place.workspace_id,
        name=place.workspace_id,
        now=bot.clock.now(),
    )
    officer = is_officer(user, club)
    sections = []
    for name, officers_only in SECTIONS:
        if bot.command(name) is None or (officers_only and not officer):
            continue
        sections.append(await bot.handle(CommandEvent(name=name, args={}, user=user, place=place)))
    sections.append(_actions(bot))
    return sections


def _actions(bot: Bot) -> Message:
    buttons = tuple(
        Button(label=label, action=RUN, value=name)
        for label, name in ACTIONS
        if bot.command(name) is not None
    )
    return Message(
        text="Or type any command, e.g. `/help`.", title="Quick actions", buttons=buttons
    )


async def run_for_member(ctx: Context) -> Message:
    """A Home tab button: run its command, with no options, as the member who clicked."""
    name = ctx.args["value"]
    command: Command | None = next(
        (c for c in ctx.commands if c.name == name and name in _RUNNABLE), None
    )
    if command is None:
        raise UserError("This button no longer does anything. Run /help for what's current.")
    if command.officers_only and not ctx.is_officer:
        raise UserError(f"Only club officers can run /{command.name}.")
    return await command.handler(replace(ctx, args=validate_args(command, {})))


BUTTONS: tuple[ButtonAction, ...] = (ButtonAction(action=RUN, handler=run_for_member),)
