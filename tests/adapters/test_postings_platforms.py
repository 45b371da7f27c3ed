"""A busy poll on the real platforms: 60 new postings from busy companies with 140-character
apply links reach Discord (discord.py against the Discord mock) and Slack (slack_sdk
against the Slack mock) as one digest within each platform's limits, once; the member who
follows one of those companies gets one DM; /postings recent pages the rest."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from tests.adapters.discord.test_discord import (
    CHANNEL,
    MEMBER_ID,
    OWNER,
    DiscordClub,
    _user,
    command,
    discord_club,
)
from tests.adapters.slack.test_slack import (
    GENERAL,
    OFFICERS,
    SAM,
    SlackClub,
    assert_fits_block_kit,
    mock,
    slack,
)
from tests.postings.feeds import Feeds, live_entries, posted, sample, start_feeds

__all__ = ["discord_club", "mock", "slack"]  # the platforms' fixtures, used here

DIGEST, FOLLOW = "New internship postings", "New posting from a company you follow"
LINK = 140


@pytest.fixture
async def feeds() -> AsyncIterator[Feeds]:
    async for served in start_feeds():
        yield served


def burst(now: Any) -> tuple[list[dict[str, Any]], str]:
    """60 real entries from the sample's busiest companies, posted an hour ago, each apply
    link made 140 characters long as tracking links run; and the busiest company."""
    pool = [e for e in live_entries(sample()) if len(e["url"]) <= LINK - 40]
    busiest = [c for c, _ in Counter(e["company_name"] for e in pool).most_common(20)]
    chosen = [e for e in pool if e["company_name"] in busiest][:60]
    assert len(chosen) == 60

    def long_link(entry: dict[str, Any]) -> str:
        joined = "&" if "?" in entry["url"] else "?"
        link = f"{entry['url']}{joined}utm_source=clubbot&utm_campaign="
        return link + "x" * (LINK - len(link))

    found = [{**posted(e, now - timedelta(hours=1)), "url": long_link(e)} for e in chosen]
    assert {len(e["url"]) for e in found} == {LINK}
    return found, Counter(e["company_name"] for e in chosen).most_common(1)[0][0]


def assert_fits_discord_embed(card: dict[str, Any]) -> None:
    """What Discord validates of an embed it is sent (it answers 50035 otherwise)."""
    fields = card.get("fields", [])
    assert len(card.get("title", "")) <= 256
    assert len(card.get("description", "")) <= 4096
    assert len(fields) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
    total = len(card.get("title", "")) + len(card.get("description", ""))
    assert total + sum(len(f["name"]) + len(f["value"]) for f in fields) <= 6000


def _links(text: str) -> set[str]:
    return set(re.findall(r"https?://\S+", text))


# --- Discord ----------------------------------------------------------------------------


def _interaction(root: str, sub: str, options: dict[str, str]) -> dict[str, Any]:
    leaf = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    return {
        "id": "1",
        "name": root,
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": leaf}],
    }


def _admin_postings(options: dict[str, str]) -> dict[str, Any]:
    leaf = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    settings = {"name": "settings", "type": 1, "options": leaf}
    return {
        "id": "1",
        "name": "admin",
        "type": 1,
        "options": [{"name": "postings", "type": 2, "options": [settings]}],
    }


def _with_dms(club: DiscordClub) -> list[int]:
    """The Discord mock answering what a DM needs (the user, the DM channel); the DM
    channels opened, in order."""
    plain, opened = club.mock._answer, []

    def answer(method: str, path: str, body: Any) -> Any:
        if method == "GET" and re.fullmatch(r"/users/\d+", path):
            return _user(int(path.rsplit("/", 1)[1]), "sam")
        if method == "POST" and path == "/users/@me/channels":
            opened.append(9000 + len(opened))
            recipient = _user(int(body["recipient_id"]), "sam")
            return {"id": str(opened[-1]), "type": 1, "recipients": [recipient]}
        return plain(method, path, body)

    club.mock._answer = answer  # type: ignore[method-assign]
    return opened


async def test_a_busy_poll_reaches_discord_once_within_its_limits(discord_club, feeds):
    club = discord_club
    opened = _with_dms(club)
    club.runtime.postings.settings = feeds.settings()
    setup = [
        {"name": "timezone", "type": 3, "value": "America/New_York"},
        {"name": "deadlines", "type": 7, "value": str(CHANNEL)},
    ]
    data = {
        "id": "1",
        "name": "admin",
        "type": 1,
        "options": [{"name": "setup", "type": 1, "options": setup}],
    }
    await club.interact(command("admin", OWNER, data=data))
    await club.interact(command("admin", OWNER, data=_admin_postings({"enabled": "yes"})))
    scheduler = club.runtime.scheduler
    entries, busiest = burst(scheduler.clock.now())
    follow = _interaction("postings", "follow", {"company": busiest})
    followed = await club.interact(command("postings", MEMBER_ID, data=follow))
    assert "I'll DM you" in followed["data"]["embeds"][0]["description"]
    feeds.serve("/listings.json", entries)
    for hours in (1, 5):  # the poll, then four more with nothing new
        await scheduler.run_until(scheduler.clock, scheduler.clock.now() + timedelta(hours=hours))
        posts = [
            p["embeds"][0]
            for p in club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
            if p.get("embeds") and p["embeds"][0].get("title") == DIGEST
        ]
        assert len(posts) == 1, "one digest, delivered once"
        dms = [
            p["embeds"][0]
            for channel in opened
            for p in club.mock.sent("POST", f"/channels/{channel}/messages")
        ]
        assert [d["title"] for d in dms] == [FOLLOW], "one DM to the follower"
    (digest,) = posts
    assert_fits_discord_embed(digest)
    assert_fits_discord_embed(dms[0])
    shown = _links("\n".join(f["value"] for f in digest["fields"]))
    assert shown <= {e["url"] for e in entries}, "links whole"
    # The sample's twins (one job listed twice) count once.
    told = int(digest["description"].split(" new internship postings")[0])
    assert told >= 55
    assert f" {told - len(shown)} more: `/postings recent`." in digest["description"]
    recent = await club.interact(
        command("postings", MEMBER_ID, data=_interaction("postings", "recent", {}))
    )
    card = recent["data"]["embeds"][0]
    assert_fits_discord_embed(card)
    assert card["description"].startswith(f"{told} postings. Page 1 of ")


# --- Slack ------------------------------------------------------------------------------


async def test_a_busy_poll_reaches_slack_once_within_its_limits(slack: SlackClub, feeds):
    slack.runtime.postings.settings = feeds.settings()
    await slack.command(
        f"/admin setup timezone:America/New_York deadlines:<#{GENERAL}|general> "
        f"alerts:<#{OFFICERS}|officers>"
    )
    await slack.command("/admin postings settings enabled:yes")
    entries, busiest = burst(slack.clock.now())
    followed = await slack.command(f'/postings follow company:"{busiest}"', user=SAM)
    assert "I'll DM you" in followed["text"]
    feeds.serve("/listings.json", entries)
    scheduler = slack.runtime.scheduler
    for hours in (1, 5):
        await scheduler.run_until(slack.clock, slack.clock.now() + timedelta(hours=hours))
        sent = slack.mock.called("chat.postMessage")
        digests = [m for m in sent if m.get("channel") == GENERAL and DIGEST in m["text"]]
        assert len(digests) == 1, "one digest, delivered once"
        dms = [m for m in sent if str(m.get("channel", "")).startswith("D")]
        assert len(dms) == 1, "one DM to the follower"
        assert FOLLOW in dms[0]["text"]
    for payload in (digests[0], dms[0]):
        assert_fits_block_kit(_blocks_of(payload))
    assert "more: `/postings recent`" in digests[0]["text"]
    recent = await slack.command("/postings recent", user=SAM)
    assert_fits_block_kit(recent)
    assert re.search(r"\b5\d postings\. Page 1 of ", recent["text"])


def _blocks_of(payload: dict[str, Any]) -> dict[str, Any]:
    """chat.postMessage's form fields as Slack reads them (blocks arrive as JSON text)."""
    blocks = payload["blocks"]
    return {**payload, "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks}
