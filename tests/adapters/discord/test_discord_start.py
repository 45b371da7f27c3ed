"""`clubbot discord` connecting through discord.py to a local gateway that answers as
Discord does when the Server Members intent is not switched on in the developer portal:
IDENTIFY with that intent is closed with code 4014. The bot then connects without it."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import pytest
import yarl
from aiohttp import web

from adapters.discord.start import run_discord
from bot.config import Settings, sqlite_url
from tests.adapters.discord.test_discord import APP, DiscordMock, _user

MEMBERS_INTENT = 1 << 1


@dataclass
class Gateway:
    """Discord's gateway: HELLO, then READY for an IDENTIFY it accepts, or close 4014 for
    one asking for a privileged intent the application has not switched on."""

    allowed_members_intent: bool = False
    identified: list[int] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._connect)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"ws://127.0.0.1:{self._runner.addresses[0][1]}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for frame in ws:
            payload = json.loads(frame.data)
            if payload["op"] != 2:  # heartbeats and the like
                continue
            intents = int(payload["d"]["intents"])
            self.identified.append(intents)
            if intents & MEMBERS_INTENT and not self.allowed_members_intent:
                await ws.close(code=4014, message=b"Disallowed intent(s).")
                break
            await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": _ready()}))
            self.ready.set()
        return ws


def _ready() -> dict[str, Any]:
    return {
        "v": 10,
        "user": _user(APP, "clubbot", bot=True),
        "guilds": [],
        "session_id": "s1",
        "resume_gateway_url": "ws://127.0.0.1:1/",
        "application": {"id": str(APP), "flags": 0},
    }


@pytest.fixture
async def gateway(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gateway]:
    mock, gate = DiscordMock(), Gateway()
    await mock.start()
    await gate.start()
    monkeypatch.setattr(discord.http.Route, "BASE", mock.url)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(gate.url))
    yield gate
    await gate.stop()
    await mock.stop()


async def test_without_the_members_intent_switched_on_it_connects_without_it(
    gateway: Gateway, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="adapters.discord.start")
    await _run_until_ready(gateway, tmp_path)
    first, second = gateway.identified
    assert first & MEMBERS_INTENT, "asked for the Server Members intent first"
    assert not second & MEMBERS_INTENT, "then connected without it"
    assert any("Server Members intent" in r.message for r in caplog.records)


async def test_with_the_members_intent_switched_on_it_keeps_it(gateway: Gateway, tmp_path: Path):
    gateway.allowed_members_intent = True
    await _run_until_ready(gateway, tmp_path)
    [intents] = gateway.identified
    assert intents & MEMBERS_INTENT


async def _run_until_ready(gateway: Gateway, tmp_path: Path) -> None:
    """`clubbot discord` until the gateway sent READY, then stopped."""
    settings = Settings(database_url=sqlite_url(tmp_path / "d.db"), discord_token="token")
    running = asyncio.ensure_future(run_discord(settings))
    try:
        await asyncio.wait_for(gateway.ready.wait(), timeout=30)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
