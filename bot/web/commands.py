"""`/calendar` with subscription links, `/admin dashboard`, `/admin page` and `/clubpage`.

Built for one `Site`: without PUBLIC_URL they say how to turn the web side on, and
`/calendar` hands out the file as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from bot.app import Command, Context, Option
from bot.errors import UserError
from bot.model import Attachment, Button, Message, User, reply
from bot.store.clubs import ClubChanges
from bot.web.feeds import feeds_of
from bot.web.site import (
    SIGNIN_LIFETIME,
    SIGNINS_PER_HOUR,
    TURN_ON,
    Site,
    google_subscribe,
    sign,
    webcal,
)
from bot.web.store import CLUB_FEED, FeedOwner, WebStore
from bot.windows import TRACKS, club_feed, parse_track

PAGE_SETTING = "web_page"
SIGNIN_KEY = "signin"


async def calendar(site: Site, ctx: Context) -> Message:
    if not site.on:
        data = await club_feed(ctx.store, ctx.club, ctx.now)
        return Message(
            text="Import this file into Google or Apple Calendar. " + TURN_ON,
            title="Internship windows calendar",
            attachment=Attachment(
                filename="internship-windows.ics", content=data, mime="text/calendar"
            ),
            ephemeral=True,
        )
    track = parse_track(ctx.args["track"]) if "track" in ctx.args else None
    web = ctx.store.repo(WebStore)
    head = await _reset(ctx, web)
    tokens = await web.feed_tokens(ctx.club.id, (ctx.user.id, CLUB_FEED), now=ctx.now)
    my_url = site.feed_url(tokens[ctx.user.id], track)
    club_url = site.feed_url(tokens[CLUB_FEED], track)
    feed = await feeds_of(ctx.store).feed(
        FeedOwner(club_id=ctx.club.id, user_id=ctx.user.id), track=track, now=ctx.now, club=ctx.club
    )
    text = (
        f"{head}Subscribe once and your calendar app keeps it current.\n"
        f"Yours (the windows you follow with /alerts, the club's deadlines, your mock "
        f"interviews): {webcal(my_url)}\n"
        f"The club's{f' {track}' if track else ''} windows: {webcal(club_url)}\n"
        "Apple Calendar: open a webcal link. Google Calendar: the button, or Other calendars "
        "→ From URL with the https form. Keep your link to yourself; `/calendar reset:mine` "
        "makes a new one. The file is a one-off copy."
    )
    return Message(
        text=text,
        title="Calendar subscription",
        buttons=(Button(label="Add to Google Calendar", url=google_subscribe(my_url)),),
        attachment=Attachment(filename="my-windows.ics", content=feed.body, mime="text/calendar"),
        ephemeral=True,
    )


async def _reset(ctx: Context, web: WebStore) -> str:
    which = ctx.args.get("reset")
    if which is None:
        return ""
    if which == "club":
        if not ctx.is_officer:
            raise UserError("Only officers can reset the club's feed link.")
        await web.reset_feed_token(ctx.club.id, CLUB_FEED, now=ctx.now)
        return "The club's old feed link no longer works; share the new one. "
    await web.reset_feed_token(ctx.club.id, ctx.user.id, now=ctx.now)
    return "Your old link no longer works; subscribe to the new one (and remove the old). "


async def dashboard(site: Site, ctx: Context) -> Message:
    if not site.on:
        return reply(TURN_ON)
    web = ctx.store.repo(WebStore)
    recent = await web.signins_since(ctx.club.id, ctx.user.id, ctx.now - timedelta(hours=1))
    if recent >= SIGNINS_PER_HOUR:
        return reply(
            f"You asked for {SIGNINS_PER_HOUR} sign-in links within the hour; "
            "use the latest one, or try again later."
        )
    link = await signin_link(site, web, ctx.club.id, ctx.user, now=ctx.now)
    minutes = int(SIGNIN_LIFETIME.total_seconds() // 60)
    message = Message(
        title="Officer dashboard",
        text=f"Sign in within {minutes} minutes; the link works once: {link}",
        buttons=(Button(label="Open the dashboard", url=link),),
    )
    if not await ctx.schedule.notify(ctx.club.id, ctx.user.id, message):
        return reply("I couldn't DM you the sign-in link: allow DMs from this server and retry.")
    return reply(f"I've sent you a sign-in link by DM; it works once, for {minutes} minutes.")


async def signin_link(
    site: Site, web: WebStore, club_id: int, officer: User, *, now: datetime
) -> str:
    """A new single-use link that signs `officer` in to the club's dashboard."""
    token = await web.add_signin(club_id, officer, now=now, lifetime=SIGNIN_LIFETIME)
    return site.url(f"/signin/{sign(await web.key(SIGNIN_KEY), token)}")


async def page(site: Site, ctx: Context) -> Message:
    if not site.on:
        return reply(TURN_ON)
    if "enabled" in ctx.args:
        value = "on" if ctx.args["enabled"] == "on" else None
        club = await ctx.store.clubs.change(
            ctx.club.id, ClubChanges(settings={PAGE_SETTING: value}), actor=ctx.actor, now=ctx.now
        )
    else:
        club = ctx.club
    if club.settings.get(PAGE_SETTING) != "on":
        return reply("The public club page is off. `/admin page enabled:on` turns it on.")
    return reply(
        f"The public club page is on: {site.url(f'/clubs/{club.id}')} "
        "(display names only; members leave the leaderboard with `/clubpage me:hide`)."
    )


async def clubpage(site: Site, ctx: Context) -> Message:
    if not site.on:
        return reply(TURN_ON)
    if "me" in ctx.args:
        hide = ctx.args["me"] == "hide"
        await ctx.store.repo(WebStore).set_hidden(ctx.club.id, ctx.user.id, hide)
        head = "You're left off the club page. " if hide else "You're shown on the club page. "
    else:
        head = ""
    if ctx.club.settings.get(PAGE_SETTING) != "on":
        return reply(head + "The club has no public page; officers turn it on with /admin page.")
    return reply(head + f"The club page: {site.url(f'/clubs/{ctx.club.id}')}")


def commands(site: Site) -> tuple[Command, ...]:
    return (
        Command(
            name="calendar",
            description="Subscribe to the windows calendar, or get it as a file",
            handler=partial(calendar, site),
            options=(
                Option(name="track", description="Only this track", choices=TRACKS),
                Option(
                    name="reset", description="A new link; the old stops", choices=("mine", "club")
                ),
            ),
        ),
        Command(
            name="admin dashboard",
            description="Get a one-time sign-in link to the officer dashboard by DM",
            handler=partial(dashboard, site),
            officers_only=True,
        ),
        Command(
            name="admin page",
            description="Turn the public club page on or off",
            handler=partial(page, site),
            options=(
                Option(
                    name="enabled",
                    description="on or off",
                    choices=("on", "off"),
                    current=lambda club: "on" if club.settings.get(PAGE_SETTING) == "on" else "off",
                ),
            ),
            officers_only=True,
        ),
        Command(
            name="clubpage",
            description="The club's public page; leave or rejoin its leaderboard",
            handler=partial(clubpage, site),
            options=(Option(name="me", description="hide or show you", choices=("hide", "show")),),
        ),
    )
