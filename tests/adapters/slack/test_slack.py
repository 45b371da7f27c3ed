"""The Slack adapter, driven through bolt's own dispatch with signed requests.

A local mock of the Web API (tests/adapters/slack_mock.py) stands where slack.com would;
everything inside is real: bolt, slack_sdk's clients, the core, SQLite and the scheduler.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import build_app, command_line, response
from adapters.slack.manifest import BOT_SCOPES, manifest, roots
from adapters.slack.posting import SlackPoster
from adapters.slack.render import blocks, cut, escape, fallback_text, home_view
from adapters.slack.workspace import (
    SingleWorkspace,
    SlackDirectory,
    web_client,
)
from bot.app import GENERIC_ERROR, Command
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.home import home_page
from bot.model import Button, CommandEvent, Field, Message, Place, User
from bot.posting import PostFailed, PostRefused
from bot.runtime import COMMANDS, Runtime, open_runtime
from tests.adapters.slack.installed import installed_app
from tests.adapters.slack_mock import TEAM, TEAM_NAME, Failure, SlackMock, channel, member
from tests.conftest import MONDAY

SECRET = "test-signing-secret"
ADMIN, SAM, NEWBIE = "U0ADMIN", "U0SAM", "U0NEW"
GENERAL, OFFICERS, PROBLEMS, OLD = "C0GENERAL", "C0OFFICERS", "C0PROBLEMS", "C0OLD"
PLACE = Place(platform="slack", workspace_id=TEAM, channel_id=GENERAL)


@pytest.fixture
async def mock() -> AsyncIterator[SlackMock]:
    server = SlackMock(
        users={
            ADMIN: member(ADMIN, "Alex", admin=True),
            SAM: member(SAM, "Sam"),
            NEWBIE: member(NEWBIE, "Nia"),
        },
        channels={
            GENERAL: channel(GENERAL, "general"),
            OFFICERS: channel(OFFICERS, "officers"),
            PROBLEMS: channel(PROBLEMS, "daily-problem"),
            OLD: channel(OLD, "old-news"),
        },
    )
    await server.start()
    yield server
    await server.stop()


@dataclass
class SlackClub:
    """A club on Slack: the bolt app, the runtime behind it, and the mock Slack."""

    app: AsyncApp
    runtime: Runtime
    mock: SlackMock
    clock: ManualClock
    poster: SlackPoster
    directory: SlackDirectory
    prefix: str = ""

    async def command(
        self, line: str, *, user: str = ADMIN, team: str = TEAM, answers: int = 1
    ) -> dict[str, Any]:
        """Run `/root text` as a member; returns the first of the `answers` that reach the
        response_url (a follow-up, e.g. a delivery that failed, may come with it)."""
        root, _, text = line.removeprefix("/").partition(" ")
        hook = self.mock.response_url()
        body = urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "club",
                "channel_id": GENERAL,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": f"/{self.prefix}{root}",
                "text": text,
                "api_app_id": "A1",
                "response_url": hook,
                "trigger_id": "1.2.3",
            }
        )
        answer = await self.app.async_dispatch(signed(body, form=True))
        assert answer.status == 200, answer.body
        found = await self.mock.wait_for(
            lambda: len(self.mock.responses_to(hook)) >= answers and self.mock.responses_to(hook)
        )
        assert len(found) == answers
        return dict(found[0])

    async def click(self, element: dict[str, Any], *, user: str = SAM) -> list[dict[str, Any]]:
        hook = self.mock.response_url()
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "club"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A1",
            "channel": {"id": PROBLEMS, "name": "daily-problem"},
            "container": {"type": "message", "message_ts": "1700000000.000001"},
            "trigger_id": "1.2.3",
            "response_url": hook,
            "actions": [
                {
                    "type": "button",
                    "block_id": "b1",
                    "action_id": element["action_id"],
                    "value": element.get("value", ""),
                    "action_ts": "1700000001.000001",
                }
            ],
        }
        answer = await self.app.async_dispatch(
            signed(urlencode({"payload": json.dumps(payload)}), form=True)
        )
        assert answer.status == 200, answer.body
        return [dict(r) for r in await self.mock.wait_for(lambda: self.mock.responses_to(hook))]

    async def club(self) -> Any:
        return (await self.runtime.store.clubs.all())[0]


def signed(body: str, *, form: bool, secret: str = SECRET, age: int = 0) -> AsyncBoltRequest:
    """A request as Slack signs it: v0 HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    timestamp = str(int(time.time()) - age)
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }
    return AsyncBoltRequest(body=body, headers=headers)


async def _open_club(
    tmp_path: Path, mock: SlackMock, prefix: str = "", public_url: str = ""
) -> SlackClub:
    clock = ManualClock(MONDAY)
    client = web_client("xoxb-test", base_url=mock.api_url)
    directory = SlackDirectory(SingleWorkspace(client))
    poster = SlackPoster(directory.workspaces)
    runtime = await open_runtime(
        database_url=sqlite_url(tmp_path / "x.db"),
        clock=clock,
        poster=poster,
        directory=directory,
        owner="test",
        public_url=public_url,
    )
    app = build_app(
        runtime.bot, directory=directory, client=client, signing_secret=SECRET, prefix=prefix
    )
    return SlackClub(app, runtime, mock, clock, poster, directory, prefix)


async def _settle() -> None:
    """Let bolt's background listeners finish before the loop closes."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current]
    if pending:
        await asyncio.wait(pending, timeout=5)


@pytest.fixture
async def slack(tmp_path: Path, mock: SlackMock) -> AsyncIterator[SlackClub]:
    club = await _open_club(tmp_path, mock)
    yield club
    await _settle()
    await club.runtime.close()


def assert_fits_block_kit(payload: dict[str, Any]) -> None:
    """Slack's limits: 50 blocks, header 150, section 3000, 10 fields of 2000, a text fallback."""
    assert payload["text"].strip()
    assert 1 <= len(payload["blocks"]) <= 50
    action_ids = []
    for block in payload["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert "text" in block or "fields" in block
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        elif block["type"] == "actions":
            assert len(block["elements"]) <= 25
            action_ids += [e["action_id"] for e in block["elements"]]
        else:
            raise AssertionError(f"unexpected block {block['type']}")
    assert len(action_ids) == len(set(action_ids))


def _sample_args(command: Command) -> str:
    """The command's required options, filled in the way Slack sends them."""
    parts = []
    for option in (o for o in command.options if o.required):
        if option.kind == "user":
            value = f"<@{SAM}|sam>"
        elif option.kind == "channel":
            value = f"<#{GENERAL}|general>"
        elif option.choices:
            value = option.choices[0]
        else:
            value = "1" if option.kind == "integer" else "test"
        parts.append(f"{option.name}:{value}")
    return " ".join(parts)


# --- slash commands ---------------------------------------------------------------


async def test_every_core_command_answers_through_the_response_url_within_block_kit_limits(
    slack: SlackClub,
):
    commands = slack.runtime.bot.commands
    assert commands, "the core declares no commands"
    for command in commands:
        line = f"/{command.name} {_sample_args(command)}".strip()
        payload = await slack.command(line)
        assert set(payload) <= {"text", "blocks", "response_type", "thread_ts"}, line
        assert payload["response_type"] in ("ephemeral", "in_channel"), line
        assert_fits_block_kit(payload)
        assert GENERIC_ERROR not in payload["text"], f"{line} crashed in the core"


async def test_help_is_an_ephemeral_block_kit_reply_with_a_plain_text_fallback(slack: SlackClub):
    payload = await slack.command("/help", user=SAM)
    user = User(id=SAM, name="Sam")
    expected = await slack.runtime.bot.handle(
        CommandEvent(name="help", args={}, user=user, place=PLACE)
    )
    assert payload == {
        "text": fallback_text(expected),
        "blocks": blocks(expected),
        "response_type": "ephemeral",
    }
    assert payload["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "What you can run"},
    }


async def test_the_calendar_file_is_uploaded_to_the_members_dm(slack: SlackClub):
    payload = await slack.command("/calendar", user=SAM)
    assert payload["response_type"] == "ephemeral"
    uploaded = await slack.mock.wait_for(lambda: slack.mock.uploads)
    [content] = uploaded.values()
    assert content.startswith(b"BEGIN:VCALENDAR")
    [complete] = await slack.mock.wait_for(
        lambda: slack.mock.called("files.completeUploadExternal")
    )
    assert complete["channel_id"] == f"D{SAM}"


async def test_an_officer_names_channels_and_members_as_slack_escapes_them(slack: SlackClub):
    setup = await slack.command(
        f"/admin setup timezone:America/New_York alerts:<#{OFFICERS}|officers>"
    )
    assert "Alerts channel (officer alerts and the weekly digest): #officers" in setup["text"]
    added = await slack.command(f"/admin officers add member:<@{SAM}|sam>")
    assert "Sam is now an officer." in added["text"]
    club = await slack.club()
    assert club.timezone == "America/New_York"
    assert club.channels["alerts"].id == OFFICERS
    assert SAM in club.officer_ids
    assert [c["channel"] for c in slack.mock.called("conversations.info")] == [OFFICERS]


async def test_a_channel_typed_by_name_is_found_and_an_archived_one_is_not(slack: SlackClub):
    typed = await slack.command("/admin setup alerts:#officers")
    assert "Alerts channel (officer alerts and the weekly digest): #officers" in typed["text"]
    slack.mock.channels[OLD]["is_archived"] = True
    archived = await slack.command(f"/admin setup problems:<#{OLD}|old-news>")
    assert "I can't find the channel" in archived["text"]
    club = await slack.club()
    assert club.channels["alerts"].id == OFFICERS
    assert "problems" not in club.channels


async def test_an_officer_on_the_club_list_may_run_admin_commands_without_workspace_rights(
    slack: SlackClub,
):
    await slack.command(f"/admin officers add member:<@{SAM}|sam>")
    status = await slack.command("/admin status", user=SAM)
    assert "Only club officers" not in status["text"]
    assert status["blocks"][0]["text"]["text"].startswith("Status of")


async def test_a_member_without_rights_is_refused_admin_setup_and_the_club_is_unchanged(
    slack: SlackClub,
):
    refused = await slack.command("/admin setup timezone:Asia/Tokyo", user=NEWBIE)
    assert refused["response_type"] == "ephemeral"
    assert "Only club officers can run /admin setup." in refused["text"]
    club = await slack.club()
    assert club.timezone == "UTC"
    assert await slack.runtime.store.audit(club.id) == []


async def test_mentions_typed_into_a_command_come_back_as_text_that_cannot_ping(slack: SlackClub):
    payload = await slack.command("/admin <!channel> <!here> &lt;@U0ADMIN&gt;", user=SAM)
    wire = json.dumps(payload)
    assert "<!channel>" not in wire
    assert "<!here>" not in wire
    assert "<@U0ADMIN>" not in wire
    assert "&lt;!channel&gt;" in payload["blocks"][-1]["text"]["text"]
    assert "&lt;!channel&gt;" in payload["text"]


async def test_workspace_admin_rights_are_read_once_and_cached(slack: SlackClub):
    await slack.command("/help", user=SAM)
    await slack.command("/help", user=SAM)
    assert [c["user"] for c in slack.mock.called("users.info")] == [SAM]


async def test_rights_are_read_again_once_the_cache_expires(slack: SlackClub):
    now = [0.0]
    directory = SlackDirectory(slack.directory.workspaces, monotonic=lambda: now[0])
    slack.mock.users[SAM]["is_admin"] = True
    assert (await directory.member(TEAM, SAM)) == User(id=SAM, name="Sam", is_admin=True)
    slack.mock.users[SAM]["is_admin"] = False
    now[0] = 200.0
    assert (await directory.member(TEAM, SAM)).is_admin
    now[0] = 301.0
    assert not (await directory.member(TEAM, SAM)).is_admin
    assert await directory.member(TEAM, "U0GONE") is None
    assert len(slack.mock.called("users.info")) == 3


async def test_an_unreadable_line_gets_a_clear_ephemeral_error(slack: SlackClub):
    payload = await slack.command('/admin setup timezone:"America/New_York', user=ADMIN)
    assert payload["response_type"] == "ephemeral"
    assert "Close every quote" in payload["text"]


def test_curly_quotes_and_escaped_text_become_the_console_syntax():
    assert command_line("admin", "setup timezone:\u201cAmerica/New_York\u201d") == (
        '/admin setup timezone:"America/New_York"'
    )
    assert command_line("help", "") == "/help"
    assert command_line("solved", "problem:a&amp;b") == "/solved problem:a&b"


async def test_a_prefix_names_every_slash_command(tmp_path: Path, mock: SlackMock):
    club = await _open_club(tmp_path, mock, prefix="cb-")
    try:
        payload = await club.command("/help", user=SAM)
        assert payload["blocks"][0]["text"]["text"] == "What you can run"
        unprefixed = urlencode({"team_id": TEAM, "user_id": SAM, "command": "/help", "text": ""})
        answer = await club.app.async_dispatch(signed(unprefixed, form=True))
        assert answer.status == 404
    finally:
        await _settle()
        await club.runtime.close()


# --- request signing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "age"), [("not-the-secret", 0), (SECRET, 6 * 60)], ids=["bad-signature", "stale"]
)
async def test_a_request_slack_did_not_sign_just_now_is_rejected(slack: SlackClub, secret, age):
    body = urlencode(
        {
            "team_id": TEAM,
            "user_id": ADMIN,
            "command": "/admin",
            "text": "setup timezone:Asia/Tokyo",
            "response_url": slack.mock.response_url(),
        }
    )
    answer = await slack.app.async_dispatch(signed(body, form=True, secret=secret, age=age))
    assert answer.status == 401
    await asyncio.sleep(0.05)
    assert slack.mock.responses == []
    assert (await slack.runtime.store.clubs.all()) == []


# --- buttons and the Home tab ---------------------------------------------------------


async def test_a_click_on_the_daily_problems_solved_button_counts_the_solve(slack: SlackClub):
    await slack.command(f"/admin setup timezone:America/New_York problems:<#{PROBLEMS}|p>")
    posted = await slack.command("/admin problem post-now")
    assert "Posted today's problem." in posted["text"]
    [post] = slack.mock.messages
    assert post["channel"] == PROBLEMS
    [actions] = [b for b in post["blocks"] if b["type"] == "actions"]
    solved = next(e for e in actions["elements"] if e.get("value", "").startswith("solved:"))
    [answer] = await slack.click(solved, user=SAM)
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["text"].startswith("Counted: ")
    assert_fits_block_kit(answer)


async def test_a_click_on_a_button_the_core_no_longer_knows_gets_an_ephemeral_answer(
    slack: SlackClub,
):
    element = {"action_id": "clubbot.0.gone", "value": "gone:42"}
    [answer] = await slack.click(element, user=SAM)
    assert answer["response_type"] == "ephemeral"
    assert "This button no longer does anything." in answer["text"]


async def test_opening_the_home_tab_publishes_the_members_section(slack: SlackClub):
    event = {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "event": {
            "type": "app_home_opened",
            "user": SAM,
            "channel": "D0SAM",
            "tab": "home",
            "event_ts": "1700000000.000100",
        },
    }
    answer = await slack.app.async_dispatch(signed(json.dumps(event), form=False))
    assert answer.status == 200
    [published] = await slack.mock.wait_for(lambda: slack.mock.called("views.publish"))
    user = User(id=SAM, name="Sam")
    place = Place(platform="slack", workspace_id=TEAM, channel_id="D0SAM")
    expected = await home_page(slack.runtime.bot, user, place)
    assert published == {"user_id": SAM, "view": home_view(expected)}


# --- posting ----------------------------------------------------------------------------


async def test_a_post_sends_escaped_blocks_and_a_fallback_and_returns_the_ts(slack: SlackClub):
    message = Message(
        title="Heads up",
        text="<!everyone> R&D <@U1> opens",
        fields=(Field(name="When", value="Mon <3", inline=True),),
        buttons=(Button(label="Apply", url="https://example.com/apply"),),
    )
    ts = await slack.poster.post(PLACE, message)
    assert ts == "1700000000.000001"
    assert slack.mock.messages == [
        {
            "channel": GENERAL,
            "unfurl_links": False,
            "unfurl_media": False,
            "text": "Heads up\n&lt;!everyone&gt; R&amp;D &lt;@U1&gt; opens\nWhen: Mon &lt;3",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Heads up"}},
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "&lt;!everyone&gt; R&amp;D &lt;@U1&gt; opens",
                    },
                },
                {"type": "section", "fields": [{"type": "mrkdwn", "text": "*When*\nMon &lt;3"}]},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Apply", "emoji": True},
                            "action_id": "clubbot.link.0",
                            "url": "https://example.com/apply",
                        }
                    ],
                },
            ],
        }
    ]


async def test_a_reply_in_a_thread_carries_thread_ts(slack: SlackClub):
    await slack.poster.post(PLACE, Message(text="hint", thread_of="1700000000.000001"))
    assert slack.mock.messages[0]["thread_ts"] == "1700000000.000001"


async def test_a_dm_opens_the_conversation_then_posts_there(slack: SlackClub):
    await slack.poster.dm(PLACE, SAM, Message(text="Your pair is Alex."))
    assert slack.mock.called("conversations.open") == [{"users": SAM}]
    assert [(m["channel"], m["text"]) for m in slack.mock.messages] == [
        ("D" + SAM, "Your pair is Alex.")
    ]


async def test_a_429_is_waited_out_and_the_message_goes_out_exactly_once(slack: SlackClub):
    slack.mock.fail_next(
        "chat.postMessage",
        Failure(
            status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"}
        ),
    )
    ts = await slack.poster.post(PLACE, Message(text="Today's problem is up."))
    assert ts
    assert len(slack.mock.called("chat.postMessage")) == 2
    assert [m["text"] for m in slack.mock.messages] == ["Today's problem is up."]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "missing_scope"])
async def test_a_channel_that_will_not_take_posts_is_refused(slack: SlackClub, error):
    slack.mock.fail_next(
        "chat.postMessage", Failure(status=200, body={"ok": False, "error": error})
    )
    with pytest.raises(PostRefused, match=error):
        await slack.poster.post(PLACE, Message(text="hello"))


@pytest.mark.parametrize(
    "failure",
    [
        Failure(status=500, body={"ok": False, "error": "internal_error"}),
        Failure(status=200, body={"ok": False, "error": "fatal_error"}),
    ],
    ids=["5xx", "passing-error"],
)
async def test_a_passing_failure_is_reported_for_a_retry(slack: SlackClub, failure):
    slack.mock.fail_next("chat.postMessage", failure)
    with pytest.raises(PostFailed):
        await slack.poster.post(PLACE, Message(text="hello"))
    assert slack.mock.messages == []


# --- the scheduler through Slack ----------------------------------------------------------


async def test_the_weekly_digest_reaches_slack_exactly_once(slack: SlackClub):
    await slack.command(f"/admin setup timezone:America/New_York alerts:<#{OFFICERS}|officers>")
    await slack.runtime.scheduler.run_until(slack.clock, MONDAY + timedelta(days=7))
    await slack.runtime.scheduler.catch_up()
    [digest] = slack.mock.messages
    assert set(digest) == {"channel", "text", "blocks", "unfurl_links", "unfurl_media", "metadata"}
    assert digest["metadata"]["event_type"] == "clubbot_post"  # the occurrence, to look for
    assert digest["channel"] == OFFICERS
    assert digest["blocks"][0]["text"]["text"] == f"Weekly officer digest · {TEAM_NAME}"
    assert digest["text"].startswith(f"Weekly officer digest · {TEAM_NAME}\n")
    assert_fits_block_kit(digest)


async def test_an_archived_channel_is_marked_broken_and_the_officers_are_told(slack: SlackClub):
    await slack.command(
        f"/admin setup timezone:America/New_York alerts:<#{OFFICERS}|officers> "
        f"problems:<#{OLD}|old-news>"
    )
    slack.mock.channels[OLD]["is_archived"] = True
    await slack.runtime.scheduler.run_until(slack.clock, MONDAY + timedelta(days=1))
    club = await slack.club()
    assert club.channels["problems"].broken_reason == "is_archived"
    [notice] = slack.mock.messages
    assert notice["channel"] == OFFICERS
    assert "I can no longer post in #old-news (is_archived)" in notice["text"]
    status = await slack.command("/admin status")
    assert "#old-news refuses my posts (is_archived)" in status["text"]


# --- rendering and the manifest -----------------------------------------------------------


def test_the_longest_message_still_fits_once_escaping_has_grown_it():
    fields = (
        Field(name="a", value="&" * 1024, inline=True),
        Field(name="b", value="<" * 1024, inline=True),
        Field(name="c", value=">" * 700),
    )
    message = Message(title="<" * 150, text="<&>" * 1000, fields=fields, buttons=())
    payload = {"text": fallback_text(message), "blocks": blocks(message)}
    assert_fits_block_kit(payload)
    # 13,000 escaped characters: five sections of at most 3000.
    sections = [b["text"]["text"] for b in payload["blocks"][1:6]]
    assert "".join(sections) == escape("<&>" * 1000)
    assert payload["blocks"][0]["text"]["text"] == "<" * 150
    inline = payload["blocks"][6]["fields"]
    # Cut to 2000 at an entity's end, never through one.
    assert [f["text"][-2:] for f in inline] == [";…", ";…"]
    assert all(1995 <= len(f["text"]) <= 2000 for f in inline)


def test_a_cut_never_splits_an_entity():
    assert cut("ab&amp;cd", 5) == "ab…"
    assert cut("abc", 5) == "abc"


def test_the_manifest_declares_one_slash_command_per_root_with_hints():
    commands = _core_commands()
    generated = manifest(commands, "cb-")
    slash = generated["features"]["slash_commands"]
    assert [s["command"] for s in slash] == [f"/cb-{root}" for root in roots(commands)]
    for entry in slash:
        assert len(entry["command"]) <= 32
        assert 1 <= len(entry["description"]) <= 2000
        assert len(entry.get("usage_hint", "")) <= 1000
        assert entry["should_escape"] is True
        assert "url" not in entry
    admin = next(s for s in slash if s["command"] == "/cb-admin")
    assert "setup" in admin["usage_hint"]
    assert generated["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert generated["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "user_change",
    ]
    assert generated["settings"]["interactivity"]["is_enabled"] is True
    assert generated["settings"]["socket_mode_enabled"] is True


def test_the_http_manifest_points_slack_at_the_public_url():
    generated = manifest(_core_commands(), base_url="https://club.example.org/")
    url = "https://club.example.org/slack/events"
    assert {s["url"] for s in generated["features"]["slash_commands"]} == {url}
    assert generated["settings"]["event_subscriptions"]["request_url"] == url
    assert generated["settings"]["interactivity"]["request_url"] == url
    assert generated["oauth_config"]["redirect_urls"] == [
        "https://club.example.org/slack/oauth_redirect"
    ]
    assert generated["settings"]["socket_mode_enabled"] is False


def test_a_prefix_slack_would_refuse_is_refused():
    with pytest.raises(ValueError, match="prefix"):
        manifest(_core_commands(), "CB ")


def test_a_response_keeps_the_original_message_when_asked():
    payload = response(Message(text="ok", ephemeral=True), replace_original=False)
    assert payload["response_type"] == "ephemeral"
    assert payload["replace_original"] is False


def _core_commands() -> tuple[Command, ...]:
    return COMMANDS


# --- HTTP mode: the install flow and many workspaces ---------------------------------------


# slack_sdk 3.47 sends oauth.v2.access credentials with aiohttp's BasicAuth, deprecated in
# aiohttp 3.14 (it still works; aiohttp 4 drops it).
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_http_mode_installs_a_workspace_and_answers_it_with_its_own_token(
    tmp_path: Path, mock: SlackMock
):
    http = await installed_app(
        tmp_path, api_url=mock.api_url, clock=ManualClock(MONDAY), signing_secret=SECRET
    )
    workspaces = http.workspaces
    try:
        async with TestClient(http.server()) as browser:
            install = await browser.get("/slack/install")
            assert install.status == 200
            page = (await install.text()).replace("&amp;", "&")
            start = page.index("https://slack.com/oauth/v2/authorize?")
            link = page[start : page.index('"', start)]
            assert "client_id=client-id" in link
            assert "scope=commands,chat:write,chat:write.public" in link
            state = link.split("state=")[1].split("&")[0]
            # The state cookie is Secure; a browser would send it back over HTTPS.
            cookie = install.headers["Set-Cookie"].split(";")[0]
            done = await browser.get(
                f"/slack/oauth_redirect?code=c0de&state={state}", headers={"Cookie": cookie}
            )
            assert done.status == 200
        assert mock.called("oauth.v2.access")[0]["code"] == "c0de"
        assert (await workspaces.client("T2")).token == "xoxb-installed"
        ts = await SlackPoster(workspaces).post(
            Place(platform="slack", workspace_id="T2", channel_id=GENERAL), Message(text="hi")
        )
        assert ts
        assert mock.tokens[-1] == ("chat.postMessage", "xoxb-installed")
        club = SlackClub(http.app, http.runtime, mock, http.clock, http.poster(), http.directory)
        payload = await club.command("/help", user=SAM, team="T2")
        assert payload["blocks"][0]["text"]["text"] == "What you can run"
        assert ("users.info", "xoxb-installed") in mock.tokens
        with pytest.raises(PostRefused, match="app_uninstalled"):
            await SlackPoster(workspaces).post(
                Place(platform="slack", workspace_id="T9", channel_id=GENERAL), Message(text="hi")
            )
    finally:
        await _settle()
        await http.close()
