"""Discord shows every instant in the reader's own zone (timestamp markup) and reads zones
the way members type them, with autocomplete from the same reader."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.model import Message, plain
from tests.adapters.discord import test_discord
from tests.adapters.discord.test_discord import CHANNEL, MEMBER_ID, OWNER, _setup, command
from tests.conftest import MONDAY

discord_club = test_discord.discord_club  # the Discord mock and a club behind it

TIMESTAMP = re.compile(r"<t:(\d+):f>")


async def test_a_zone_typed_as_est_is_saved_as_new_york_and_the_answer_says_so(discord_club):
    body = await discord_club.interact(command("admin", OWNER, data=_setup("EST")))
    description = body["data"]["embeds"][0]["description"]
    assert "`EST` → America/New_York" in description
    assert "follows daylight saving" in description
    club = (await discord_club.runtime.store.clubs.all())[0]
    assert club.timezone == "America/New_York"


async def test_status_next_runs_are_timestamp_markup(discord_club):
    await discord_club.interact(command("admin", OWNER, data=_setup("America/New_York")))
    data = {"id": "1", "name": "admin", "type": 1, "options": [{"name": "status", "type": 1}]}
    body = await discord_club.interact(command("admin", OWNER, data=data))
    card = body["data"]["embeds"][0]
    runs = next(f["value"] for f in card["fields"] if f["name"] == "Next runs")
    # Monday 23 November 2026, 09:00 in New York is 14:00 UTC.
    digest = MONDAY.replace(day=23, hour=14)
    assert f"Weekly officer digest: <t:{int(digest.timestamp())}:f>" in runs
    assert "\ue000" not in str(card)
    assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_the_digest_post_carries_timestamp_markup_and_pings_nobody(discord_club):
    await discord_club.interact(command("admin", OWNER, data=_setup("America/New_York")))
    scheduler = discord_club.runtime.scheduler
    await scheduler.run_until(scheduler.clock, MONDAY + timedelta(days=7))
    posts = [
        p
        for p in discord_club.mock.sent("POST", f"/channels/{CHANNEL}/messages")
        if p.get("embeds")
    ]
    coming = next(f["value"] for f in posts[-1]["embeds"][0]["fields"] if f["name"] == "Coming up")
    assert TIMESTAMP.search(coming)
    assert posts[-1]["allowed_mentions"] == {"parse": []}


async def test_timezone_autocomplete_comes_from_the_zone_reader(discord_club):
    for typed, first in (("nyc", "America/New_York"), ("bangalore", "Asia/Kolkata")):
        focused = {"name": "timezone", "type": 3, "value": typed, "focused": True}
        data = {
            "id": "1",
            "name": "admin",
            "type": 1,
            "options": [{"name": "setup", "type": 1, "options": [focused]}],
        }
        body = await discord_club.interact(command("admin", OWNER, kind=4, data=data))
        assert body["type"] == 8
        assert body["data"]["choices"][0] == {"name": first, "value": first}
    focused = {"name": "timezone", "type": 3, "value": "cst", "focused": True}
    join = {"id": "1", "name": "mockpair", "type": 1}
    join["options"] = [{"name": "join", "type": 1, "options": [focused]}]
    body = await discord_club.interact(command("mockpair", MEMBER_ID, kind=4, data=join))
    assert [c["value"] for c in body["data"]["choices"]] == ["America/Chicago", "Asia/Shanghai"]


def test_the_rendering_is_never_longer_than_the_length_the_core_checked():
    from adapters.discord.render import embed
    from bot.club_time import moment
    from bot.model import shown_length

    text = " and ".join(moment(MONDAY + timedelta(days=d), "Asia/Kolkata") for d in range(30))
    card = embed(Message(text=text, title=f"Due {moment(MONDAY, 'UTC')}"))
    assert card.description is not None
    assert len(card.description) <= shown_length(text)
    assert card.title == f"Due {plain(moment(MONDAY, 'UTC'))}"  # titles don't render markup
