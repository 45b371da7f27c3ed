"""Weeks of mock-interview rounds at the console with members in four zones, one of whom
closed their DMs (`:break @priya`): she is tried once, skipped after, told once in her next
command's answer and in /mockpair status, and reached again after she runs a command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console import ConsoleDirectory, ConsolePoster, ConsoleSession
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.runtime import Runtime, open_runtime
from tests.conftest import MONDAY

MEMBERS = {
    "sam": "America/New_York",
    "ola": "Europe/London",
    "priya": "Asia/Kolkata",
    "li": "America/Los_Angeles",
}
TOLD = "My DMs to you don't get through"


class Console:
    def __init__(self, runtime: Runtime, session: ConsoleSession, lines: list[str]) -> None:
        self.runtime, self.session, self.lines = runtime, session, lines

    async def say(self, *lines: str) -> list[str]:
        """Run `lines` at the console; the output lines they caused."""
        start = len(self.lines)
        for line in lines:
            await self.session.execute(line)
        return self.lines[start:]

    def dms_to(self, member: str) -> int:
        """How many DMs reached `member` (a DM is one tagged block of lines)."""
        return sum(
            1
            for before, line in zip(["", *self.lines], self.lines, strict=False)
            if line.startswith(f"[dm @{member}]") and not before.startswith(f"[dm @{member}]")
        )


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    lines: list[str] = []
    clock = ManualClock(MONDAY)
    poster = ConsolePoster(out=lines.append)
    runtime = await open_runtime(
        database_url=sqlite_url(tmp_path / "c.db"),
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(refusing=poster.refusing),
    )
    session = ConsoleSession(
        bot=runtime.bot, scheduler=runtime.scheduler, clock=clock, poster=poster, out=lines.append
    )
    yield Console(runtime, session, lines)
    await runtime.close()


async def _join_all(console: Console) -> None:
    await console.say(
        ":as alex officer",
        "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers",
    )
    for name, zone in MEMBERS.items():
        said = await console.say(
            f":as {name}",
            f'/mockpair join track:coding level:3 availability:"daily 0-24" timezone:{zone}',
        )
        assert any("You're in." in line for line in said), said


async def test_closed_dms_over_weeks_of_rounds_in_four_zones(console: Console):
    await _join_all(console)
    await console.say(":break @priya")
    await console.say(":advance 7d")
    assert console.dms_to("priya") == 0
    assert all(console.dms_to(m) == 1 for m in MEMBERS if m != "priya"), console.lines[-40:]
    refused = [line for line in console.lines if "priya" in line and "DMs closed" in line]
    assert refused == [], "nothing about her DMs is posted in a channel"

    await console.say(":advance 7d")
    assert all(console.dms_to(m) == 2 for m in MEMBERS if m != "priya")
    # Her next command tells her, once, with how to open them; pairs still reach her
    # after she runs a command and opens her DMs.
    status = await console.say(":as priya", "/mockpair status")
    assert sum(TOLD in line for line in status) == 1
    again = await console.say("/deadlines")
    assert not any(TOLD in line for line in again), "told once"
    await console.say(":mend @priya", ":advance 7d")
    assert console.dms_to("priya") == 1
    assert all(console.dms_to(m) == 3 for m in MEMBERS if m != "priya")


async def test_a_member_who_keeps_dms_closed_is_told_again_only_after_another_refusal(
    console: Console,
):
    await _join_all(console)
    await console.say(":break @priya", ":advance 7d")
    told = await console.say(":as priya", "/help")
    assert any(TOLD in line for line in told)
    await console.say(":advance 7d")  # tried again (she ran a command), refused again
    assert not any(TOLD in line for line in await console.say(":as sam", "/help"))
    assert any(TOLD in line for line in await console.say(":as priya", "/help"))


async def test_a_break_names_a_channel_or_a_member(console: Console):
    said = await console.say(":break priya@")
    assert said == ["[console] #priya@ now refuses posts"]
    said = await console.say(":break")
    assert said[0].startswith("[error] Write :break #channel")
