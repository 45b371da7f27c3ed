"""A 429 storm on Slack: every club's daily problem comes due at once and Slack rate limits
the first chat.postMessage calls, more of them than the client's own retries can wait out.

Everything is real except Slack: bolt and the install flow's installation store (one bot
token per workspace), slack_sdk's clients with their 429 retry handler, the core, SQLite and
the scheduler, whose simulated clock stands in for the minutes the storm lasts. The only
other fake is the retry handler's `asyncio.sleep`: it records the wait Slack asked for
(Retry-After 0 plus slack_sdk's jitter of up to a second) instead of sleeping it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import slack_sdk.http_retry.builtin_async_handlers as retry_handlers
from slack_sdk.oauth.installation_store import Installation

from adapters.slack.app import build_app
from adapters.slack.posting import SlackPoster
from adapters.slack.start import oauth_settings
from adapters.slack.workspace import InstalledWorkspaces, SlackDirectory, web_client
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.problems.bank import load_bank
from bot.problems.posts import DAILY
from bot.problems.store import ProblemStore
from bot.runtime import Runtime, open_runtime
from bot.store.claims import POSTED, ClaimKey
from bot.store.db import make_engine
from tests.adapters.slack.test_slack import ADMIN, SECRET, SlackClub, _settle
from tests.adapters.slack_mock import BOT_USER, Failure, SlackMock, channel, member
from tests.conftest import MONDAY

CLUBS = 8
TEAMS = tuple(f"T{n:02d}" for n in range(1, CLUBS + 1))
PROBLEMS = {team: f"C0PROB{team}" for team in TEAMS}
TEAM_OF = {channel_id: team for team, channel_id in PROBLEMS.items()}
# Every club's problem time (09:00 New York, the default) on Tuesday 17 November 2026.
DUE = datetime.fromisoformat("2026-11-17T09:00:00-05:00")
# One call and the client's two retries: a post fails after three 429s in a row.
CALLS_PER_POST = 3
RATE_LIMITED = Failure(
    status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"}
)


@dataclass
class Clubs:
    """Several workspaces with clubbot installed, one runtime, one mock Slack."""

    slack: SlackClub
    runtime: Runtime
    mock: SlackMock
    clock: ManualClock
    club_ids: dict[str, int]
    waits: list[float]


@pytest.fixture
async def clubs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Clubs]:
    waits: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(retry_handlers, "asyncio", SimpleNamespace(sleep=recorded_sleep))
    mock = SlackMock(
        users={ADMIN: member(ADMIN, "Alex", admin=True)},
        channels={c: channel(c, "daily-problem") for c in PROBLEMS.values()},
    )
    await mock.start()
    url = sqlite_url(tmp_path / "x.db")
    engine = make_engine(url)
    oauth, installations = await oauth_settings(engine, "client-id", "client-secret")
    for team in TEAMS:
        await installations.async_save(
            Installation(
                app_id="A1",
                team_id=team,
                team_name=f"club {team}",
                bot_token=f"xoxb-{team}",
                bot_id="B1",
                bot_user_id=BOT_USER,
                bot_scopes="commands,chat:write",
                user_id=ADMIN,
            )
        )
    workspaces = InstalledWorkspaces(installations, base_url=mock.api_url)
    directory = SlackDirectory(workspaces)
    poster = SlackPoster(workspaces)
    clock = ManualClock(MONDAY)
    runtime = await open_runtime(
        database_url=url, clock=clock, poster=poster, directory=directory, owner="test"
    )
    app = build_app(
        runtime.bot,
        directory=directory,
        client=web_client(base_url=mock.api_url),
        signing_secret=SECRET,
        oauth_settings=oauth,
    )
    slack = SlackClub(app, runtime, mock, clock, poster, directory)
    try:
        club_ids = {}
        for team in TEAMS:
            answer = await slack.command(
                f"/admin setup timezone:America/New_York "
                f"problems:<#{PROBLEMS[team]}|daily-problem>",
                team=team,
            )
            assert answer["text"].startswith("Club setup\nSaved."), answer
            [club] = [c for c in await runtime.store.clubs.all() if c.workspace_id == team]
            assert club.channels["problems"].id == PROBLEMS[team]
            club_ids[team] = club.id
        assert mock.called("chat.postMessage") == []
        yield Clubs(slack, runtime, mock, clock, club_ids, waits)
    finally:
        await _settle()
        await runtime.close()
        await engine.dispose()
        await mock.stop()


# How many calls Slack rate limits before it answers normally, and the attempts that costs.
#
# Which clubs the 429s hit depends on the order their calls reach Slack (the scheduler may
# post the clubs due at one instant one after another or all at once), so the expectations
# hold for any order: a post fails after three 429s in a row and gets through after at most
# two. With more than 2N 429s left at an instant, at least one of the N posts fails; with
# fewer than 3N, at least one gets through, and the storm is over by then.
STORMS = [
    pytest.param(
        # At 09:00 some clubs fail and the others post; the retry at 09:01 posts the rest.
        (CALLS_PER_POST - 1) * CLUBS + 4,
        (1, 2),
        id="one-retry-round",
    ),
    pytest.param(
        # At 09:00 every club fails; at 09:01 some fail again and the others post; the
        # retry at 09:02 posts the rest.
        CALLS_PER_POST * CLUBS + (CALLS_PER_POST - 1) * CLUBS + 4,
        (2, 3),
        id="two-retry-rounds",
    ),
]


@pytest.mark.parametrize(("storm", "attempts"), STORMS)
async def test_a_429_storm_over_many_workspaces_ends_with_each_daily_post_sent_once(
    clubs: Clubs,
    caplog: pytest.LogCaptureFixture,
    storm: int,
    attempts: tuple[int, int],
) -> None:
    mock, scheduler, store = clubs.mock, clubs.runtime.scheduler, clubs.runtime.store
    for _ in range(storm):
        mock.fail_next("chat.postMessage", RATE_LIMITED)
    caplog.set_level(logging.WARNING)

    end = DUE + timedelta(minutes=30)
    assert end - DUE < scheduler.grace
    await scheduler.run_until(clubs.clock, end)  # (a) no crash: it returns

    # The storm is over, and Slack saw each 429'd call plus exactly one accepted post a club.
    assert mock.failures["chat.postMessage"] == []
    assert len(mock.called("chat.postMessage")) == storm + CLUBS
    per_channel = {c: [m for m in mock.messages if m["channel"] == c] for c in PROBLEMS.values()}
    assert {c: len(found) for c, found in per_channel.items()} == dict.fromkeys(
        PROBLEMS.values(), 1
    )
    assert len(mock.messages) == CLUBS
    # Every call, 429'd or not, went to the workspace it belongs to, with that one's token.
    for (method, payload), (_, token) in zip(mock.calls, mock.tokens, strict=True):
        if method == "chat.postMessage":
            assert token == f"xoxb-{TEAM_OF[payload['channel']]}"

    # (c) each claim ends posted, within the grace window, after the attempts the storm cost.
    # The mock numbers the ts of the posts it accepts 1, 2, 3...: the claim keeps that ts.
    ts = {m["channel"]: f"1700000000.{n:06d}" for n, m in enumerate(mock.messages, start=1)}
    tries, late = {}, {}
    for team in TEAMS:
        key = ClaimKey(club_id=clubs.club_ids[team], kind=DAILY, occurrence="2026-11-17")
        claim = await store.claims.get(key)
        assert claim is not None
        assert (claim.status, claim.message_ref, claim.error) == (POSTED, ts[PROBLEMS[team]], None)
        assert claim.due_at == DUE
        assert claim.posted_at is not None
        assert claim.posted_at - claim.due_at <= scheduler.grace
        tries[team], late[team] = claim.attempts, claim.posted_at - DUE
        # A retried post is the problem chosen at the first try, recorded once.
        recorded = await store.repo(ProblemStore).post_on(clubs.club_ids[team], DUE.date())
        problem = load_bank().by_id(recorded.problem_id) if recorded else None
        assert problem is not None
        [message] = per_channel[PROBLEMS[team]]
        header = message["blocks"][0]["text"]["text"]
        assert header.startswith("Daily problem · Tue 17 Nov: ")
        assert problem.title[:50] in header
    # Some clubs needed one retry more than others: the scheduler's retry of failed claims
    # ran, and (b) the clubs whose post got through while the others were still rate
    # limited posted at that moment rather than waiting for them.
    assert set(tries.values()) == set(attempts), tries
    # No club waited longer than its own failures: each went out at the retry tick (every
    # minute) right after its last failed attempt.
    assert late == {t: timedelta(minutes=tries[t] - 1) for t in TEAMS}

    # The client waited out every 429 but the third in a row, which fails the post, as
    # Slack asked (Retry-After 0, plus slack_sdk's jitter below a second).
    failed_posts = sum(tries.values()) - CLUBS
    assert len(clubs.waits) == storm - failed_posts
    assert all(0 <= wait < 1 for wait in clubs.waits)
    # Passing failures are warnings at most: nothing took the "unexpected error" path.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    # Later ticks, a catch-up (a restart) and the rest of the grace window post nothing more.
    await scheduler.retry_failed()
    outcomes = [outcome for _, outcome in await scheduler.catch_up()]
    assert outcomes
    assert outcomes == ["taken"] * len(outcomes)
    await scheduler.run_until(clubs.clock, DUE + scheduler.grace)
    assert len(mock.messages) == CLUBS
