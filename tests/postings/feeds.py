"""Real-format data and a local HTTP server that serves it like the real sources do
(ETag and 304, errors, slowness, truncation, huge bodies), on 127.0.0.1."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import PostingsSettings

SAMPLE = Path(__file__).parent / "fixtures" / "listings-summer2025-sample.json"


def sample() -> list[dict[str, Any]]:
    return copy.deepcopy(json.loads(SAMPLE.read_text()))


def live_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample's visible, active entries with a unique id and url (as a stable pool)."""
    ids, urls, kept = set(), set(), []
    for entry in entries:
        fresh = entry["id"] not in ids and entry["url"] not in urls
        if fresh and entry["active"] and entry["is_visible"]:
            kept.append(entry)
        ids.add(entry["id"])
        urls.add(entry["url"])
    return kept


def posted(entry: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {**entry, "date_posted": int(at.timestamp()), "date_updated": int(at.timestamp())}


@dataclass
class Route:
    body: bytes = b"[]"
    status: int = 200
    etag: str | None = None
    delay: float = 0.0
    # Bytes actually sent of `body` (a connection that drops mid-body).
    cut_at: int | None = None


@dataclass
class Feeds:
    """The local server's routes, changed by the test between polls; what it was asked."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def serve(self, path: str, document: Any, *, etag: str | None = None) -> None:
        self.routes[path] = Route(body=json.dumps(document).encode(), etag=etag)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def settings(self, *sources: str) -> PostingsSettings:
        """The deployment's postings settings with everything served here: the lists (by
        default /listings.json) and the Greenhouse and Lever board APIs."""
        return PostingsSettings(
            sources=sources or (f"list:{self.url('/listings.json')}",),
            timeout=timedelta(seconds=1),
            greenhouse_api=self.url("/v1/boards"),
            lever_api=self.url("/v0/postings"),
        )

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, request.headers.get("If-None-Match")))
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            return web.Response(status=304, headers={"ETag": route.etag})
        if route.status != 200:
            return web.Response(status=route.status, text="upstream error")
        headers = {"ETag": route.etag} if route.etag else {}
        response = web.StreamResponse(headers=headers)
        response.content_type = "application/json"
        await response.prepare(request)
        body = route.body if route.cut_at is None else route.body[: route.cut_at]
        for start in range(0, len(body), 1 << 20):
            await response.write(body[start : start + (1 << 20)])
        await response.write_eof()
        return response


async def start_feeds() -> AsyncIterator[Feeds]:
    feeds = Feeds()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", feeds.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    feeds.base = f"http://127.0.0.1:{port}"
    yield feeds
    await runner.cleanup()
