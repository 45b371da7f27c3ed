"""GET /feeds/{token}.ics: the calendar a member (or the club) subscribed to."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.web.feeds import GZIP
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
    now = site.bot.clock.now()
    version = await site.feeds.version(owner, track=track, now=now)
    gzipped = _accepts_gzip(request.headers.get("Accept-Encoding", ""))
    headers = {
        "ETag": version.etag(gzipped=gzipped),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
    }
    if _unchanged(request.headers.get("If-None-Match", ""), version.fingerprint):
        site.metrics.feeds.labels(outcome="not_modified").inc()
        return web.Response(status=304, headers=headers)
    site.metrics.feeds.labels(outcome="sent").inc()
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    body = site.feeds.gzipped(version, now) if gzipped else site.feeds.body(version, now)
    return web.Response(
        body=body,
        headers={**headers, "Content-Disposition": 'inline; filename="clubbot.ics"'},
        content_type="text/calendar",
        charset="utf-8",
    )


def _unchanged(if_none_match: str, fingerprint: str) -> bool:
    """Whether the client's copy is current: `*` (any copy) or an ETag of either
    representation, weak or strong (RFC 9110 compares If-None-Match weakly)."""
    for tag in if_none_match.split(","):
        tag = tag.strip().removeprefix("W/")
        if tag == "*" or tag.strip('"').removesuffix(GZIP) == fingerprint:
            return True
    return False


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether the client takes gzip (`gzip`, `x-gzip` or `*`, not with q=0)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        quality = params.strip().removeprefix("q=").strip() if params else "1"
        if coding.strip() in ("gzip", "x-gzip", "*") and quality not in ("0", "0.0", "0.00"):
            return True
    return False


ROUTES = [web.get("/feeds/{token:[A-Za-z0-9_-]{10,64}}.ics", feed)]
