"""The life around the bot on Discord, through discord.py's own gateway parsers and HTTP
client against a mock that answers as Discord does: a server that removes the bot (and
its channels answering 403 from then on, while DMs to members who share another server
with the bot still go through), a re-invite, a member with closed DMs (403, code 50007),
and an officer who loses a role (GUILD_MEMBER_UPDATE, GUILD_ROLE_UPDATE) while signed in
to the dashboard."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ManualClock
from bot.model import CommandEvent, Place, User
from bot.runtime import Runtime
from bot.store.away import away
from bot.web import Site
from bot.web.server import make_app
from tests.adapters.discord.test_discord import (
    ADMIN_RIGHTS,
    APP,
    CATEGORY,
    CHANNEL,
    GUILD,
    MEMBER_ID,
    OWNER,
    DiscordMock,
    _json,
    _member,
    _user,
    command,
    connected,
    guild_create,
)
from tests.conftest import MONDAY
from tests.web.conftest import keep_cookie, press_sign_in

PUBLIC_URL = "https://club.example.org"
PROBLEMS = CHANNEL + 1
GUILD_CHANNELS = {CHANNEL, PROBLEMS, CATEGORY}
OFFICERS_ROLE = "400"
# A third member, in another server with the bot too: DMs to them still go through.
KIM = 302


@dataclass
class LifeDiscordMock(DiscordMock):
    """Discord with DMs, servers that removed the bot and members who closed their DMs."""

    removed: set[int] = field(default_factory=set)
    closed_dms: set[int] = field(default_factory=set)
    # Channels where the bot lost Send Messages but keeps Send Messages in Threads: new
    # posts answer 403, replies in threads opened earlier go through.
    no_new_posts: set[int] = field(default_factory=set)
    dm_channels: dict[int, int] = field(default_factory=dict)

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        parts = path.split("/")
        if len(parts) > 2 and parts[1] == "channels" and parts[2].isdigit():
            channel = int(parts[2])
            refused = self._refusal(channel)
            if channel in self.no_new_posts and path == f"/channels/{channel}/messages":
                refused = {"message": "Missing Permissions", "code": 50013}
            if refused is not None and request.method == "POST":
                self.requests.append((request.method, path, await _body(request)))
                return _json(refused, status=403)
        return await super()._handle(request)

    def _refusal(self, channel: int) -> dict[str, Any] | None:
        if channel in GUILD_CHANNELS and GUILD in self.removed:
            return {"message": "Missing Access", "code": 50001}
        if self.dm_channels.get(channel) in self.closed_dms:
            return {"message": "Cannot send messages to this user", "code": 50007}
        return None

    def _answer(self, method: str, path: str, body: Any) -> Any:
        parts = path.split("/")
        if path == "/users/@me/channels":
            self._ids += 1
            self.dm_channels[self._ids] = int(body["recipient_id"])
            recipient = _user(int(body["recipient_id"]), "member")
            return {"id": str(self._ids), "type": 1, "recipients": [recipient]}
        if len(parts) == 3 and parts[1] == "users" and parts[2].isdigit():
            return _user(int(parts[2]), "member")
        return super()._answer(method, path, body)

    def dms_to(self, user_id: int) -> list[Any]:
        """The DM messages the bot sent (or tried to send) to `user_id`."""
        return [
            body
            for method, path, body in self.requests
            if method == "POST"
            and path.endswith("/messages")
            and self.dm_channels.get(int(path.split("/")[2])) == user_id
        ]

    def posts_in_guild(self) -> list[str]:
        return [
            path
            for method, path, _ in self.requests
            if method == "POST"
            and path.startswith("/channels/")
            and int(path.split("/")[2]) in GUILD_CHANNELS
        ]


async def _body(request: web.Request) -> Any:
    if request.content_type == "multipart/form-data":
        part = await (await request.multipart()).next()
        return json.loads(await part.text()) if part is not None else None  # type: ignore[union-attr]
    return await request.json() if request.can_read_body else None


@dataclass
class LifeClub:
    mock: LifeDiscordMock
    runtime: Runtime
    client: discord.Client
    clock: ManualClock

    async def interact(self, payload: dict[str, Any]) -> dict[str, Any]:
        before = len(self.mock.requests)
        self.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        for _ in range(500):
            await asyncio.sleep(0.01)
            new = [r for r in self.mock.requests[before:] if r[1].startswith("/interactions/")]
            if new:
                await asyncio.sleep(0.05)
                return new[-1][2]  # type: ignore[no-any-return]
        raise AssertionError("no interaction callback reached the mock")

    def gateway(self, event: str, data: dict[str, Any]) -> None:
        """A gateway dispatch, handed to the parser discord.py's websocket hands it to."""
        self.client._connection.parsers[event](data)

    async def run(self, line_name: str, args: dict[str, str], user: User) -> str:
        place = Place(platform="discord", workspace_id=str(GUILD), channel_id=str(CHANNEL))
        answer = await self.runtime.bot.handle(
            CommandEvent(name=line_name, args=args, user=user, place=place)
        )
        return answer.text + "".join(f"\n{f.name}: {f.value}" for f in answer.fields)

    async def club(self) -> Any:
        return (await self.runtime.store.clubs.all())[0]

    async def until(self, check: Any) -> None:
        for _ in range(300):
            if await check():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the event was not handled")


@pytest.fixture
async def life(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LifeClub]:
    mock = LifeDiscordMock()
    async with connected(mock, tmp_path, monkeypatch, public_url=PUBLIC_URL) as (
        runtime,
        client,
        clock,
    ):
        club = LifeClub(mock=mock, runtime=runtime, client=client, clock=clock)
        await club.until(lambda: _async(bool(mock.posts_in_guild())))  # the greeting
        yield club


async def _async(value: bool) -> bool:
    return value


ALEX = User(id=str(OWNER), name="alex", is_admin=True)
SAM = User(id=str(MEMBER_ID), name="sam")


async def _club_with_pairs(life: LifeClub) -> None:
    setup = {
        "timezone": "America/New_York",
        "alerts": f"<#{CHANNEL}>",
        "problems": f"<#{PROBLEMS}>",
        "pairing": f"<#{CHANNEL}>",
        "deadlines": f"<#{CHANNEL}>",
    }
    assert "Saved." in await life.run("admin setup", setup, ALEX)
    for who in (ALEX, SAM, User(id=str(KIM), name="kim")):
        joined = await life.run(
            "mockpair join", {"track": "coding", "level": "3", "availability": "daily 0-24"}, who
        )
        assert joined.startswith("You're in."), joined


# --- a server that removed the bot -------------------------------------------------------


async def test_a_server_that_removed_the_bot_gets_nothing_until_it_invites_it_back(life):
    await _club_with_pairs(life)
    life.mock.removed.add(GUILD)
    life.gateway("GUILD_DELETE", {"id": str(GUILD)})
    await life.until(lambda: _is_away(life))
    before = len(life.mock.requests)
    scheduler = life.runtime.scheduler
    await scheduler.run_until(life.clock, MONDAY + timedelta(days=8))
    after = life.mock.requests[before:]
    assert [p for m, p, _ in after if m == "POST"] == [], "no post, no DM for a removed server"
    club = await life.club()
    assert scheduler.next_runs(club, life.clock.now()) == []
    assert not scheduler.aps_job_ids() or all(
        str(club.id) not in job for job in scheduler.aps_job_ids()
    )

    life.mock.removed.discard(GUILD)
    life.gateway("GUILD_CREATE", guild_create())
    await life.until(lambda: _is_away(life, expected=False))
    await life.until(lambda: _async(any("I'm back" in _content(r) for r in life.mock.requests)))
    club = await life.club()
    assert club.timezone == "America/New_York", "its settings are kept"
    assert club.channels["problems"].broken_reason is None
    status = await life.run("admin status", {}, ALEX)
    assert "While I was away" in status
    assert "the server removed clubbot" in status
    assert "Daily problem: 8" in status
    posted = len(life.mock.posts_in_guild())
    await scheduler.run_until(life.clock, life.clock.now() + timedelta(days=1))
    assert len(life.mock.posts_in_guild()) > posted, "scheduled posts resume"


def _content(request: tuple[str, str, Any]) -> str:
    body = request[2] if isinstance(request[2], dict) else {}
    return str(body.get("content") or "")


async def _is_away(life: LifeClub, *, expected: bool = True) -> bool:
    return (away(await life.club()) is not None) is expected


async def test_a_server_that_removed_the_bot_while_it_was_offline_is_paused_at_ready(life):
    ready = {
        "v": 10,
        "user": _user(APP, "clubbot", bot=True),
        "guilds": [],  # the server is gone from the bot's list
        "session_id": "s1",
        "resume_gateway_url": "wss://gateway.discord.gg",
        "application": {"id": str(APP), "flags": 0},
    }
    life.gateway("READY", ready)
    await life.until(lambda: _is_away(life))
    gone = away(await life.club())
    assert gone is not None
    assert gone.why == "the server removed clubbot while it was offline"


async def test_a_server_that_is_only_unavailable_at_ready_is_not_paused(life, monkeypatch):
    from adapters.discord import membership

    reconciled = asyncio.Event()
    original = membership.reconcile

    async def reconcile(*args: Any) -> None:
        await original(*args)
        reconciled.set()

    monkeypatch.setattr(membership, "reconcile", reconcile)
    ready = {
        "v": 10,
        "user": _user(APP, "clubbot", bot=True),
        "guilds": [{"id": str(GUILD), "unavailable": True}],  # an outage, not a removal
        "session_id": "s1",
        "resume_gateway_url": "wss://gateway.discord.gg",
        "application": {"id": str(APP), "flags": 0},
    }
    life.gateway("READY", ready)
    await asyncio.wait_for(reconciled.wait(), timeout=10)
    assert away(await life.club()) is None


# --- closed DMs ---------------------------------------------------------------------------


async def test_a_member_with_closed_dms_is_tried_once_told_once_and_tried_again_after_a_command(
    life,
):
    await _club_with_pairs(life)
    life.mock.closed_dms.add(MEMBER_ID)
    assert "pairs announced" in await life.run("admin mockpair run-now", {}, ALEX)
    assert len(life.mock.dms_to(MEMBER_ID)) == 1, "refused once (403, code 50007)"
    assert len(life.mock.dms_to(KIM)) == 1
    # The next week's round: no DM tried to sam, the others get theirs.
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=8))
    assert len(life.mock.dms_to(MEMBER_ID)) == 1
    assert len(life.mock.dms_to(KIM)) == 2
    status = await life.interact(command("mockpair", MEMBER_ID, data=_sub("mockpair", "status")))
    said = _embed_text(status)
    assert said.count("My DMs to you don't get through") == 1
    assert "Privacy Settings" in said
    again = await life.interact(command("help", MEMBER_ID))
    assert "My DMs to you" not in _embed_text(again), "told once"
    life.mock.closed_dms.discard(MEMBER_ID)
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=15))
    titles = [dm["embeds"][0]["title"] for dm in life.mock.dms_to(MEMBER_ID)]
    assert titles[1:] == [
        "Your mock interview this week (30 Nov)",
        "Model answers for the questions you ask alex",
    ], "tried again after the member's command"


def _sub(root: str, name: str) -> dict[str, Any]:
    return {"id": "1", "name": root, "type": 1, "options": [{"name": name, "type": 1}]}


def _embed_text(body: dict[str, Any]) -> str:
    card = body["data"]["embeds"][0]
    fields = "".join(f"\n{f['name']}\n{f['value']}" for f in card.get("fields", []))
    return str(card.get("description", "")) + fields


# --- an officer who loses a role, signed in to the dashboard --------------------------------


def _as_officer(user: int, name: str) -> dict[str, Any]:
    """An interaction from `user` holding the Officers role (Manage Server)."""
    payload = command("admin", user, data=_sub("admin", "dashboard"))
    payload["member"] = {**_member(user, name, [OFFICERS_ROLE]), "permissions": ADMIN_RIGHTS}
    return payload


async def _signed_in(life: LifeClub, web_client: TestClient[Any, Any]) -> str:
    """sam, an officer by the Officers role, signs in the way an officer does."""
    answer = await life.interact(_as_officer(MEMBER_ID, "sam"))
    assert "sent you a sign-in link" in _embed_text(answer)
    [dm] = life.mock.dms_to(MEMBER_ID)
    link = re.search(re.escape(PUBLIC_URL) + r"(/signin/[A-Za-z0-9_.-]+)", json.dumps(dm))
    assert link is not None
    response = await press_sign_in(web_client, link.group(1))
    assert response.status == 303
    keep_cookie(web_client, response)
    return response.headers["Location"]


async def _dashboard_setup(web_client: TestClient[Any, Any], path: str) -> str:
    page = await (await web_client.get(f"{path}/setup")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    response = await web_client.post(
        f"{path}/run",
        data={"csrf": csrf.group(1), "command": "admin setup", "timezone": "Asia/Tokyo"},
    )
    return await response.text()


@pytest.fixture
async def web_client(life: LifeClub) -> AsyncIterator[TestClient[Any, Any]]:
    app = make_app(bot=life.runtime.bot, site=Site(public_url=PUBLIC_URL))
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def test_an_officer_whose_role_is_removed_loses_the_dashboard_at_once(life, web_client):
    path = await _signed_in(life, web_client)
    life.gateway(
        "GUILD_MEMBER_UPDATE",
        {
            "guild_id": str(GUILD),
            "user": _user(MEMBER_ID, "sam"),
            "roles": [],  # the Officers role taken away
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
    )
    await life.until(lambda: _learned_admin(life, MEMBER_ID, False))
    page = await _dashboard_setup(web_client, path)
    assert "Only club officers can run /admin setup" in page
    assert (await life.club()).timezone == "UTC", "nothing changed"


async def test_an_officer_whose_role_loses_manage_server_loses_the_dashboard(life, web_client):
    path = await _signed_in(life, web_client)
    role = next(r for r in guild_create()["roles"] if r["id"] == OFFICERS_ROLE)
    life.gateway(
        "GUILD_ROLE_UPDATE", {"guild_id": str(GUILD), "role": {**role, "permissions": "0"}}
    )
    await life.until(lambda: _learned_admin(life, MEMBER_ID, False))
    page = await _dashboard_setup(web_client, path)
    assert "Only club officers can run /admin setup" in page
    assert (await life.club()).timezone == "UTC"


async def test_an_officer_who_keeps_the_role_keeps_the_dashboard(life, web_client):
    path = await _signed_in(life, web_client)
    page = await _dashboard_setup(web_client, path)
    assert "Saved." in page
    assert (await life.club()).timezone == "Asia/Tokyo"


async def _learned_admin(life: LifeClub, user_id: int, admin: bool) -> bool:
    from bot.store.learned import LearnedMembers

    club = await life.club()
    known = await life.runtime.store.repo(LearnedMembers).get(club.id, str(user_id))
    return known is not None and known.rights is not None and known.rights.is_admin is admin


# --- a refusing channel does not flap ------------------------------------------------------


def _notices(life: LifeClub) -> list[str]:
    """The officer notices in the alerts channel, by title."""
    return [
        body["embeds"][0]["title"]
        for method, path, body in life.mock.requests
        if method == "POST"
        and path == f"/channels/{CHANNEL}/messages"
        and body.get("embeds")
        and body["embeds"][0]["title"].startswith("A channel")
    ]


async def _problems_club(life: LifeClub) -> None:
    setup = {
        "timezone": "America/New_York",
        "alerts": f"<#{CHANNEL}>",
        "problems": f"<#{PROBLEMS}>",
    }
    assert "Saved." in await life.run("admin setup", setup, ALEX)
    # Tuesday's problem goes out at 09:00 New York time; its thread takes the hint at 15:00
    # and, the next morning, the key idea.
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=1, hours=7))


async def test_a_reply_in_an_old_thread_does_not_resume_a_channel_that_refuses_new_posts(life):
    await _problems_club(life)
    life.mock.no_new_posts.add(PROBLEMS)
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=4))
    club = await life.club()
    assert club.channels["problems"].broken_reason == "403 Missing Permissions"
    assert _notices(life) == ["A channel refuses my posts"], "paused once, never flapping"
    threads = [
        p
        for m, p, _ in life.mock.requests
        if m == "POST"
        and p.endswith("/messages")
        and p.split("/")[2] not in map(str, GUILD_CHANNELS)
        and int(p.split("/")[2]) not in life.mock.dm_channels
    ]
    assert threads, "the key idea still went into the old thread"


async def test_a_permission_check_that_looks_fine_does_not_resume_a_channel_that_refuses(life):
    await _problems_club(life)
    life.mock.no_new_posts.add(PROBLEMS)
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=2, hours=1))
    # The bot's permissions in the channel look complete to discord.py (the overwrite that
    # took Send Messages away is not in its cache), yet posting is refused.
    status = await life.run("admin status", {}, ALEX)
    assert "#daily-problem refuses my posts (403 Missing Permissions)" in status
    assert "takes my posts again" not in status
    club = await life.club()
    assert club.channels["problems"].broken_reason is not None
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=3))
    assert _notices(life) == ["A channel refuses my posts"]


async def test_access_back_resumes_at_the_next_post_and_officers_hear_once_a_day(life):
    await _problems_club(life)
    life.mock.no_new_posts.add(PROBLEMS)
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=2, hours=1))
    life.mock.no_new_posts.clear()
    status = await life.run("admin status", {}, ALEX)
    assert "#daily-problem takes my posts again: problems posts resumed." in status
    back = [
        b for m, p, b in life.mock.requests if m == "POST" and p == f"/channels/{PROBLEMS}/messages"
    ]
    assert back[-1]["embeds"][0]["description"] == "I can post here again: problems posts resume."
    # Paused and resumed the same day: the officers were told once that day.
    assert _notices(life) == ["A channel refuses my posts"]
    life.mock.no_new_posts.add(PROBLEMS)
    await life.runtime.scheduler.run_until(life.clock, MONDAY + timedelta(days=3, hours=1))
    assert _notices(life) == ["A channel refuses my posts", "A channel refuses my posts"]


# --- autocomplete within Discord's 3 seconds ------------------------------------------------


def _typing(value: str) -> dict[str, Any]:
    """/admin setup timezone:<value>, focused, as Discord sends it while the member types."""
    option = {"name": "timezone", "type": 3, "value": value, "focused": True}
    setup = {"name": "setup", "type": 1, "options": [option]}
    return {"id": "1", "name": "admin", "type": 1, "options": [setup]}


async def test_autocomplete_answers_within_two_and_a_half_seconds_on_a_slow_database(
    life, monkeypatch
):
    clubs = life.runtime.store.clubs
    read = clubs.arrive  # a command's first read: its club and what was learned of the member

    async def slow(**kwargs: Any) -> Any:
        await asyncio.sleep(3.2)  # the database answers in 3.2 s
        return await read(**kwargs)

    monkeypatch.setattr(clubs, "arrive", slow)
    started = asyncio.get_running_loop().time()
    body = await life.interact(command("admin", OWNER, kind=4, data=_typing("new")))
    took = asyncio.get_running_loop().time() - started
    assert body["type"] == 8
    assert took < 2.9, f"answered after {took:.1f} s: Discord drops answers after 3 s"
    assert body["data"]["choices"] == [], "nothing was ready yet"
    await asyncio.sleep(3.5)  # the lookup finished meanwhile
    started = asyncio.get_running_loop().time()
    body = await life.interact(command("admin", OWNER, kind=4, data=_typing("new y")))
    took = asyncio.get_running_loop().time() - started
    assert took < 2.9
    names = [c["name"] for c in body["data"]["choices"]]
    assert names, "what was ready: the earlier suggestions that still match"
    assert names == ["America/New_York"]
