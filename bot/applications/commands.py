"""/applied records an application; /applications shows the season against the plan, moves
one through its stages or corrects its kind, and holds the member's two settings; and the
buttons that do the same. Every answer is private to the member."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final
from urllib.parse import urlsplit

from bot.app import ButtonAction, Command, Context, Handler, Option
from bot.applications import links
from bot.applications.cards import (
    CATEGORY_ACTION,
    OPEN_ACTION,
    REMOVE_ACTION,
    STAGE_ACTION,
    Overview,
    card,
    overview,
)
from bot.applications.dates import parse_day
from bot.applications.facts import load_facts
from bot.applications.kinds import (
    CATEGORIES,
    CATEGORY_LABELS,
    STAGE_LABELS,
    STAGES,
    Category,
    Stage,
    parse_category,
    parse_stage,
)
from bot.applications.links import Target
from bot.applications.plan import measure, next_step, season_of
from bot.applications.record import alerts_applied, applied_click, record
from bot.applications.store import Application, ApplicationStore
from bot.applied import APPLIED_ACTION
from bot.club_time import local
from bot.errors import UserError
from bot.model import Message, reply

_NO_SUCH: Final = "You have no application #{}: `/applications` lists yours with their numbers."


def _today(ctx: Context) -> date:
    return local(ctx.now, ctx.club.timezone).date()


def _repo(ctx: Context) -> ApplicationStore:
    return ctx.store.repo(ApplicationStore)


# --- /applied --------------------------------------------------------------------------------


async def applied(ctx: Context) -> Message:
    today = _today(ctx)
    applied_on = parse_day(ctx.args.get("date", ""), today)
    target = await _target(ctx, ctx.args["company"], applied_on)
    target = _as_typed(ctx, target)
    chosen = parse_category(ctx.args["category"]) if "category" in ctx.args else None
    return await record(ctx, target, applied_on, chosen=chosen)


async def _target(ctx: Context, text: str, applied_on: date) -> Target:
    """What the company option names: a suggestion (a program or a posting), a program's id
    or its only employer, or a company typed."""
    named = links.named_in(text)
    if named is not None and named[0] == "posting":
        found = await links.posting_target(ctx.store, ctx.club, int(named[1]))
        if found is None:
            raise UserError("That posting is no longer known. Type the company's name instead.")
        return found
    program = named[1] if named is not None else None
    program = program or await links.program_named(ctx.store, ctx.club, text, applied_on)
    if program is not None:
        found = await links.program_target(ctx.store, ctx.club, program, applied_on)
        if found is not None:
            return found
    company = " ".join(text.split())
    category, source = links.company_category(company)
    return Target(company=company, role="", link="", category=category, category_from=source)


def _as_typed(ctx: Context, target: Target) -> Target:
    """The role and link the member typed win over the posting's or program's."""
    role = " ".join(ctx.args.get("role", "").split())
    link = _link(ctx.args["link"]) if "link" in ctx.args else ""
    return Target(
        company=target.company,
        role=role or target.role,
        link=link or target.link,
        category=target.category,
        category_from=target.category_from,
        program=target.program,
        window_key=target.window_key,
        posting_id=target.posting_id,
        opened_on=target.opened_on,
    )


def _link(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 500:
        raise UserError("The link must be a web address starting with https:// (or http://).")
    return text.strip()


async def complete_company(ctx: Context, typed: str) -> list[str]:
    return await links.suggestions(ctx.store, ctx.club, typed, ctx.now)


# --- /applications ---------------------------------------------------------------------------


async def applications(ctx: Context) -> Message:
    settings = {k: ctx.args[k] for k in ("privacy", "nudges") if k in ctx.args}
    if "id" in ctx.args:
        if settings:
            raise UserError("Change one application (id:) or your settings, not both at once.")
        return await _one(ctx, _number(ctx.args["id"]))
    if settings:
        return await _settings(ctx, settings)
    if any(k in ctx.args for k in ("stage", "category", "remove")):
        raise UserError(
            "Say which application with id:, e.g. `/applications id:3 stage:interview`."
        )
    return await show(ctx)


async def show(ctx: Context) -> Message:
    """The season's overview: the count and the mix against the plan, speed, the next step."""
    today, facts = _today(ctx), load_facts()
    mine = await _repo(ctx).mine_and_settings(ctx.club.id, ctx.user.id)
    season = season_of(today)
    progress = measure((a.sent for a in mine.applications), season, facts)
    openings = await links.openings(ctx.store, ctx.club, today)
    return overview(
        Overview(
            mine=mine.applications,
            progress=progress,
            step=next_step(progress, openings, today, facts),
            applicant=mine.settings,
            today=today,
            facts=facts,
        )
    )


async def _one(ctx: Context, number: int) -> Message:
    if "remove" in ctx.args:
        return await _remove(ctx, number)
    if "stage" in ctx.args and "category" in ctx.args:
        raise UserError("Give a stage or a category, one at a time.")
    if "stage" in ctx.args:
        return await _move(ctx, number, parse_stage(ctx.args["stage"]))
    if "category" in ctx.args:
        return await _recategorize(ctx, number, parse_category(ctx.args["category"]))
    return card(await _mine(ctx, number), _today(ctx))


async def _mine(ctx: Context, number: int) -> Application:
    found = await _repo(ctx).one(ctx.club.id, ctx.user.id, number)
    if found is None:
        raise UserError(_NO_SUCH.format(number))
    return found


async def _move(ctx: Context, number: int, stage: Stage) -> Message:
    today = _today(ctx)
    moved = await _repo(ctx).advance(ctx.club.id, ctx.user.id, number, stage=stage, on=today)
    if moved is None:
        raise UserError(_NO_SUCH.format(number))
    app, changed = moved
    if not changed:
        return card(app, today, head=f"#{number} is at {STAGE_LABELS[stage].lower()} already.")
    return card(app, today, head=f"Moved #{number} to {STAGE_LABELS[stage].lower()}.")


async def _recategorize(ctx: Context, number: int, category: Category) -> Message:
    changed = await _repo(ctx).recategorize(ctx.club.id, ctx.user.id, number, category)
    if changed is None:
        raise UserError(_NO_SUCH.format(number))
    head = f"#{number} is filed under {CATEGORY_LABELS[category]} now."
    return card(changed, _today(ctx), head=head)


async def _remove(ctx: Context, number: int) -> Message:
    removed = await _repo(ctx).remove(ctx.club.id, ctx.user.id, number)
    if removed is None:
        raise UserError(_NO_SUCH.format(number))
    lifted = removed.window_key is not None and await links.unmark_applied(
        ctx.store, ctx.club.id, ctx.user.id, removed.window_key
    )
    told = " Its window is no longer marked as applied: its reminders resume." if lifted else ""
    return reply(f"Removed #{number} ({removed.company}).{told}")


async def _settings(ctx: Context, settings: dict[str, str]) -> Message:
    counted = settings["privacy"] == "counted" if "privacy" in settings else None
    nudges = settings["nudges"] == "on" if "nudges" in settings else None
    now = await _repo(ctx).set_applicant(
        ctx.club.id, ctx.user.id, now=ctx.now, counted=counted, nudges=nudges
    )
    lines = [
        "Counted in the club's totals (numbers for the whole club, never your list)."
        if now.counted
        else "Left out of the club's totals: officers' numbers no longer include you.",
        "Follow-ups on: a DM when an application has waited two weeks without news."
        if now.nudges
        else "Follow-ups off: no DMs about your applications.",
    ]
    return reply("Saved. " + " ".join(lines))


def _number(text: str) -> int:
    word = text.strip().lstrip("#")
    if not (word.isascii() and word.isdecimal()) or len(word) > 6:
        raise UserError("Give the application's number from `/applications`, e.g. id:3.")
    return int(word)


# --- buttons ---------------------------------------------------------------------------------


async def open_click(ctx: Context) -> Message:
    return card(await _mine(ctx, _number(ctx.args["value"])), _today(ctx))


async def stage_click(ctx: Context) -> Message:
    number, _, stage = ctx.args["value"].partition(".")
    return await _move(ctx, _number(number), parse_stage(stage))


async def category_click(ctx: Context) -> Message:
    number, _, category = ctx.args["value"].partition(".")
    return await _recategorize(ctx, _number(number), parse_category(category))


async def remove_click(ctx: Context) -> Message:
    return await _remove(ctx, _number(ctx.args["value"]))


_DATE = Option(
    name="date", description="When you applied, e.g. yesterday, 3 days ago or 12 Oct; default today"
)

COMMANDS: tuple[Command, ...] = (
    Command(
        name="applied",
        description="Record an application (only you see your applications)",
        handler=applied,
        options=(
            Option(
                name="company",
                description="A company, program or posting, e.g. Stripe",
                required=True,
                autocomplete=complete_company,
            ),
            Option(name="role", description="e.g. ML engineering intern"),
            Option(name="link", description="The posting's address, https://...", max_length=500),
            _DATE,
            Option(name="category", description="The kind of company", choices=CATEGORIES),
        ),
    ),
    Command(
        name="applications",
        description="Your applications against the plan; move one, or your settings",
        handler=applications,
        options=(
            Option(name="id", description="One application's number, e.g. 3"),
            Option(name="stage", description="Move it to this stage", choices=STAGES),
            Option(name="category", description="Correct its kind", choices=CATEGORIES),
            Option(name="remove", description="Remove it (with id)", choices=("yes",)),
            Option(
                name="privacy",
                description="counted (default) in the club's totals, or private",
                choices=("counted", "private"),
            ),
            Option(
                name="nudges",
                description="A DM after two weeks without news",
                choices=("on", "off"),
            ),
        ),
    ),
)

# Commands the windows declare that this feature answers: `/alerts applied` for a program
# records the application, which sets the windows' mark (one path: record.py).
HANDLERS: Final[Mapping[str, Handler]] = {"alerts applied": alerts_applied}

BUTTONS: tuple[ButtonAction, ...] = (
    ButtonAction(action=APPLIED_ACTION, handler=applied_click),
    ButtonAction(action=OPEN_ACTION, handler=open_click),
    ButtonAction(action=STAGE_ACTION, handler=stage_click),
    ButtonAction(action=CATEGORY_ACTION, handler=category_click),
    ButtonAction(action=REMOVE_ACTION, handler=remove_click),
)
