"""/healthz and /metrics."""

from __future__ import annotations

import re

from tests.conftest import ADMIN, SETUP
from tests.web.conftest import WebClub


async def test_healthz_reports_the_database_scheduler_and_last_post(web_club: WebClub) -> None:
    response = await web_club.web.get("/healthz")
    body = await response.json()
    assert response.status == 503  # the scheduler isn't started in tests
    assert body["database"] == "reachable"
    assert body["scheduler"] == "stopped"
    assert body["last_post"] is None
    await web_club.runtime.scheduler.start()
    await web_club.run("/admin problem post-now", as_user=ADMIN)
    body = await (await web_club.web.get("/healthz")).json()
    assert body["ok"] is True
    assert body["scheduler"] == "running"
    assert body["last_post"].startswith("2026-11-16T15:00")


async def test_metrics_count_posts_refusals_feeds_and_dashboard_commands(
    web_club: WebClub,
) -> None:
    await web_club.run("/admin problem post-now", as_user=ADMIN)
    other = web_club.other("ws-2")
    await other.run(SETUP, as_user=ADMIN)
    web_club.poster.refusing.add("daily-problem")
    await other.run("/admin problem post-now", as_user=ADMIN)
    await web_club.web.get("/feeds/AAAAAAAAAAAAAAAAAAAAAA.ics")
    path = await web_club.sign_in()
    await web_club.web.get(path)
    text = await (await web_club.web.get("/metrics")).text()
    assert 'clubbot_posts{kind="daily_problem",outcome="posted"} 1.0' in text
    assert re.search(r'clubbot_posts\{kind="daily_problem",outcome="(failed|skipped)"\} 1.0', text)
    assert 'clubbot_post_errors{code="403"} 1.0' in text
    assert 'clubbot_post_errors{code="429"} 0.0' in text
    assert 'clubbot_feed_requests_total{outcome="unknown"} 1.0' in text
    assert 'clubbot_command_seconds_count{command="admin status"} 1.0' in text
    assert 'clubbot_signins_total{outcome="signed_in"} 1.0' in text
    assert "clubbot_scheduler_lag_seconds" in text
