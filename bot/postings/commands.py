"""/postings search|recent|follow|unfollow and the officers' /admin postings settings|preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from bot.app import Command, Context, Option
from bot.config import PostingsSettings
from bot.errors import UserError
from bot.model import Field, Message, field_lines, plural, reply
from bot.postings.boards import check_boards
from bot.postings.filters import (
    CATEGORIES,
    SETTING,
    SPONSORSHIP,
    Filter,
    changed,
    filter_of,
)
from bot.postings.health import mine, source_lines
from bot.postings.listing import normal
from bot.postings.news import RECENT
from bot.postings.sources import polled_by
from bot.postings.store import PostingStore
from bot.postings.texts import by_company, first_page, listing
from bot.postings.words import concepts
from bot.store.clubs import Club, ClubChanges

PREVIEW_DAYS = 7
SEARCH_DAYS = 120


def _repo(ctx: Context) -> PostingStore:
    return ctx.store.repo(PostingStore)


# --- officers -----------------------------------------------------------------


async def settings(postings: PostingsSettings, ctx: Context) -> Message:
    current = filter_of(ctx.club.settings)
    updated = changed(current, ctx.args)
    added = [b for b in updated.boards if b not in current.boards]
    checked = await check_boards(added, postings) if added else []
    if updated != current:
        club = await ctx.store.clubs.change(
            ctx.club.id,
            ClubChanges(settings={SETTING: updated.to_json()}),
            actor=ctx.actor,
            now=ctx.now,
        )
        await ctx.schedule.club_changed(club.id, to=club)
    saved = "Saved.\n" if ctx.args else ""
    polled = polled_by(updated.boards, postings, ctx.now.date())
    health = source_lines(mine(await _repo(ctx).health(), polled), ctx.club.timezone)
    where = ctx.club.channels.get("deadlines")
    posts_to = (
        f"New postings go to #{where.name}."
        if where
        else "Set a deadlines channel: `/admin setup deadlines:#channel`."
    )
    return reply(
        saved + "\n".join([*checked, *updated.describe(), posts_to]),
        title="Live postings",
        fields=(Field(name="Sources", value=field_lines(health, "Nothing fetched yet.")),),
    )


async def preview(ctx: Context) -> Message:
    """What the club would have been told in the last week, with the filter as given."""
    trial = changed(filter_of(ctx.club.settings), ctx.args)
    since = ctx.now - timedelta(days=PREVIEW_DAYS)
    seen = await _repo(ctx).seen_read(since, posted_since=since - RECENT)
    matches = trial.compiled()
    would = [
        r.stored
        for r in seen
        if r.stored.first_seen_at - r.stored.posting.posted_at <= RECENT and matches(r.facts)
    ]
    page = first_page(by_company(would, ctx.now))
    text = (
        f"In the last {PREVIEW_DAYS} days {plural(len(would), 'posting')} would have been "
        f"announced with {'these filters' if ctx.args else 'the current filters'}."
    )
    if len(would) > page.shown:
        text += f" {len(would) - page.shown} more not shown."
    if ctx.args:
        text += " Nothing was saved: `/admin postings settings` with the same options saves them."
    return reply(text, title="Live postings preview", fields=page.fields)


# --- members --------------------------------------------------------------------


async def search(ctx: Context) -> Message:
    wanted_words = concepts(ctx.args.get("query", ""))
    since = ctx.now - timedelta(days=SEARCH_DAYS)
    found = await _repo(ctx).posted_read(since, words=wanted_words)
    wanted = Filter(
        enabled=True,
        locations=_one(ctx.args.get("location")),
        companies=_one(ctx.args.get("company")),
        sponsorship=ctx.args.get("sponsorship", "any"),
    )
    matches = wanted.compiled()
    hits = [r.stored for r in found if r.stored.open and matches(r.facts)]
    again = " ".join(f'{k}:"{v.replace(chr(34), "")}"' for k, v in ctx.args.items() if k != "page")
    return listing(
        hits,
        ctx.now,
        club_id=ctx.club.id,
        title="Postings",
        empty="No open postings match.",
        page=_page(ctx),
        next_page=f"`/postings search {again + ' ' if again else ''}page:{{page}}`",
    )


async def recent(ctx: Context) -> Message:
    club_filter = filter_of(ctx.club.settings)
    matches = club_filter.compiled()
    since = ctx.now - timedelta(days=PREVIEW_DAYS)
    seen = await _repo(ctx).seen_read(since, posted_since=since - RECENT)
    hits = [
        r.stored
        for r in reversed(seen)
        if r.stored.first_seen_at - r.stored.posting.posted_at <= RECENT
        and (not club_filter.enabled or matches(r.facts))
    ]
    return listing(
        hits,
        ctx.now,
        club_id=ctx.club.id,
        title="New this week",
        empty="No new postings this week.",
        page=_page(ctx),
        next_page="`/postings recent page:{page}`",
    )


async def follow(ctx: Context) -> Message:
    name = ctx.args["company"].strip()
    key = normal(name)
    if not key:
        raise UserError("Name a company, e.g. `/postings follow company:Stripe`.")
    known = await _repo(ctx).company_named(key)
    company = known or name[:100]
    added = await _repo(ctx).follow(ctx.club.id, user_id=ctx.user.id, company=company, key=key)
    note = "" if known else " I haven't seen a posting from it yet; check the spelling."
    if not added:
        return reply(f"You already follow {company}.")
    return reply(f"I'll DM you when {company} posts an internship.{note}")


async def unfollow(ctx: Context) -> Message:
    key = normal(ctx.args["company"])
    removed = await _repo(ctx).unfollow(ctx.club.id, user_id=ctx.user.id, key=key)
    return reply("Done: no more DMs for it." if removed else "You weren't following it.")


async def _company_suggestions(ctx: Context, typed: str) -> list[str]:
    return await ctx.store.repo(PostingStore).companies(normal(typed))


def _one(text: str | None) -> tuple[str, ...]:
    return (normal(text),) if text and normal(text) else ()


def _page(ctx: Context) -> int:
    return int(ctx.args.get("page", "1"))


def _filter_now(name: str) -> Callable[[Club], str | None]:
    """The club's filter option `name` as an officer would write it."""

    def shown(club: Club) -> str | None:
        value = getattr(filter_of(club.settings), name)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple):
            return ", ".join(value) or None
        return str(value)

    return shown


# The option an officer writes, where the filter names its field otherwise.
_FIELD_OF = {"country": "countries"}

_FILTER_OPTIONS = tuple(
    replace(option, current=_filter_now(_FIELD_OF.get(option.name, option.name)))
    for option in (
        Option(name="enabled", description="yes or no", choices=("yes", "no")),
        Option(name="categories", description=f"e.g. software,data (of {', '.join(CATEGORIES)})"),
        Option(name="terms", description='e.g. "summer 2027" or "summer, fall"'),
        Option(name="sponsorship", description="any, offers, no-citizenship", choices=SPONSORSHIP),
        Option(name="locations", description='e.g. "new york, bay area, remote"'),
        Option(name="country", description='keep these countries, e.g. "us, remote"'),
        Option(
            name="exclude_locations", description='leave out postings only there, e.g. "london"'
        ),
        Option(name="degrees", description='e.g. "bachelor, master"'),
        Option(name="companies", description="only these companies, comma-separated"),
        Option(name="exclude", description="leave these companies out, comma-separated"),
        Option(name="keywords", description='title words, e.g. "machine learning, ml"'),
        Option(
            name="boards", description='company boards, e.g. "greenhouse:stripe, lever:netflix"'
        ),
    )
)
_PAGE = Option(name="page", description="which page of a long list, e.g. 2", kind="integer")
_COMPANY = Option(
    name="company", description="e.g. Stripe", required=True, autocomplete=_company_suggestions
)


def commands(postings: Callable[[], PostingsSettings]) -> tuple[Command, ...]:
    """The commands, the officers' settings checking boards against `postings()`."""

    async def settings_now(ctx: Context) -> Message:
        return await settings(postings(), ctx)

    return (
        Command(
            name="postings search",
            description="Search open internship postings",
            handler=search,
            options=(
                Option(name="query", description="words in the title or company"),
                Option(name="location", description='e.g. "new york" or remote'),
                Option(
                    name="sponsorship",
                    description="any, offers, no-citizenship",
                    choices=SPONSORSHIP,
                ),
                Option(
                    name="company", description="e.g. Stripe", autocomplete=_company_suggestions
                ),
                _PAGE,
            ),
        ),
        Command(
            name="postings recent",
            description="Postings that went live this week",
            handler=recent,
            options=(_PAGE,),
        ),
        Command(
            name="postings follow",
            description="Get a DM when a company posts an internship",
            handler=follow,
            options=(_COMPANY,),
        ),
        Command(
            name="postings unfollow",
            description="Stop the DMs for a company",
            handler=unfollow,
            options=(_COMPANY,),
        ),
        Command(
            name="admin postings settings",
            description="What live postings the club sees: categories, places, companies...",
            handler=settings_now,
            options=_FILTER_OPTIONS,
            officers_only=True,
        ),
        Command(
            name="admin postings preview",
            description="What the last 7 days would have announced (with the options given)",
            handler=preview,
            options=_FILTER_OPTIONS,
            officers_only=True,
        ),
    )
