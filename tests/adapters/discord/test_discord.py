"""The Discord adapter on the real discord.py: gateway payloads in through the client's
own parsers, HTTP out to a local mock of the Discord API, asserted request by request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import discord.webhook.async_ as webhooks
import pytest
from aiohttp import web

from adapters.discord.commands import command_payload, sync_commands
from adapters.discord.directory import DiscordDirectory
from adapters.discord.listener import build_client
from adapters.discord.posting import DiscordPoster
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.runtime import COMMANDS, Runtime, open_runtime
from tests.conftest import MONDAY

APP, GUILD, CHANNEL, OWNER, MEMBER_ID = 9000, 100, 200, 300, 301
CATEGORY = CHANNEL + 2
ADMIN_RIGHTS = str(discord.Permissions(manage_guild=True).value)
# What @everyone may do in a new server: see channels, write, embed links.
EVERYONE_RIGHTS = str(
    discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        create_public_threads=True,
        send_messages_in_threads=True,
    ).value
)
_CHANNEL_OPTION = 7


class NotDelivered(AssertionError):
    """Discord would not have sent this interaction: the member can't see the command, or
    the picker would not have offered that channel."""


@dataclass
class DiscordMock:
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    fail_next: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    commands: list[Any] = field(default_factory=list)
    # Channel types of the guild's channels (0 text, 4 category), as GET /channels answers.
    channel_kinds: dict[int, int] = field(default_factory=lambda: {CATEGORY: 4})
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: int = 5000

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/v10"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def refusal(self, interaction: dict[str, Any]) -> str | None:
        """Why Discord would not deliver `interaction` given the uploaded command tree (its
        client enforces contexts, default_member_permissions and channel_types); None if
        it would."""
        if interaction["type"] not in (2, 4):
            return None
        data = interaction["data"]
        spec = next((c for c in self.commands if c["name"] == data["name"]), None)
        if spec is None:
            return None
        in_guild = "guild_id" in interaction
        contexts = spec.get("contexts")
        if not in_guild and (
            spec.get("dm_permission") is False or (contexts and 1 not in contexts)
        ):
            return f"/{data['name']} is not offered in DMs"
        needed = int(spec.get("default_member_permissions") or 0)
        has = int(interaction.get("member", {}).get("permissions", "0"))
        administrator = discord.Permissions(administrator=True).value
        if in_guild and needed and has & needed != needed and not has & administrator:
            return f"/{data['name']} is hidden from this member"
        return self._channel_refusal(spec.get("options", []), data.get("options", []))

    def _channel_refusal(self, specs: list[Any], given: list[Any]) -> str | None:
        for option in given:
            spec = next((o for o in specs if o["name"] == option["name"]), {})
            if option["type"] in (1, 2):
                found = self._channel_refusal(spec.get("options", []), option.get("options", []))
                if found:
                    return found
            elif option["type"] == _CHANNEL_OPTION and spec.get("channel_types") is not None:
                kind = self.channel_kinds.get(int(option["value"]), 0)
                if kind not in spec["channel_types"]:
                    return f"the picker does not offer channel type {kind}"
        return None

    def sent(self, method: str, path_start: str) -> list[Any]:
        return [body for m, p, body in self.requests if m == method and p.startswith(path_start)]

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "multipart/form-data":
                reader = await request.multipart()
                part = await reader.next()
                body = json.loads(await part.text()) if part is not None else None  # type: ignore[union-attr]
            else:
                body = await request.json()
        self.requests.append((request.method, path, body))
        if "/members/" in path:  # GET /guilds/{id}/members/{id}: no privileged intent needed
            known = {
                str(OWNER): _member(OWNER, "alex", ["400"]),
                str(MEMBER_ID): _member(MEMBER_ID, "sam", []),
            }
            found = known.get(path.rsplit("/", 1)[-1])
            if found is None:
                return _json({"message": "Unknown Member", "code": 10007}, status=404)
            return _json(found)
        queued = self.fail_next.get(path)
        if queued:
            status, payload = queued.pop(0)
            extra = {"X-RateLimit-Scope": "user"} if status == 429 else {}
            return _json(payload, status=status, headers=extra)
        return _json(self._answer(request.method, path, body))

    def _answer(self, method: str, path: str, body: Any) -> Any:
        self._ids += 1
        if path == "/users/@me":
            return _user(APP, "clubbot", bot=True)
        if path == "/oauth2/applications/@me":
            return {
                "id": str(APP),
                "name": "clubbot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": _user(OWNER, "owner"),
                "verify_key": "k",
                "flags": 0,
            }
        if path.startswith("/interactions/"):
            return {"interaction": {"id": path.split("/")[2], "type": 2}}
        if path == f"/applications/{APP}/commands":
            if method == "PUT":
                self.commands = body
            return self.commands
        parts = path.split("/")
        if path.startswith("/channels/") and path.endswith("/threads"):
            thread = {**_channel(self._ids, "thread"), "type": 11, "parent_id": parts[2]}
            metadata = {
                "archived": False,
                "auto_archive_duration": 1440,
                "locked": False,
                "archive_timestamp": "2026-11-16T15:00:00+00:00",
            }
            return {
                **thread,
                "owner_id": str(APP),
                "thread_metadata": metadata,
                "message_count": 0,
                "member_count": 1,
            }
        if path.startswith("/channels/") and len(parts) == 5 and parts[3] == "messages":
            return _message(int(parts[4]), int(parts[2]), {})
        if (path.startswith("/channels/") and path.endswith("/messages")) or path.startswith(
            "/webhooks/"
        ):
            channel = path.split("/")[2] if path.startswith("/channels/") else str(CHANNEL)
            return _message(self._ids, int(channel), body or {})
        if path.startswith("/channels/"):
            cid = int(path.split("/")[2])
            return {**_channel(cid), "type": self.channel_kinds.get(cid, 0)}
        return {}


def _json(
    payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON exactly as Discord labels it: discord.py parses only `application/json`."""
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _user(uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name,
        "bot": bot,
    }


def _channel(cid: int, name: str = "officers") -> dict[str, Any]:
    return {
        "id": str(cid),
        "type": 0,
        "guild_id": str(GUILD),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def _message(mid: int, channel: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(mid),
        "channel_id": str(channel),
        "content": body.get("content") or "",
        "author": _user(APP, "clubbot", bot=True),
        "timestamp": "2026-11-16T15:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds", []),
        "pinned": False,
        "type": 0,
    }


def _member(uid: int, name: str, roles: list[str]) -> dict[str, Any]:
    return {
        "user": _user(uid, name),
        "roles": roles,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


def guild_create() -> dict[str, Any]:
    return {
        "id": str(GUILD),
        "name": "ML Club",
        "owner_id": str(OWNER),
        "member_count": 2,
        "large": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": str(GUILD),
                "name": "@everyone",
                "permissions": EVERYONE_RIGHTS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": "400",
                "name": "Officers",
                "permissions": ADMIN_RIGHTS,
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
        ],
        "channels": [
            _channel(CHANNEL, "officers"),
            _channel(CHANNEL + 1, "daily-problem"),
            {**_channel(CATEGORY, "Club"), "type": 4},
        ],
        "members": [
            _member(OWNER, "alex", ["400"]),
            _member(MEMBER_ID, "sam", []),
            {**_member(APP, "clubbot", []), "user": _user(APP, "clubbot", bot=True)},
        ],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "system_channel_id": str(CHANNEL),
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
    }


def command(
    name: str,
    user: int,
    *,
    options: list[dict[str, Any]] | None = None,
    kind: int = 2,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rights = ADMIN_RIGHTS if user == OWNER else "0"
    return {
        "id": "777",
        "application_id": str(APP),
        "type": kind,
        "token": f"tok-{name}",
        "version": 1,
        "guild_id": str(GUILD),
        "channel_id": str(CHANNEL),
        "channel": _channel(CHANNEL),
        "member": {
            **_member(user, "alex" if user == OWNER else "sam", ["400"] if user == OWNER else []),
            "permissions": rights,
        },
        "data": data or {"id": "1", "name": name, "type": 1, "options": options or []},
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "attachment_size_limit": 26214400,
        "authorizing_integration_owners": {},
        "context": 0,
    }


def _setup(timezone: str, *, alerts: int | None = CHANNEL) -> dict[str, Any]:
    """/admin setup timezone:… alerts:#channel, as Discord sends it (a channel id)."""
    options: list[dict[str, Any]] = [{"name": "timezone", "type": 3, "value": timezone}]
    if alerts is not None:
        options.append({"name": "alerts", "type": 7, "value": str(alerts)})
    return {
        "id": "1",
        "name": "admin",
        "type": 1,
        "options": [{"name": "setup", "type": 1, "options": options}],
    }


@dataclass
class DiscordClub:
    mock: DiscordMock
    runtime: Runtime
    client: discord.Client

    async def interact(self, payload: dict[str, Any], *, enforce: bool = True) -> dict[str, Any]:
        """Deliver an interaction as Discord would; `enforce=False` skips Discord's own
        checks (an interaction from a command tree uploaded before the current one)."""
        refused = self.mock.refusal(payload) if enforce else None
        if refused:
            raise NotDelivered(refused)
        before = len(self.mock.requests)
        self.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        for _ in range(500):
            await asyncio.sleep(0.01)
            new = [r for r in self.mock.requests[before:] if r[1].startswith("/interactions/")]
            if new:
                await asyncio.sleep(0.05)
                return new[-1][2]  # type: ignore[no-any-return]
        raise AssertionError("no interaction callback reached the mock")


@asynccontextmanager
async def connected(
    mock: DiscordMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **runtime: Any
) -> AsyncIterator[tuple[Runtime, discord.Client, ManualClock]]:
    """The bot on `tmp_path/d.db`, logged in through discord.py to `mock` with the command
    tree Discord enforces, and in the mock's guild; closed after. `runtime`: more options
    of `open_runtime` (e.g. public_url)."""
    await mock.start()
    monkeypatch.setattr(discord.http.Route, "BASE", mock.url)
    monkeypatch.setattr(webhooks.Route, "BASE", mock.url)
    clock = ManualClock(MONDAY)
    poster, directory = DiscordPoster(), DiscordDirectory()
    opened = await open_runtime(
        database_url=sqlite_url(tmp_path / "d.db"),
        clock=clock,
        poster=poster,
        directory=directory,
        **runtime,
    )
    client = build_client(opened.bot)
    poster.bind(client)
    directory.bind(client)
    try:
        await client.login("fake-token")
        await sync_commands(client, COMMANDS, force=True)  # the tree Discord enforces
        client._connection.parse_guild_create(guild_create())  # type: ignore[arg-type]
        yield opened, client, clock
    finally:
        await client.close()
        await opened.close()
        await mock.stop()


@pytest.fixture
async def discord_club(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordClub]:
    mock = DiscordMock()
    async with connected(mock, tmp_path, monkeypatch) as (runtime, client, _):
        await asyncio.wait_for(_first_post(mock), timeout=5)  # the greeting, before any test
        yield DiscordClub(mock=mock, runtime=runtime, client=client)


def test_the_command_tree_is_built_from_the_core_specs():
    payload = {c["name"]: c for c in command_payload(COMMANDS)}
    assert {"help", "deadlines", "problem", "admin", "mockpair", "alerts"} <= set(payload)
    admin = payload["admin"]
    assert "default_member_permissions" not in admin, "the core decides who is an officer"
    assert all(c["contexts"] == [0] and c["dm_permission"] is False for c in payload.values())
    officers = next(o for o in admin["options"] if o["name"] == "officers")
    assert officers["type"] == 2
    assert [o["name"] for o in officers["options"]] == ["add", "remove", "list"]
    problem = next(o for o in payload["problem"]["options"] if o["name"] == "topic")
    assert problem["autocomplete"] is True
    assert all(len(o.get("choices", [])) <= 25 for c in payload.values() for o in c["options"])


async def test_a_slash_command_is_answered_through_the_interaction_callback(discord_club):
    body = await discord_club.interact(command("help", MEMBER_ID))
    assert body["type"] == 4
    assert body["data"]["flags"] == 64  # ephemeral
    assert body["data"]["embeds"][0]["title"] == "What you can run"
    assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_every_core_command_gets_an_answer_within_discords_limits(discord_club):
    for spec in COMMANDS:
        words = spec.name.split(" ")
        options = [
            {"name": o.name, "type": 3, "value": "x" if o.kind == "string" else "1"}
            for o in spec.options
            if o.required
        ]
        for word in reversed(words[1:]):
            options = [{"name": word, "type": 1, "options": options}]
        if len(words) == 3:
            options = [{"name": words[1], "type": 2, "options": options[0]["options"]}]
        data = {"id": "1", "name": words[0], "type": 1, "options": options}
        body = await discord_club.interact(command(words[0], OWNER, data=data))
        assert body["type"] in (4, 5), spec.name
        if body["type"] == 4:
            card = body["data"]["embeds"][0]
            assert len(card.get("description", "")) <= 4096
            assert "went wrong on our side" not in card.get("description", ""), spec.name


async def test_an_admin_command_from_a_member_without_rights_is_refused(discord_club):
    data = _setup("Asia/Tokyo")
    body = await discord_club.interact(command("admin", MEMBER_ID, data=data))
    assert body["data"]["embeds"][0]["description"].startswith("Only club officers")
    club = (await discord_club.runtime.store.clubs.all())[0]
    assert club.timezone == "UTC", "unchanged"
    assert club.channels == {}


async def test_an_officer_sets_up_channels_by_id(discord_club):
    body = await discord_club.interact(command("admin", OWNER, data=_setup("Europe/London")))
    assert "Saved." in body["data"]["embeds"][0]["description"]
    club = (await discord_club.runtime.store.clubs.all())[0]
    assert club.timezone == "Europe/London"
    assert club.channels["alerts"].name == "officers"


async def test_autocomplete_answers_with_at_most_25_choices(discord_club):
    data = {
        "id": "1",
        "name": "problem",
        "type": 1,
        "options": [{"name": "topic", "type": 3, "value": "", "focused": True}],
    }
    body = await discord_club.interact(command("problem", MEMBER_ID, kind=4, data=data))
    assert body["type"] == 8
    assert 0 < len(body["data"]["choices"]) <= 25


async def test_a_button_click_is_routed_by_its_custom_id(discord_club):
    data = {"custom_id": "solved:two-sum", "component_type": 2}
    body = await discord_club.interact(command("x", MEMBER_ID, kind=3, data=data))
    assert "hasn't been posted in this club yet" in body["data"]["embeds"][0]["description"]


async def test_a_scheduled_post_reaches_the_api_once_and_a_429_is_waited_out(discord_club):
    await discord_club.interact(command("admin", OWNER, data=_setup("America/New_York")))
    discord_club.mock.fail_next[f"/channels/{CHANNEL}/messages"] = [
        (429, {"message": "You are being rate limited.", "retry_after": 0.05, "global": False})
    ]
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(days=7))
    posts = [
        p
        for p in discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
        if p.get("embeds")
    ]
    assert len(posts) == 2, "the 429, then the one that went through"
    assert posts[-1]["embeds"][0]["title"].startswith("Weekly officer digest")
    assert posts[-1]["allowed_mentions"] == {"parse": []}


async def test_a_403_marks_the_channel_broken(discord_club):
    await discord_club.interact(command("admin", OWNER, data=_setup("America/New_York")))
    discord_club.mock.fail_next[f"/channels/{CHANNEL}/messages"] = [
        (403, {"message": "Missing Access", "code": 50001}),
        (403, {"message": "Missing Access", "code": 50001}),
    ]
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(days=7))
    club = (await discord_club.runtime.store.clubs.all())[0]
    assert club.channels["alerts"].broken_reason == "403 Missing Access"


async def test_the_command_tree_is_uploaded_only_when_it_changed(discord_club):
    discord_club.mock.commands = []
    discord_club.mock.requests.clear()
    assert await sync_commands(discord_club.client, COMMANDS, force=False) is True
    assert await sync_commands(discord_club.client, COMMANDS, force=False) is False
    assert len(discord_club.mock.sent("PUT", f"/applications/{APP}/commands")) == 1


async def test_joining_a_guild_creates_its_club_and_greets_the_server(discord_club):
    greeting = await _first_post(discord_club.mock)
    assert "/admin setup" in greeting["content"]
    assert greeting["allowed_mentions"] == {"parse": []}
    [club] = await discord_club.runtime.store.clubs.all()
    assert (club.platform, club.workspace_id, club.name) == ("discord", str(GUILD), "ML Club")


async def _first_post(mock: DiscordMock) -> dict[str, Any]:
    for _ in range(500):
        posts = mock.sent("POST", f"/channels/{CHANNEL}/messages")
        if posts:
            return posts[0]  # type: ignore[no-any-return]
        await asyncio.sleep(0.01)
    raise AssertionError("nothing was posted to the channel")


async def test_leaving_a_guild_keeps_the_club_and_marks_when_it_left(discord_club):
    discord_club.client._connection.parse_guild_delete({"id": str(GUILD)})  # type: ignore[arg-type]
    for _ in range(200):
        [club] = await discord_club.runtime.store.clubs.all()
        if "left_at" in club.settings:
            break
        await asyncio.sleep(0.01)
    assert club.settings["left_at"].startswith("2026-11-16")


async def test_a_slow_answer_is_deferred_then_sent_as_a_follow_up(discord_club, monkeypatch):
    import adapters.discord.listener as adapter

    monkeypatch.setattr(adapter, "ANSWER_WITHIN", 0)
    body = await discord_club.interact(command("help", MEMBER_ID))
    assert body == {"type": 5, "data": {"flags": 64}}
    for _ in range(300):
        follow_ups = discord_club.mock.sent("POST", f"/webhooks/{APP}/tok-help")
        if follow_ups:
            break
        await asyncio.sleep(0.01)
    assert follow_ups[0]["embeds"][0]["title"] == "What you can run"
    assert follow_ups[0]["flags"] == 64


async def test_a_reply_in_a_thread_opens_the_thread_on_its_post(discord_club):
    from bot.model import Message, Place

    poster = DiscordPoster(discord_club.client)
    where = Place(platform="discord", workspace_id=str(GUILD), channel_id=str(CHANNEL))
    parent = await poster.post(where, Message(title="Daily problem", text="Two Sum"))
    await poster.post(where, Message(title="Hint: Two Sum", text="Hash it.", thread_of=parent))
    [thread] = discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages/{parent}/threads")
    assert thread["name"] == "Hint: Two Sum"
    in_thread = [
        p
        for m, p, b in discord_club.mock.requests
        if m == "POST" and p.endswith("/messages") and p != f"/channels/{CHANNEL}/messages"
    ]
    assert len(in_thread) == 1
