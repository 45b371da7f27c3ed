"""A post sent again for the same occurrence makes no second message where the platform
offers a way: Discord's nonce (deduplicated for a few minutes), Slack's message metadata
(looked for before posting an occurrence in doubt). The real SDKs against the mocks of
tests/adapters/idempotent_mocks.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import discord
import pytest

from adapters.discord.posting import DiscordPoster
from adapters.slack.posting import POST_EVENT, SlackPoster
from adapters.slack.workspace import SingleWorkspace, web_client
from bot.model import Message, Place
from bot.posting import PostKey
from tests.adapters.discord.test_discord import CHANNEL, GUILD
from tests.adapters.idempotent_mocks import MetadataSlackMock, NonceDiscordMock
from tests.adapters.slack_mock import TEAM, Failure, channel

KEY = "12:daily_problem:2026-11-17"
DAILY = Message(title="Daily problem · Tue 17 Nov", text="Two Sum")
DUE = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)


# --- Discord ------------------------------------------------------------------------------


@pytest.fixture
async def discord_mock(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[NonceDiscordMock]:
    mock = NonceDiscordMock()
    await mock.start()
    monkeypatch.setattr(discord.http.Route, "BASE", mock.url)
    yield mock
    await mock.stop()


@pytest.fixture
async def discord_poster(discord_mock: NonceDiscordMock) -> AsyncIterator[DiscordPoster]:
    client = discord.Client(intents=discord.Intents.none())
    await client.login("fake-token")
    yield DiscordPoster(client)
    await client.close()


DISCORD_PLACE = Place(platform="discord", workspace_id=str(GUILD), channel_id=str(CHANNEL))


async def test_discord_a_keyed_post_sent_twice_makes_one_message(discord_poster, discord_mock):
    first = await discord_poster.post(DISCORD_PLACE, DAILY, key=PostKey(key=KEY))
    again = await discord_poster.post(DISCORD_PLACE, DAILY, key=PostKey(key=KEY, in_doubt=True))
    assert again == first
    assert len(discord_mock.created) == 1
    sent = discord_mock.sent("POST", f"/channels/{CHANNEL}/messages")
    assert [(b["nonce"], b["enforce_nonce"]) for b in sent] == [(PostKey(key=KEY).nonce, True)] * 2
    assert len(sent[0]["nonce"]) <= 25


async def test_discord_other_occurrences_get_other_nonces(discord_poster, discord_mock):
    for day in ("2026-11-17", "2026-11-18"):
        await discord_poster.post(DISCORD_PLACE, DAILY, key=PostKey(key=f"12:daily:{day}"))
    await discord_poster.post(DISCORD_PLACE, DAILY)  # unkeyed: discord.py's random nonce
    assert len({body["nonce"] for _, body in discord_mock.created}) == 3


async def test_discord_forgets_a_nonce_after_its_window(discord_poster, discord_mock):
    """What a retry after a longer outage does: Discord no longer knows the nonce."""
    discord_mock.nonce_window = 0.0
    await discord_poster.post(DISCORD_PLACE, DAILY, key=PostKey(key=KEY))
    await discord_poster.post(DISCORD_PLACE, DAILY, key=PostKey(key=KEY, in_doubt=True))
    assert len(discord_mock.created) == 2


async def test_discord_a_dm_carries_the_nonce_too(discord_poster, discord_mock):
    await discord_poster.dm(DISCORD_PLACE, "301", DAILY, key=PostKey(key=KEY))
    await discord_poster.dm(DISCORD_PLACE, "301", DAILY, key=PostKey(key=KEY, in_doubt=True))
    assert len(discord_mock.created) == 1


# --- Slack --------------------------------------------------------------------------------


@pytest.fixture
async def slack_mock() -> AsyncIterator[MetadataSlackMock]:
    mock = MetadataSlackMock()
    mock.channels["C1"] = channel("C1", "daily-problem")
    await mock.start()
    yield mock
    await mock.stop()


@pytest.fixture
def slack_poster(slack_mock: MetadataSlackMock) -> SlackPoster:
    return SlackPoster(SingleWorkspace(web_client("xoxb-test", base_url=slack_mock.api_url)))


SLACK_PLACE = Place(platform="slack", workspace_id=TEAM, channel_id="C1")


def _in_doubt(key: str = KEY) -> PostKey:
    return PostKey(key=key, in_doubt=True, since=DUE)


async def test_slack_a_keyed_post_carries_its_occurrence_in_metadata(slack_poster, slack_mock):
    await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key=KEY))
    [made] = slack_mock.created
    assert made["metadata"] == {"event_type": POST_EVENT, "event_payload": {"key": KEY}}
    assert slack_mock.called("conversations.history") == [], "not in doubt: no look-up"


async def test_slack_an_occurrence_in_doubt_already_posted_is_found_not_posted_again(
    slack_poster, slack_mock
):
    first = await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key=KEY))
    for n in range(3):  # other posts after it, so the look-up reads past them
        await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key=f"12:daily:{n}"))
    again = await slack_poster.post(SLACK_PLACE, DAILY, key=_in_doubt())
    assert again == first
    assert len(slack_mock.created) == 4
    [look] = slack_mock.called("conversations.history")
    assert look["channel"] == "C1"
    assert str(look["include_all_metadata"]).lower() in ("1", "true")
    assert float(look["oldest"]) <= DUE.timestamp()


async def test_slack_an_occurrence_in_doubt_never_posted_is_posted_once(slack_poster, slack_mock):
    await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key="12:daily:yesterday"))
    await slack_poster.post(SLACK_PLACE, DAILY, key=_in_doubt())
    await slack_poster.post(SLACK_PLACE, DAILY, key=_in_doubt())
    keys = [m["metadata"]["event_payload"]["key"] for m in slack_mock.created]
    assert keys == ["12:daily:yesterday", KEY]


async def test_slack_the_look_up_pages_through_a_busy_channel(slack_poster, slack_mock):
    first = await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key=KEY))
    for n in range(250):  # more than one page of history after it
        await slack_poster.post(SLACK_PLACE, Message(text=f"chat {n}"))
    assert await slack_poster.post(SLACK_PLACE, DAILY, key=_in_doubt()) == first
    assert len(slack_mock.called("conversations.history")) == 2


async def test_slack_a_thread_reply_in_doubt_is_looked_for_in_its_thread(slack_poster, slack_mock):
    parent = await slack_poster.post(SLACK_PLACE, DAILY, key=PostKey(key=KEY))
    hint = Message(title="Hint: Two Sum", text="a dict", thread_of=parent)
    reply = await slack_poster.post(SLACK_PLACE, hint, key=PostKey(key=f"{KEY}:hint"))
    again = await slack_poster.post(SLACK_PLACE, hint, key=_in_doubt(f"{KEY}:hint"))
    assert again == reply
    assert len(slack_mock.created) == 2
    [look] = slack_mock.called("conversations.replies")
    assert look["ts"] == parent


async def test_slack_a_dm_in_doubt_is_looked_for_in_the_dm(slack_poster, slack_mock):
    first = await slack_poster.dm(SLACK_PLACE, "U1", DAILY, key=PostKey(key=KEY))
    again = await slack_poster.dm(
        SLACK_PLACE, "U1", DAILY, key=PostKey(key=KEY, in_doubt=True, since=None)
    )
    assert again == first
    assert len(slack_mock.created) == 1


async def test_slack_without_the_history_scope_an_occurrence_in_doubt_is_still_posted(
    slack_poster, slack_mock
):
    """An install from before the history scopes: at worst a second copy, never none."""
    slack_mock.fail_next(
        "conversations.history", Failure(status=200, body={"ok": False, "error": "missing_scope"})
    )
    await slack_poster.post(SLACK_PLACE, DAILY, key=_in_doubt())
    assert len(slack_mock.created) == 1
