"""The I applied buttons of a postings digest as each platform receives them: Discord's 5
rows of 5 under the embed, one Slack actions block of 25 elements (its limit), the console's
lines; each carries the club and the posting back on a click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.console.render import render
from adapters.discord.render import view
from adapters.slack.render import blocks
from bot.applied import applied_to
from bot.postings.listing import Posting
from bot.postings.store import StoredPosting
from bot.postings.texts import digest_message

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def _digest(count: int):
    found = [
        StoredPosting(
            id=100 + i,
            posting=Posting(
                source="SimplifyJobs/Summer2027-Internships",
                ext_id=str(i),
                company=f"Co {i % 8}",
                title=f"Intern {i}",
                url=f"https://j.example/{i}",
                locations=("NYC",),
                posted_at=NOW - timedelta(minutes=i),
            ),
            first_seen_at=NOW,
            closed_at=None,
        )
        for i in range(count)
    ]
    return digest_message(found, NOW, club_id=42)


def test_discord_gets_five_rows_of_five_each_naming_the_club_and_posting():
    digest = _digest(40)
    assert len(digest.buttons) == 25
    made = view(digest)
    assert made is not None
    rows = made.to_components()
    assert [len(row["components"]) for row in rows] == [5, 5, 5, 5, 5]
    ids = [c["custom_id"] for row in rows for c in row["components"]]
    assert ids == [b.custom_id for b in digest.buttons]
    for custom_id in ids:
        action, _, value = custom_id.partition(":")  # as the listener reads a click
        named = applied_to(value)
        assert action == "applied"
        assert named is not None
        assert (named.club_id, named.kind) == (42, "posting")


def test_slack_gets_one_actions_block_of_25_and_the_console_a_line_each():
    digest = _digest(40)
    laid = blocks(digest)
    [actions] = [b for b in laid if b["type"] == "actions"]
    assert laid[-1] is actions
    assert len(actions["elements"]) == 25
    assert [e["value"] for e in actions["elements"]] == [b.custom_id for b in digest.buttons]
    assert len({e["action_id"] for e in actions["elements"]}) == 25, "action ids are unique"
    lines = render(digest)
    assert [line for line in lines if line.startswith("[button: I applied: ")] == [
        f"[button: {b.label}]" for b in digest.buttons
    ]
    assert "I applied buttons for the first 25; for the others, `/applied`." in digest.text
