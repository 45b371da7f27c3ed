"""Slack as its members expect it, through bolt's real dispatch against the Slack mock
(which enforces the token's scopes the way Slack does): the calendar file arrives, the
club carries the workspace's name, groups typed alone explain themselves, the Home tab is
the member's page, OAuth does not ask auth.test on every request."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.manifest import BOT_SCOPES, manifest
from bot.clock import ManualClock
from bot.runtime import COMMANDS
from tests.adapters.slack.installed import installed_app
from tests.adapters.slack.test_slack import (
    ADMIN,
    OFFICERS,
    PROBLEMS,
    SAM,
    SECRET,
    SlackClub,
    _settle,
    signed,
)
from tests.adapters.slack_mock import METHOD_SCOPES, TEAM, TEAM_NAME, SlackMock
from tests.conftest import MONDAY

ADAPTER_SOURCES = sorted(Path("adapters/slack").glob("*.py"))


# --- scopes -------------------------------------------------------------------------


def _web_api_methods() -> set[str]:
    """Every Web API method the Slack adapter's code calls on a client."""
    called = set()
    for source in ADAPTER_SOURCES:
        for name in re.findall(r"\bclient\.([a-z]+_[A-Za-z_0-9]+)\(", source.read_text()):
            assert hasattr(AsyncWebClient, name), name
            if name == "files_upload_v2":  # one helper, two methods
                called |= {"files.getUploadURLExternal", "files.completeUploadExternal"}
            elif name == "apps_connections_open":
                called.add("apps.connections.open")
            else:
                called.add(name.replace("_", ".", 1))
    return called


def test_the_manifest_asks_for_every_scope_the_adapters_web_api_calls_need():
    called = _web_api_methods()
    assert {"chat.postMessage", "files.completeUploadExternal", "team.info"} <= called
    for method in called:
        assert method in METHOD_SCOPES, f"{method}: which scope does it need?"
        assert METHOD_SCOPES[method] <= set(BOT_SCOPES), method
    assert manifest(COMMANDS)["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


async def test_the_calendar_file_reaches_the_member_with_the_manifests_scopes(slack: SlackClub):
    await slack.command("/calendar", user=SAM)
    [complete] = await slack.mock.wait_for(
        lambda: slack.mock.called("files.completeUploadExternal")
    )
    assert complete["channel_id"] == f"D{SAM}"
    [content] = slack.mock.uploads.values()
    assert content.startswith(b"BEGIN:VCALENDAR")


async def test_a_file_that_cannot_be_delivered_is_explained_to_the_member(slack: SlackClub):
    slack.mock.scopes = slack.mock.scopes - {"files:write"}
    before = len(slack.mock.responses)
    await slack.command("/calendar", user=SAM, answers=2)
    answers = await slack.mock.wait_for(
        lambda: len(slack.mock.responses) >= before + 2 and slack.mock.responses[before:]
    )
    (hook, _), (same_hook, told) = answers
    assert hook == same_hook
    assert told["response_type"] == "ephemeral"
    assert told["replace_original"] is False
    assert "I couldn't send you internship-windows.ics (missing_scope)" in told["text"]
    assert slack.mock.uploads == {}


# --- the club's name ------------------------------------------------------------------


async def test_the_club_is_named_after_the_workspace_and_follows_a_rename(slack: SlackClub):
    status = await slack.command("/admin status")
    assert status["blocks"][0]["text"]["text"] == f"Status of {TEAM_NAME}"
    assert TEAM not in status["blocks"][0]["text"]["text"]
    await slack.command("/help")
    assert len(slack.mock.called("team.info")) == 1, "cached"
    slack.mock.team_name = "ML Society"
    slack.directory.team_ttl = 0
    renamed = await slack.command("/admin status")
    assert renamed["blocks"][0]["text"]["text"] == "Status of ML Society"


async def test_an_install_without_team_read_keeps_working_and_asks_once_an_hour(
    slack: SlackClub,
):
    slack.mock.scopes = slack.mock.scopes - {"team:read"}
    for _ in range(3):
        status = await slack.command("/admin status")
    assert status["blocks"][0]["text"]["text"] == f"Status of {TEAM}"
    assert len(slack.mock.called("team.info")) == 1


async def test_the_weekly_digest_carries_the_workspaces_name(slack: SlackClub):
    await slack.command(f"/admin setup timezone:America/New_York alerts:<#{OFFICERS}|officers>")
    await slack.runtime.scheduler.run_until(slack.clock, MONDAY + timedelta(days=7))
    [digest] = slack.mock.messages
    assert digest["blocks"][0]["text"]["text"] == f"Weekly officer digest · {TEAM_NAME}"
    status = await slack.command("/admin status")
    last_runs = next(b for b in status["blocks"] if "*Last runs*" in b["text"]["text"])
    assert "Weekly officer digest, Mon 23 Nov 09:00: posted" in last_runs["text"]["text"]
    assert "officer_digest" not in last_runs["text"]["text"]
    assert "2026-W" not in last_runs["text"]["text"]


# --- groups, help and typing ---------------------------------------------------------------


@pytest.mark.parametrize("line", ["/admin", "/admin help"])
async def test_the_admin_group_typed_alone_lists_its_subcommands_with_examples(
    slack: SlackClub, line: str
):
    answer = await slack.command(line)
    assert answer["response_type"] == "ephemeral"
    assert "There is no command" not in answer["text"]
    admin = [c for c in COMMANDS if c.name.startswith("admin ")]
    for command in admin:
        assert f"/{command.name}`" in answer["text"], command.name
    assert 'e.g. `/admin setup timezone:"New York"`' in answer["text"]
    assert "e.g. `/admin officers add member:@sam`" in answer["text"]


@pytest.mark.parametrize("root", ["mockpair", "alerts"])
async def test_a_members_group_typed_alone_lists_its_subcommands(slack: SlackClub, root: str):
    answer = await slack.command(f"/{root}", user=SAM)
    subcommands = [c.name for c in COMMANDS if c.name.startswith(root + " ")]
    assert subcommands
    assert all(f"/{name}`" in answer["text"] for name in subcommands)


async def test_help_explains_one_command_with_its_options_and_an_example(slack: SlackClub):
    answer = await slack.command("/help admin setup", user=SAM)
    assert answer["blocks"][0]["text"]["text"] == "/admin setup"
    assert 'Example: `/admin setup timezone:"New York"`' in answer["text"]
    assert "`digest_time`" in answer["text"]
    again = await slack.command("/admin setup help", user=SAM)
    assert again["text"] == answer["text"]


async def test_an_unquoted_value_with_spaces_gets_a_hint_to_quote_it(slack: SlackClub):
    answer = await slack.command("/admin deadlines add title:Career fair date:2026-12-01")
    assert 'Put quotes around a value with spaces, e.g. title:"Career fair"' in answer["text"]


async def test_a_choice_typed_in_another_case_is_accepted(slack: SlackClub):
    answer = await slack.command("/deadlines track:Quant", user=SAM)
    assert "must be one of" not in answer["text"]


async def test_the_officer_role_is_refused_on_slack_and_status_says_why(slack: SlackClub):
    answer = await slack.command("/admin setup officer_role:officers")
    assert "Slack has no roles" in answer["text"]
    assert (await slack.club()).officer_role_id is None
    status = await slack.command("/admin status")
    assert "Officers: workspace admins and the officer list (Slack has no roles)" in status["text"]


def test_the_admin_command_shows_every_subcommand_in_slacks_autocomplete():
    entries = manifest(COMMANDS)["features"]["slash_commands"]
    admin = next(e for e in entries if e["command"] == "/admin")
    assert len(admin["description"]) <= 2000
    assert len(admin["usage_hint"]) <= 1000
    for command in (c for c in COMMANDS if c.name.startswith("admin ")):
        words = command.name.removeprefix("admin ")
        assert words in admin["description"], words
        assert words in admin["usage_hint"], words


# --- the Home tab ---------------------------------------------------------------------


def _home_opened(user: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1700000000,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user}",
                "tab": "home",
                "event_ts": "1700000000.000100",
            },
        }
    )


async def _home(slack: SlackClub, user: str) -> dict[str, Any]:
    before = len(slack.mock.called("views.publish"))
    answer = await slack.app.async_dispatch(signed(_home_opened(user), form=False))
    assert answer.status == 200
    published = await slack.mock.wait_for(lambda: slack.mock.called("views.publish")[before:])
    return dict(published[0]["view"])


def _headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


async def test_the_home_tab_is_the_members_page(slack: SlackClub):
    await slack.command(f"/admin setup timezone:America/New_York problems:<#{PROBLEMS}|p>")
    await slack.command("/admin problem post-now")
    joined = await slack.command(
        '/mockpair join track:Coding level:2 availability:"mon-fri 18-21"', user=SAM
    )
    assert "must be one of" not in joined["text"]
    view = await _home(slack, SAM)
    headers = _headers(view)
    assert any(h.startswith("Daily problem") for h in headers), headers
    assert "Your progress" in headers
    assert "Mock-interview pairing" in headers
    assert not any(h.startswith("Status of") for h in headers), "members don't see status"
    assert len(view["blocks"]) <= 100
    actions = [b for b in view["blocks"] if b["type"] == "actions"][-1]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels[:2] == ["Today's problem", "I solved it"]


async def test_an_officers_home_tab_shows_the_clubs_status(slack: SlackClub):
    view = await _home(slack, ADMIN)
    assert f"Status of {TEAM_NAME}" in _headers(view)
    assert any("No problems channel" in json.dumps(b) for b in view["blocks"])


async def test_a_home_tab_button_answers_in_the_members_dm(slack: SlackClub):
    view = await _home(slack, SAM)
    actions = [b for b in view["blocks"] if b["type"] == "actions"][-1]
    leaderboard = next(e for e in actions["elements"] if e["text"]["text"] == "Leaderboard")
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "club"},
        "user": {"id": SAM, "username": "sam", "team_id": TEAM},
        "api_app_id": "A1",
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "block_id": "b1",
                "action_id": leaderboard["action_id"],
                "value": leaderboard["value"],
                "action_ts": "1700000001.000001",
            }
        ],
    }
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(payload)})
    assert (await slack.app.async_dispatch(signed(body, form=True))).status == 200
    [dm] = await slack.mock.wait_for(lambda: slack.mock.messages)
    assert dm["channel"] == f"D{SAM}"
    assert dm["blocks"][0]["text"]["text"].startswith("Leaderboard")


# --- OAuth: authorization is cached ----------------------------------------------------


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_mode_asks_auth_test_once_not_on_every_request(tmp_path: Path, mock: SlackMock):
    http = await installed_app(
        tmp_path, api_url=mock.api_url, clock=ManualClock(MONDAY), signing_secret=SECRET
    )
    try:
        assert (await http.install()).status == 200
        club = SlackClub(http.app, http.runtime, mock, http.clock, http.poster(), http.directory)
        installing = len(mock.called("auth.test"))  # the install flow asks once itself
        for _ in range(14):
            await club.command("/help", user=SAM, team="T2")
        assert len(mock.called("auth.test")) - installing == 1
    finally:
        await _settle()
        await http.close()


def test_slacks_usage_hint_leaves_out_the_role_option_slack_refuses():
    entries = manifest(COMMANDS)["features"]["slash_commands"]
    admin = next(e for e in entries if e["command"] == "/admin")
    assert "officer_role" not in admin["usage_hint"]
    assert "setup [timezone:…]" in admin["usage_hint"]
