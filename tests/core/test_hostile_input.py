"""Whatever a member types into whichever option, the core answers with a valid Message.

Every command the core declares (features added later included) gets arbitrary
unicode, huge strings, mention and markup injection, malformed times, dates and
zones. No exception may escape to the error sink, every reply fits every
platform's limits, and the club still works afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.model import MAX_TEXT, CommandEvent, Message, Place, User
from bot.runtime import COMMANDS, Runtime, open_runtime
from tests.conftest import MONDAY, SETUP, RecordingPoster

NASTY = [
    "@everyone",
    "@here",
    "<!channel>",
    "<!here|here>",
    "<@U123>",
    "<@&987>",
    "<#C1|general>",
    "**bold** `code` ```block```",
    "'; DROP TABLE clubs; --",
    "25:99",
    "9am",
    "2026-02-30",
    "yesterday",
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "\u202e\u200b\x00",
    "\uff54\uff4f\uff44\uff41\uff59",  # "today" in fullwidth letters
    "-1",
    "99999999999999999999",
    "a" * 5000,
]
TEXT = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=300), st.text(min_size=2000, max_size=4000)
)
MEMBER = User(id="mallory", name="mallory <@U1> @everyone")
OFFICER = User(id="oscar", name="oscar", is_admin=True)
PLACE = Place(platform="console", workspace_id="ws-1", channel_id="general")


class Harness:
    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.errors: list[BaseException] = []
        self.runtime: Runtime = self.loop.run_until_complete(
            open_runtime(
                database_url=sqlite_url(tmp / "hostile.db"),
                clock=ManualClock(MONDAY),
                poster=RecordingPoster(),
                directory=ConsoleDirectory(),
            )
        )
        self.runtime.bot.on_error = lambda error, event: self.errors.append(error)

    def handle(self, name: str, args: dict[str, str], user: User) -> Message:
        event = CommandEvent(name=name, args=args, user=user, place=PLACE)
        return self.loop.run_until_complete(self.runtime.bot.handle(event))

    def close(self) -> None:
        self.loop.run_until_complete(self.runtime.close())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    made = Harness(tmp_path_factory.mktemp("hostile"))
    from adapters.command_text import parse_command

    name, args = parse_command(SETUP, (c.name for c in COMMANDS))
    made.handle(name, args, OFFICER)
    yield made
    made.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_command_answers_any_text_with_a_valid_message(harness, data):
    command = data.draw(st.sampled_from(COMMANDS), label="command")
    names = [o.name for o in command.options]
    chosen = (
        data.draw(st.lists(st.sampled_from(names), unique=True), label="options") if names else []
    )
    args = {name: data.draw(TEXT, label=name) for name in chosen}
    user = data.draw(st.sampled_from([MEMBER, OFFICER]), label="user")
    answer = harness.handle(command.name, args, user)
    assert isinstance(answer, Message)
    assert len(answer.text) <= MAX_TEXT
    assert harness.errors == [], f"/{command.name} {args!r} raised {harness.errors!r}"


def test_the_club_still_works_after_the_onslaught(harness):
    status = harness.handle("admin status", {}, OFFICER)
    assert status.title.startswith("Status of")
    assert harness.errors == []
