"""GET /feeds/{token}.ics: the calendar a member (or the club) subscribed to."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.web.state import state
from bot.windows import parse_track

# Calendar apps poll every few hours at most; a shared cache must not keep a member's feed.
CACHE_CONTROL = "private, max-age=900"


async def feed(request: web.Request) -> web.StreamResponse:
    site = state(request)
    owner = await site.store.feed_owner(request.match_info["token"])
    if owner is None:
        site.metrics.feeds.labels(outcome="unknown").inc()
        raise web.HTTPNotFound(text="No such calendar feed: it may have been reset. Run /calendar.")
    try:
        track = parse_track(request.query["track"]) if "track" in request.query else None
    except UserError as error:
        raise web.HTTPBadRequest(text=error.message) from None
    built = await site.feeds.feed(owner, track=track, now=site.bot.clock.now())
    headers = {"ETag": built.etag, "Cache-Control": CACHE_CONTROL}
    if built.etag in _etags(request.headers.get("If-None-Match", "")):
        site.metrics.feeds.labels(outcome="not_modified").inc()
        return web.Response(status=304, headers=headers)
    site.metrics.feeds.labels(outcome="sent").inc()
    return web.Response(
        body=built.body,
        headers={**headers, "Content-Disposition": 'inline; filename="clubbot.ics"'},
        content_type="text/calendar",
        charset="utf-8",
    )


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


ROUTES = [web.get("/feeds/{token:[A-Za-z0-9_-]{10,64}}.ics", feed)]
