"""The public club page, off until officers turn it on (/admin page enabled:on): this
week's leaderboard by display name (members can leave it), today's problem, windows
closing soon and the club calendar's subscribe links."""

from __future__ import annotations

from aiohttp import web

from bot.club_time import local
from bot.problems import problem_of_the_day, week_standings
from bot.store.clubs import Club
from bot.web.commands import PAGE_SETTING
from bot.web.pages import problem, render
from bot.web.site import google_subscribe, webcal
from bot.web.state import state
from bot.web.store import CLUB_FEED
from bot.windows import closing_soon

LEADERBOARD_SIZE = 15
NO_PAGE = "This club has no public page (or it is turned off)."


async def club_page(request: web.Request) -> web.Response:
    site = state(request)
    club = await _club(request)
    if club is None or club.settings.get(PAGE_SETTING) != "on":
        return problem(404, "No such club page", NO_PAGE)
    now = site.bot.clock.now()
    today = local(now, club.timezone).date()
    store = site.bot.store
    hidden = await site.store.hidden(club.id)
    standings = [s for s in await week_standings(store, club.id, today) if s.user_id not in hidden]
    feed = site.site.feed_url(await site.store.feed_token(club.id, CLUB_FEED, now=now))
    return render(
        "club.html",
        title=club.name,
        club=club,
        today=today,
        standings=standings[:LEADERBOARD_SIZE],
        problem=await problem_of_the_day(store, club.id, today),
        closing=await closing_soon(store, club, today),
        feed=feed,
        webcal=webcal(feed),
        google=google_subscribe(feed),
    )


async def _club(request: web.Request) -> Club | None:
    club_id = int(request.match_info["club_id"])
    found = await state(request).bot.store.clubs.get_many([club_id])
    return found.get(club_id)


ROUTES = [web.get("/clubs/{club_id:\\d{1,9}}", club_page)]
