"""`:postings FILE` in the console: serve a snapshot of the community list on 127.0.0.1, as
the real list is served (with an ETag, so an unchanged snapshot is a 304), and point the
runtime's postings poll at it. Several snapshots one after another replay a list's history."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from aiohttp import web

from bot.errors import UserError
from bot.postings import Postings


class SnapshotFeed:
    def __init__(self, postings: Postings) -> None:
        self.postings = postings
        self.body = b"[]"
        self._runner: web.AppRunner | None = None

    async def serve(self, path: Path) -> int:
        """Serve `path` from now on; the number of entries it holds."""
        try:
            body = await asyncio.to_thread(path.read_bytes)
            entries = json.loads(body)
        except (OSError, ValueError) as error:
            raise UserError(f"I can't read {str(path)[:80]} as a JSON list: {error}") from None
        if not isinstance(entries, list):
            raise UserError(f"{str(path)[:80]} is not a JSON array of postings.")
        self.body = body
        if self._runner is None:
            self.postings.use_sources([f"list:{await self._start()}/listings.json"])
        return len(entries)

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/listings.json", self._listings)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _listings(self, request: web.Request) -> web.Response:
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=self.body, content_type="application/json", headers={"ETag": etag})

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
