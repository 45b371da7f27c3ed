"""The app's life in a Slack workspace, through bolt's dispatch with signed requests and
slack_sdk's clients against a mock Web API that answers as Slack does after an uninstall
(`invalid_auth`, `token_revoked`), to a member who can't be DMed, and to a demoted admin."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncApp

from adapters.slack.workspace import NotInstalled, web_client
from bot.clock import ManualClock
from bot.store.away import away
from bot.store.learned import LearnedMembers
from bot.web import Site
from bot.web.server import make_app
from tests.adapters.slack.installed import Installed, installed_app
from tests.adapters.slack.test_slack import (
    ADMIN,
    GENERAL,
    NEWBIE,
    OFFICERS,
    PROBLEMS,
    SAM,
    SECRET,
    SlackClub,
    _open_club,
    _settle,
    signed,
)
from tests.adapters.slack_mock import Payload, SlackMock, channel, member
from tests.conftest import MONDAY
from tests.web.conftest import keep_cookie, press_sign_in

PUBLIC_URL = "https://club.example.org"
INSTALLED = "T2"


@dataclass
class LifeSlackMock(SlackMock):
    """Slack answering `invalid_auth` to a token it revoked, and refusing DMs to members."""

    revoked: set[str] = field(default_factory=set)
    dm_refusals: dict[str, str] = field(default_factory=dict)
    # The workspace auth.test names for the token.
    team_of_token: str = "T1"

    async def _api(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.revoked:
            method = request.match_info["method"]
            self.calls.append((method, {}))
            self.tokens.append((method, token))
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return await super()._api(request)

    def _conversations_open(self, payload: Payload) -> Payload:
        refused = self.dm_refusals.get(str(payload["users"]))
        if refused:
            return {"ok": False, "error": refused}
        return super()._conversations_open(payload)

    def _auth_test(self, payload: Payload) -> Payload:
        return {**super()._auth_test(payload), "team_id": self.team_of_token}


def _members_and_channels() -> LifeSlackMock:
    return LifeSlackMock(
        users={
            ADMIN: member(ADMIN, "Alex", admin=True),
            SAM: member(SAM, "Sam"),
            NEWBIE: member(NEWBIE, "Nia"),
        },
        channels={
            GENERAL: channel(GENERAL, "general"),
            OFFICERS: channel(OFFICERS, "officers"),
            PROBLEMS: channel(PROBLEMS, "daily-problem"),
        },
    )


@pytest.fixture
async def life_mock() -> AsyncIterator[LifeSlackMock]:
    server = _members_and_channels()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def one_token(tmp_path: Path, life_mock: LifeSlackMock) -> AsyncIterator[SlackClub]:
    """One workspace on one bot token (Socket Mode, or HTTP without OAuth)."""
    club = await _open_club(tmp_path, life_mock)
    yield club
    await _settle()
    await club.runtime.close()


def event(team: str, body: dict[str, Any]) -> str:
    """An Events API callback as Slack sends it."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "event": body,
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
        }
    )


async def _send(app: AsyncApp, team: str, body: dict[str, Any]) -> int:
    answer = await app.async_dispatch(signed(event(team, body), form=False))
    return answer.status


SETUP = (
    f"/admin setup timezone:America/New_York alerts:<#{OFFICERS}|officers> "
    f"problems:<#{PROBLEMS}|daily-problem> deadlines:<#{GENERAL}|general>"
)


# --- one bot token: invalid_auth means stop and wait ------------------------------------


async def test_invalid_auth_pauses_the_club_once_instead_of_retrying_every_post(
    one_token: SlackClub, life_mock: LifeSlackMock
):
    await one_token.command(SETUP)
    life_mock.revoked.add("xoxb-test")
    scheduler = one_token.runtime.scheduler
    await scheduler.run_until(one_token.clock, MONDAY + timedelta(days=2))
    posts = [t for m, t in life_mock.tokens if m == "chat.postMessage"]
    assert len(posts) == 1, "stopped at the first invalid_auth, not retried"
    club = await one_token.club()
    gone = away(club)
    assert gone is not None
    assert gone.why == "Slack answered invalid_auth"
    assert all(c.broken_reason is None for c in club.channels.values()), "no channel blamed"
    assert scheduler.next_runs(club, one_token.clock.now()) == []

    # A new token works again: the next request from the workspace resumes the club.
    life_mock.revoked.clear()
    await one_token.command("/help", user=SAM)
    club = await one_token.club()
    assert away(club) is None
    status = await one_token.command("/admin status")
    assert "While I was away" in json.dumps(status)
    await scheduler.run_until(one_token.clock, one_token.clock.now() + timedelta(days=1))
    assert any(m["channel"] == PROBLEMS for m in life_mock.messages), "posts resume"


async def test_a_request_while_the_token_is_still_refused_does_not_resume(
    one_token: SlackClub, life_mock: LifeSlackMock
):
    await one_token.command(SETUP)
    life_mock.revoked.add("xoxb-test")
    await one_token.runtime.scheduler.run_until(one_token.clock, MONDAY + timedelta(days=1))
    assert away(await one_token.club()) is not None
    # bolt answered auth.test once at the first request and keeps the answer: the
    # request reaches the listener, but auth.test now fails, so the club stays paused.
    await one_token.command("/help", user=SAM)
    assert away(await one_token.club()) is not None


# --- OAuth: app_uninstalled and tokens_revoked --------------------------------------------


@pytest.fixture
async def installed(tmp_path: Path, life_mock: LifeSlackMock) -> AsyncIterator[Installed]:
    life_mock.team_of_token = INSTALLED
    ready = await installed_app(
        tmp_path, api_url=life_mock.api_url, clock=ManualClock(MONDAY), signing_secret=SECRET
    )
    assert (await ready.install()).status == 200
    club = SlackClub(
        ready.app, ready.runtime, life_mock, ready.clock, ready.poster(), ready.directory
    )
    await club.command(SETUP, team=INSTALLED)
    yield ready
    await _settle()
    await ready.close()


# slack_sdk 3.47 sends oauth.v2.access credentials with aiohttp's BasicAuth, deprecated in
# aiohttp 3.14 (it still works; aiohttp 4 drops it).
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def test_app_uninstalled_deletes_the_tokens_and_pauses_the_club_until_a_reinstall(
    installed: Installed, life_mock: LifeSlackMock
):
    assert await _send(installed.app, INSTALLED, {"type": "app_uninstalled"}) == 200
    await _until(lambda: _is_away(installed))
    assert (
        await installed.installations.async_find_installation(enterprise_id=None, team_id=INSTALLED)
        is None
    )
    with pytest.raises(NotInstalled):
        await installed.workspaces.client(INSTALLED)
    club = await installed.club(INSTALLED)
    assert (away(club) or pytest.fail("not paused")).why == (
        "the app was uninstalled from the workspace"
    )
    life_mock.revoked.add("xoxb-installed")  # as Slack does from now on
    calls = len(life_mock.calls)
    await installed.runtime.scheduler.run_until(installed.clock, MONDAY + timedelta(days=2))
    assert life_mock.calls[calls:] == [], "nothing tried for an uninstalled workspace"

    life_mock.revoked.clear()
    await installed.install()
    club = await installed.club(INSTALLED)
    assert away(club) is None, "the reinstall resumed the club"
    assert club.timezone == "America/New_York", "with its settings"
    await installed.runtime.scheduler.run_until(
        installed.clock, installed.clock.now() + timedelta(days=1)
    )
    assert any(m["channel"] == PROBLEMS for m in life_mock.messages)


async def test_a_revoked_bot_token_leaves_no_token_for_bolt_to_find(installed: Installed):
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert await _send(installed.app, INSTALLED, revoked) == 200
    await _until(lambda: _is_away(installed))
    # bolt's built-in listener deletes only the `bots` row: its authorize would still read
    # the revoked token from `installations`.
    assert (
        await installed.installations.async_find_installation(enterprise_id=None, team_id=INSTALLED)
        is None
    )
    assert (
        await installed.installations.async_find_bot(enterprise_id=None, team_id=INSTALLED) is None
    )
    assert away(await installed.club(INSTALLED)) is not None


async def test_revoked_user_tokens_alone_change_nothing(installed: Installed):
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"], "bot": []}}
    assert await _send(installed.app, INSTALLED, revoked) == 200
    await _settle()
    assert (await installed.workspaces.client(INSTALLED)).token == "xoxb-installed"
    assert away(await installed.club(INSTALLED)) is None


# --- a member Slack won't let the bot DM ------------------------------------------------


async def test_a_member_slack_refuses_dms_to_is_skipped_then_told_once(
    one_token: SlackClub, life_mock: LifeSlackMock
):
    await one_token.command(f"/admin setup timezone:America/New_York pairing:<#{GENERAL}|general>")
    for who in (ADMIN, SAM, NEWBIE):
        joined = await one_token.command(
            '/mockpair join track:coding level:3 availability:"daily 0-24"', user=who
        )
        assert "You're in" in json.dumps(joined)
    life_mock.dm_refusals[SAM] = "user_not_visible"
    await one_token.command("/admin mockpair run-now")
    await one_token.runtime.scheduler.run_until(one_token.clock, MONDAY + timedelta(days=8))
    opened = [c for c in life_mock.called("conversations.open") if c["users"] == SAM]
    assert len(opened) == 1, "refused once, then not tried again"
    told = json.dumps(await one_token.command("/deadlines", user=SAM))
    assert "My DMs to you don't get through" in told
    again = json.dumps(await one_token.command("/deadlines", user=SAM))
    assert "My DMs to you" not in again


# --- a workspace admin demoted while signed in to the dashboard -------------------------


@pytest.mark.parametrize(
    ("admin", "answer", "timezone"),
    [(False, "Only club officers can run /admin setup", "UTC"), (True, "Saved.", "Asia/Tokyo")],
    ids=["demoted", "still-admin"],
)
async def test_an_admin_demoted_in_slack_loses_the_dashboard_at_once(
    tmp_path: Path, life_mock: LifeSlackMock, admin: bool, answer: str, timezone: str
):
    club = await _open_club(tmp_path, life_mock, public_url=PUBLIC_URL)
    app = make_app(bot=club.runtime.bot, site=Site(public_url=PUBLIC_URL))
    try:
        async with TestClient(TestServer(app)) as browser:
            path = await _sign_in(club, browser)
            changed = {"type": "user_change", "user": member(ADMIN, "Alexandra", admin=admin)}
            assert await _send(club.app, "T1", changed) == 200
            await _settle()
            assert await _learned_admin(club, ADMIN, admin)
            assert answer in await _dashboard_setup(browser, path)
            assert (await club.club()).timezone == timezone
    finally:
        await _settle()
        await club.runtime.close()


async def _sign_in(club: SlackClub, browser: TestClient[Any, Any]) -> str:
    answer = await club.command("/admin dashboard")
    assert "sent you a sign-in link" in json.dumps(answer), answer
    dm = json.dumps(club.mock.messages[-1])
    link = re.search(re.escape(PUBLIC_URL) + r"(/signin/[A-Za-z0-9_.-]+)", dm)
    assert link is not None
    response = await press_sign_in(browser, link.group(1))
    assert response.status == 303
    keep_cookie(browser, response)
    return response.headers["Location"]


async def _dashboard_setup(browser: TestClient[Any, Any], path: str) -> str:
    page = await (await browser.get(f"{path}/setup")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None, page
    response = await browser.post(
        f"{path}/run",
        data={"csrf": csrf.group(1), "command": "admin setup", "timezone": "Asia/Tokyo"},
    )
    return await response.text()


async def _learned_admin(club: SlackClub, user_id: str, admin: bool) -> bool:
    found = await club.club()
    known = await club.runtime.store.repo(LearnedMembers).get(found.id, user_id)
    return known is not None and known.rights is not None and known.rights.is_admin is admin


async def _until(check: Any) -> None:
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the event was not handled")


async def test_the_signed_events_are_answered_not_404(one_token: SlackClub):
    for body in ({"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["B"]}}):
        assert await _send(one_token.app, "T1", body) == 200
    await _settle()
    assert away(await one_token.club()) is not None


async def _is_away(installed: Installed) -> bool:
    return away(await installed.club(INSTALLED)) is not None


async def test_a_start_with_a_working_token_brings_the_workspace_back(
    one_token: SlackClub, life_mock: LifeSlackMock
):
    """Socket Mode after a revoke: the admin puts the new token in place and restarts; the
    start-up check (auth.test) resumes the workspace's club."""
    from adapters.slack.start import _reach_slack
    from bot.config import Settings

    await one_token.command(SETUP)
    assert await _send(one_token.app, "T1", {"type": "app_uninstalled"}) == 200
    await _settle()
    assert away(await one_token.club()) is not None
    client = web_client("xoxb-new", base_url=life_mock.api_url)
    await _reach_slack(one_token.runtime, client, Settings())
    assert away(await one_token.club()) is None
    assert ("auth.test", "xoxb-new") in life_mock.tokens
