"""Where the web side runs: its own server, or mounted on Slack HTTP mode's, and the
command line that asks for it."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.cli.main import _parser, _with_web
from bot.config import Settings
from bot.web import Site
from bot.web.server import mount, parse_listen
from tests.conftest import Club


async def _slack_events(request: web.Request) -> web.Response:
    return web.Response(text="slack")


async def test_mounted_on_another_server_both_answer_and_only_ours_get_our_headers(
    club: Club,
) -> None:
    app = web.Application()
    app.router.add_post("/slack/events", _slack_events)
    mount(app, bot=club.runtime.bot, site=Site(public_url="https://club.example.org"))
    async with TestClient(TestServer(app)) as client:
        slack = await client.post("/slack/events")
        assert await slack.text() == "slack"
        assert "Content-Security-Policy" not in slack.headers
        health = await client.get("/healthz")
        assert (await health.json())["database"] == "reachable"
        assert "Content-Security-Policy" in health.headers
        refused = await client.get("/dashboard/1")
        assert refused.status == 401
        assert "Content-Security-Policy" in refused.headers


def test_listen_addresses() -> None:
    assert parse_listen("0.0.0.0:8080") == ("0.0.0.0", 8080)
    assert parse_listen(":9000") == ("0.0.0.0", 9000)
    assert parse_listen("8081") == ("0.0.0.0", 8081)
    for wrong in ("host:", "host:99999", "host:http"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_listen(wrong)


def test_web_flag_on_discord_and_slack_and_a_pages_only_command() -> None:
    for argv in (["discord", "--web", "0.0.0.0:8080"], ["slack", "--http", "--web", ":8080"]):
        args = _parser().parse_args(argv)
        assert _with_web(args, Settings()).web_listen == argv[-1]
    assert _with_web(_parser().parse_args(["discord"]), Settings()).web_listen == ""
    pages = _parser().parse_args(["web", "--listen", "127.0.0.1:8090"])
    assert pages.listen == "127.0.0.1:8090"


def test_public_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        Site(public_url="ftp://club.example.org")
