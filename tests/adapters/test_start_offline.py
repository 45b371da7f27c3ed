"""`clubbot discord` and `clubbot slack` started with no way to reach the platform: each says
what failed, tries again with backoff for the time allowed (CLUBBOT_CONNECT_WITHIN), then
exits non-zero so systemd starts it again, rather than exiting at once or waiting forever.

The platform's address is a local port nothing listens on: connections are refused the way
they are with the network down, and the real SDKs (discord.py, slack_sdk) make them."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import socket
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import discord
import pytest
from aiohttp import web

from adapters.cli.main import _parser, _run
from bot.config import Settings, sqlite_url

WITHIN = timedelta(seconds=3)


def _closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url(tmp_path / "club.db"),
        discord_token="discord-token",
        slack_bot_token="xoxb-token",
        slack_app_token="xapp-token",
        connect_within=WITHIN,
    )


def _start(argv: list[str], settings: Settings) -> tuple[int, float]:
    started = time.monotonic()
    code = _run(_parser().parse_args(argv), settings)
    return code, time.monotonic() - started


def test_discord_without_network_retries_for_a_while_then_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog
):
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{_closed_port()}/api/v10")
    caplog.set_level(logging.WARNING, logger="adapters.connecting")
    code, took = _start(["discord"], _settings(tmp_path))
    assert code == 1
    said = capsys.readouterr().err
    assert said.startswith("clubbot: logging in to Discord failed ")
    assert "can't reach 127.0.0.1:" in said
    assert "exiting so the service manager starts me again" in said
    _assert_retried(caplog, said)
    assert WITHIN.total_seconds() <= took < WITHIN.total_seconds() + 10, "bounded"


def test_slack_without_network_retries_for_a_while_then_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog
):
    import adapters.slack.workspace as workspace

    monkeypatch.setattr(workspace, "SLACK_API", f"http://127.0.0.1:{_closed_port()}/api/")
    caplog.set_level(logging.WARNING, logger="adapters.connecting")
    code, took = _start(["slack"], _settings(tmp_path))
    assert code == 1
    said = capsys.readouterr().err
    assert said.startswith("clubbot: reaching Slack (auth.test) failed ")
    assert "can't reach 127.0.0.1:" in said
    _assert_retried(caplog, said)
    assert took < WITHIN.total_seconds() + 10, "bounded: not retrying forever"


def _assert_retried(caplog: pytest.LogCaptureFixture, said: str) -> None:
    """Tried again with backoff (1 s, then 2 s, ... as many as fit in the time allowed, fewer
    on a loaded machine), and the exit line counts the tries."""
    waits = [
        int(r.message.rsplit("trying again in ", 1)[1].removesuffix(" s"))
        for r in caplog.records
        if "trying again in" in r.message
    ]
    assert waits, "tried again"
    assert waits[0] == 1
    assert all(later <= 2 * earlier for earlier, later in itertools.pairwise(waits)), waits
    tries = re.search(r"failed (\d+) times in", said)
    assert tries is not None
    assert int(tries.group(1)) == len(waits) + 1


def test_a_refused_token_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """Only what may pass is retried: a wrong token fails the same way every time."""
    port = _closed_port()
    server = _Unauthorized(port)
    server.start()
    try:
        monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
        code, took = _start(["discord"], replace(_settings(tmp_path), connect_within=WITHIN * 10))
    finally:
        server.stop()
    assert code == 1
    assert "Discord refused DISCORD_TOKEN" in capsys.readouterr().err
    assert took < 5, "a refused token is not retried"


class _Unauthorized:
    """Discord answering 401 to every request, in a thread of its own (the code under
    test runs its own event loop)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None

    def start(self) -> None:
        self.runner = self.loop.run_until_complete(self._serve())
        self.thread.start()

    async def _serve(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", _unauthorized)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        return runner

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if self.runner is not None:
            self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()


async def _unauthorized(request: web.Request) -> web.Response:
    return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
