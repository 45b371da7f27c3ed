"""Recording an application: one path for `/applied` and the "I applied" button that other
features' posts carry (bot/applied.py), so both place it in a category, mark a
program's window as applied, and tell a member once that they are counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from bot.app import Context
from bot.applications import links
from bot.applications.cards import COUNTING, card
from bot.applications.kinds import Category
from bot.applications.links import Target
from bot.applications.plan import season_of
from bot.applications.store import Application, ApplicationStore, NewApplication
from bot.applied import applied_to
from bot.club_time import local
from bot.errors import UserError
from bot.model import Message
from bot.store.clubs import Actor, ClubChanges

# Set on a club at its first application: the daily follow-up job runs from then on.
FOLLOW_UPS: Final = "application_followups"
_BOT: Final = Actor(id="clubbot", name="clubbot")


async def applied_click(ctx: Context) -> Message:
    """A click on an "I applied" button (`applied_button`)."""
    named = applied_to(ctx.args["value"])
    if named is None:
        raise UserError("This button no longer does anything. Use `/applied` instead.")
    ctx = await _club_of_button(ctx, named.club_id)
    today = local(ctx.now, ctx.club.timezone).date()
    if named.kind == "program":
        target = await links.program_target(ctx.store, ctx.club, named.what, today)
    else:
        target = await links.posting_target(ctx.store, ctx.club, int(named.what))
    if target is None:
        raise UserError("I can't find what this button was for any more. Use `/applied` instead.")
    return await record(ctx, target, today)


async def alerts_applied(ctx: Context) -> Message:
    """`/alerts applied window:<id>`: for a program of the calendar, the application is
    recorded (once: a repeat is shown), which sets the windows' mark, as the I applied
    button does; for a club's own date, the mark alone."""
    today = local(ctx.now, ctx.club.timezone).date()
    window_id = ctx.args["window"].strip().lower()
    target = await links.program_target(ctx.store, ctx.club, window_id, today)
    if target is None:
        return await links.mark_only(ctx)
    return await record(ctx, target, today)


async def _club_of_button(ctx: Context, club_id: int) -> Context:
    """The context of the club the button belongs to: this one, or (a click from a DM) the
    club named, if the member is one of its members on this platform."""
    if club_id == ctx.club.id:
        return ctx
    club = (await ctx.store.clubs.get_many([club_id])).get(club_id)
    mine = club is not None and club.platform == ctx.place.platform
    if club is None or not mine or not await _member_of(ctx, club_id):
        raise UserError("This button belongs to a club you're not in. Use `/applied` there.")
    return replace(ctx, club=club, is_officer=False)


async def _member_of(ctx: Context, club_id: int) -> bool:
    return await ctx.store.repo(ApplicationStore).is_member(club_id, ctx.user.id)


async def record(
    ctx: Context, target: Target, applied_on: date, *, chosen: Category | None = None
) -> Message:
    """Record the asking member's application to `target`; a repeat is shown, not added."""
    repo = ctx.store.repo(ApplicationStore)
    today = local(ctx.now, ctx.club.timezone).date()
    mine = await repo.mine_and_settings(ctx.club.id, ctx.user.id)
    again = repeat_of(mine.applications, target, applied_on)
    if again is not None:
        head = f"Already recorded as #{again.number} ({again.applied_on:%d %b}): nothing added."
        return card(again, today, head=head)
    new = NewApplication(
        company=target.company,
        role=target.role,
        link=target.link,
        category=chosen or target.category,
        category_from="member" if chosen else target.category_from,
        applied_on=applied_on,
        program=target.program,
        window_key=target.window_key,
        posting_id=target.posting_id,
        opened_on=target.opened_on,
    )
    app, first = await repo.add(ctx.club.id, ctx.user.id, new, now=ctx.now, mine=mine)
    notes = [f"Recorded #{app.number}."]
    if target.window_key is not None:
        await links.mark_applied(ctx.store, ctx.club.id, ctx.user.id, target.window_key, ctx.now)
        notes.append(
            f"No more reminders for {target.company} {target.role} this cycle "
            "(as `/alerts applied` does)."
        )
    if first:
        notes.append(COUNTING)
    await _follow_ups_on(ctx)
    return card(app, today, head=" ".join(notes))


def repeat_of(mine: Sequence[Application], target: Target, applied_on: date) -> Application | None:
    """The member's earlier record of the same application: the same posting, the same
    program window, or the same company and role in the same season."""
    season = season_of(applied_on)
    for app in mine:
        if target.posting_id is not None and app.posting_id == target.posting_id:
            return app
        if target.window_key is not None and app.window_key == target.window_key:
            return app
        same = (app.company.casefold(), app.role.casefold()) == (
            target.company.casefold(),
            target.role.casefold(),
        )
        if same and season.holds(app.applied_on) and target.program is None:
            return app
    return None


async def _follow_ups_on(ctx: Context) -> None:
    """The club's first application switches the daily follow-up job on (audited, as
    clubbot's own change)."""
    if ctx.club.settings.get(FOLLOW_UPS) == "on":
        return
    changes = ClubChanges(settings={FOLLOW_UPS: "on"})
    club = await ctx.store.clubs.change(ctx.club.id, changes, actor=_BOT, now=ctx.now)
    await ctx.schedule.club_changed(club.id, to=club)
