"""Slack's HTTP mode serves its events and the web side on one aiohttp server, the one
every clubbot server starts from: its connection limits hold for Slack's events too (a
silent connection is closed, past the cap a new request is answered at once)."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace

import aiohttp
import pytest

from adapters.slack.start import _serve
from bot.config import Settings
from bot.web import server
from bot.web.connections import Limits
from tests.adapters.slack.test_slack import SlackClub

FAST = Limits(head_timeout=1.0, keepalive_timeout=1.0, connections=16)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _answered(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("the Slack HTTP server did not start")


async def test_slack_http_mode_holds_against_idle_sockets(
    slack: SlackClub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "LIMITS", FAST)
    port = _free_port()
    settings = replace(
        Settings(), public_url=f"http://127.0.0.1:{port}", web_listen=f"127.0.0.1:{port}"
    )
    serving = asyncio.create_task(
        _serve(slack.app, slack.runtime, host="127.0.0.1", port=port, settings=settings)
    )
    try:
        await _answered(port)
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(40)]
        timeout = aiohttp.ClientTimeout(total=1.0)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            async with client.post(f"http://127.0.0.1:{port}/slack/events", data="{}") as events:
                assert events.status == 401  # bolt's own answer: unsigned
            async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert (await health.json())["database"] == "reachable"
        started = time.monotonic()
        reader, _ = held[-1]
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed: it sent nothing
        assert time.monotonic() - started < 2.5
        for _, writer in held:
            writer.close()
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
