"""Discord as a club expects it, through discord.py's real paths against the Discord mock,
which enforces what Discord's own client does with the uploaded command tree (contexts,
default_member_permissions, channel_types): officers the club added reach /admin, only
channels that take messages can be picked, commands stay in servers, a slow public answer
stays public, posted views are not kept, a paused channel resumes by itself."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import discord
import pytest

import adapters.discord.listener as adapter
from adapters.discord.commands import command_payload, sync_commands
from adapters.discord.posting import DiscordPoster
from bot.model import Button, Message, Place
from bot.runtime import COMMANDS
from bot.store.clubs import Actor, Channel, ClubChanges
from tests.adapters.discord.test_discord import (
    APP,
    CATEGORY,
    CHANNEL,
    GUILD,
    MEMBER_ID,
    OWNER,
    NotDelivered,
    _channel,
    command,
)
from tests.conftest import MONDAY

PROBLEMS = CHANNEL + 1


def _admin(words: list[str], options: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """/admin <words…> with options, as Discord nests subcommand groups and subcommands."""
    leaf: dict[str, Any] = {"name": words[-1], "type": 1, "options": options or []}
    if len(words) == 2:
        leaf = {"name": words[0], "type": 2, "options": [leaf]}
    return {"id": "1", "name": "admin", "type": 1, "options": [leaf]}


def _channel_option(name: str, channel_id: int) -> dict[str, Any]:
    return {"name": name, "type": 7, "value": str(channel_id)}


def _text(body: dict[str, Any]) -> str:
    card = body["data"]["embeds"][0]
    return str(card.get("description", "")) + "".join(
        f"\n{f['name']}\n{f['value']}" for f in card.get("fields", [])
    )


async def _set_up(club: Any, **channels: int) -> str:
    options = [{"name": "timezone", "type": 3, "value": "America/New_York"}]
    options += [_channel_option(purpose, cid) for purpose, cid in channels.items()]
    return _text(await club.interact(command("admin", OWNER, data=_admin(["setup"], options))))


# --- officers reach /admin ------------------------------------------------------------


async def test_an_officer_added_with_admin_officers_add_can_run_admin(discord_club):
    added = await discord_club.interact(
        command(
            "admin",
            OWNER,
            data=_admin(
                ["officers", "add"], [{"name": "member", "type": 6, "value": str(MEMBER_ID)}]
            ),
        )
    )
    assert "sam is now an officer." in _text(added)
    status = await discord_club.interact(command("admin", MEMBER_ID, data=_admin(["status"])))
    assert status["data"]["embeds"][0]["title"] == "Status of ML Club"


async def test_a_member_without_rights_sees_admin_but_the_core_refuses_it(discord_club):
    refused = await discord_club.interact(command("admin", MEMBER_ID, data=_admin(["status"])))
    assert _text(refused).startswith("Only club officers can run /admin status.")


# --- only channels that take messages -------------------------------------------------


async def test_the_channel_picker_offers_only_channels_that_take_messages(discord_club):
    with pytest.raises(NotDelivered, match="channel type 4"):
        await _set_up(discord_club, problems=CATEGORY)
    assert "Saved." in await _set_up(discord_club, problems=PROBLEMS)


async def test_a_category_that_reaches_setup_anyway_is_refused_with_a_clear_answer(discord_club):
    options = [_channel_option("problems", CATEGORY)]
    answer = await discord_club.interact(
        command("admin", OWNER, data=_admin(["setup"], options)), enforce=False
    )
    assert "#Club can't take my posts (a category can't hold messages)" in _text(answer)
    assert "problems" not in (await discord_club.runtime.store.clubs.all())[0].channels


async def test_a_channel_i_cannot_write_in_is_refused_at_setup(discord_club):
    deny = discord.Permissions(send_messages=True).value
    overwrite = {"id": str(APP), "type": 1, "allow": "0", "deny": str(deny)}
    discord_club.client._connection.parse_channel_update(
        {**_channel(PROBLEMS, "daily-problem"), "permission_overwrites": [overwrite]}
    )
    answer = await _set_up(discord_club, problems=PROBLEMS)
    assert "I'm missing Send Messages there" in answer


async def test_a_category_saved_before_is_paused_and_the_officers_told_once(discord_club):
    await _set_up(discord_club, alerts=CHANNEL)
    [club] = await discord_club.runtime.store.clubs.all()
    legacy = {"problems": Channel(id=str(CATEGORY), name="Club")}
    actor = Actor(id="t", name="t")
    await discord_club.runtime.store.clubs.change(
        club.id, ClubChanges(channels=legacy), actor=actor, now=MONDAY
    )
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(hours=23))
    [club] = await discord_club.runtime.store.clubs.all()
    assert club.channels["problems"].broken_reason == "a category can't hold messages"
    alerts = [
        p["embeds"][0]
        for p in discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
        if p.get("embeds")
    ]
    assert [a["title"] for a in alerts] == ["A channel refuses my posts"]
    assert "I'll resume by myself" in alerts[0]["description"]
    assert discord_club.mock.sent("POST", f"/channels/{CATEGORY}/messages") == []
    runs = await discord_club.runtime.store.claims.since(club.id, since=MONDAY)
    assert "failed" not in {r.status for r in runs}, "not retried blindly"


# --- servers only -------------------------------------------------------------------------


def _in_dm(payload: dict[str, Any]) -> dict[str, Any]:
    dm = {k: v for k, v in payload.items() if k not in ("guild_id", "member", "guild_locale")}
    return {
        **dm,
        "user": payload["member"]["user"],
        "channel_id": "900",
        "channel": {"id": "900", "type": 1, "recipients": [payload["member"]["user"]]},
        "context": 1,
    }


async def test_commands_are_not_offered_in_dms_with_the_bot(discord_club):
    with pytest.raises(NotDelivered, match="not offered in DMs"):
        await discord_club.interact(_in_dm(command("mockpair", MEMBER_ID)))


async def test_a_command_that_reaches_a_dm_anyway_points_at_the_server(discord_club):
    data = {"id": "1", "name": "mockpair", "type": 1, "options": [{"name": "status", "type": 1}]}
    body = await discord_club.interact(
        _in_dm(command("mockpair", MEMBER_ID, data=data)), enforce=False
    )
    assert body["data"]["flags"] == 64
    assert "I work inside your club's Discord server" in body["data"]["content"]
    clubs = await discord_club.runtime.store.clubs.all()
    assert [c.workspace_id for c in clubs] == [str(GUILD)], "no lonely dm-… club"


# --- deferring with the answer's visibility ---------------------------------------------------


async def _follow_up(discord_club, token: str) -> dict[str, Any]:
    for _ in range(300):
        sent = discord_club.mock.sent("POST", f"/webhooks/{APP}/{token}")
        if sent:
            return sent[0]  # type: ignore[no-any-return]
        await asyncio.sleep(0.01)
    raise AssertionError("no follow-up")


async def test_a_slow_public_answer_is_deferred_publicly(discord_club, monkeypatch):
    monkeypatch.setattr(adapter, "ANSWER_WITHIN", 0)
    body = await discord_club.interact(command("leaderboard", MEMBER_ID))
    assert body["type"] == 5
    assert (body.get("data") or {}).get("flags", 0) & 64 == 0
    follow_up = await _follow_up(discord_club, "tok-leaderboard")
    assert follow_up.get("flags", 0) & 64 == 0
    assert follow_up["embeds"][0]["title"].startswith("Leaderboard")


async def test_a_slow_private_answer_stays_private(discord_club, monkeypatch):
    monkeypatch.setattr(adapter, "ANSWER_WITHIN", 0)
    body = await discord_club.interact(command("progress", MEMBER_ID))
    assert body == {"type": 5, "data": {"flags": 64}}
    assert (await _follow_up(discord_club, "tok-progress"))["flags"] == 64


# --- views are released ------------------------------------------------------------------------


async def test_posted_button_views_are_not_kept_in_memory(discord_club):
    poster = DiscordPoster(discord_club.client)
    where = Place(platform="discord", workspace_id=str(GUILD), channel_id=str(CHANNEL))
    message = Message(text="Two Sum", buttons=(Button(label="Solved", action="solved", value="x"),))
    for _ in range(50):
        await poster.post(where, message)
    posted = discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
    assert posted[-1]["components"][0]["components"][0]["custom_id"] == "solved:x"
    store = discord_club.client._connection._view_store
    assert store._synced_message_views == {}
    assert store.persistent_views == []
    data = {"custom_id": "solved:x", "component_type": 2}
    clicked = await discord_club.interact(command("x", MEMBER_ID, kind=3, data=data))
    assert clicked["type"] == 4, "clicks are still answered, routed by custom id"


# --- a paused channel resumes by itself -------------------------------------------------------


async def _break_problems_channel(discord_club) -> None:
    await _set_up(discord_club, alerts=CHANNEL, problems=PROBLEMS)
    discord_club.mock.fail_next[f"/channels/{PROBLEMS}/messages"] = [
        (403, {"message": "Missing Access", "code": 50001})
    ]
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(hours=23))
    [club] = await discord_club.runtime.store.clubs.all()
    assert club.channels["problems"].broken_reason == "403 Missing Access"


def _alerts(discord_club) -> list[str]:
    posts = discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
    return [p["embeds"][0]["title"] for p in posts if p.get("embeds")]


async def test_after_a_403_the_next_post_resumes_the_channel_when_access_is_back(discord_club):
    await _break_problems_channel(discord_club)
    assert _alerts(discord_club) == ["A channel refuses my posts"]
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(days=1, hours=23))
    [club] = await discord_club.runtime.store.clubs.all()
    assert club.channels["problems"].broken_reason is None
    assert _alerts(discord_club) == ["A channel refuses my posts", "A channel takes my posts again"]
    problems = discord_club.mock.sent("POST", f"/channels/{PROBLEMS}/messages")
    assert any(p["embeds"][0]["title"].startswith("Daily problem") for p in problems[1:])


async def test_admin_status_rechecks_a_paused_channel_and_resumes_it(discord_club):
    await _break_problems_channel(discord_club)
    deny = discord.Permissions(view_channel=True).value
    overwrite = {"id": str(APP), "type": 1, "allow": "0", "deny": str(deny)}
    update = discord_club.client._connection.parse_channel_update
    update({**_channel(PROBLEMS, "daily-problem"), "permission_overwrites": [overwrite]})
    still = await discord_club.interact(command("admin", OWNER, data=_admin(["status"])))
    assert "#daily-problem refuses my posts (403 Missing Access)" in _text(still)
    update({**_channel(PROBLEMS, "daily-problem"), "permission_overwrites": []})
    status = await discord_club.interact(command("admin", OWNER, data=_admin(["status"])))
    assert "#daily-problem takes my posts again: problems posts resumed." in _text(status)
    [club] = await discord_club.runtime.store.clubs.all()
    assert club.channels["problems"].broken_reason is None


# --- help ----------------------------------------------------------------------------------


async def test_help_suggests_the_commands_it_can_explain_and_explains_one(discord_club):
    typing = {
        "id": "1",
        "name": "help",
        "type": 1,
        "options": [{"name": "command", "type": 3, "value": "mockpair", "focused": True}],
    }
    body = await discord_club.interact(command("help", MEMBER_ID, kind=4, data=typing))
    names = [c["value"] for c in body["data"]["choices"]]
    assert names[0] == "mockpair"
    assert "mockpair join" in names
    chosen = {**typing, "options": [{"name": "command", "type": 3, "value": "mockpair join"}]}
    answer = await discord_club.interact(command("help", MEMBER_ID, data=chosen))
    assert answer["data"]["embeds"][0]["title"] == "/mockpair join"
    assert "Example: `/mockpair join track:coding level:1 " in _text(answer)


async def test_a_tree_uploaded_before_these_fixes_is_uploaded_again(discord_club):
    old = command_payload(COMMANDS)
    for root in old:
        root.pop("contexts")
        root.pop("dm_permission")
    next(r for r in old if r["name"] == "admin")["default_member_permissions"] = "32"
    discord_club.mock.commands = old
    assert await sync_commands(discord_club.client, COMMANDS, force=False) is True
    assert await sync_commands(discord_club.client, COMMANDS, force=False) is False
