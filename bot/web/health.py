"""/healthz for load balancers and /metrics for Prometheus."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import func, select, text

from bot.store.models import ClaimRow
from bot.web.state import state

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    site = state(request)
    try:
        async with site.bot.store.sessions() as session:
            await session.execute(text("SELECT 1"))
            last = (await session.execute(select(func.max(ClaimRow.posted_at)))).scalar_one()
    except Exception:  # the answer is the health check itself; the details go to the log
        log.exception("health check: the database is unreachable")
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    # Only a write shows a full disk or a read-only file (checked every few seconds at most).
    cannot_save = await site.bot.store.saving.check(site.bot.clock.now())
    scheduler = (
        "not in this process"
        if site.scheduler is None
        else ("running" if site.scheduler.running else "stopped")
    )
    ok = scheduler != "stopped" and cannot_save is None
    body = {
        "ok": ok,
        "database": "reachable" if cannot_save is None else f"can't save: {cannot_save}",
        "scheduler": scheduler,
        "last_post": last.isoformat() if last is not None else None,
    }
    return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})


async def metrics(request: web.Request) -> web.Response:
    body = await state(request).metrics.scrape()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


ROUTES = [web.get("/healthz", healthz), web.get("/metrics", metrics)]
