"""What Discord and Slack accept, checked on what the real adapters render: a message is
rendered through adapters/discord/render.py and adapters/slack/render.py and held to the
platforms' limits (shared/PLATFORM.md), nothing cut by the renderer to get there."""

from __future__ import annotations

from adapters.discord.render import embed, view
from adapters.slack.render import MAX_BLOCKS, blocks, message_payload
from bot.model import Message
from tests.adapters.slack.test_slack import assert_fits_block_kit

# Discord: an embed's title 256, description 4096, 25 fields (name 256, value 1024), 6000
# characters in all; 25 buttons, labels 80, custom ids 100, link urls 512.
EMBED = {"title": 256, "description": 4096, "fields": 25, "name": 256, "value": 1024}
EMBED_TOTAL = 6000


def assert_fits_discord(message: Message) -> None:
    card = embed(message)
    data = card.to_dict()
    assert len(data.get("title", "")) <= EMBED["title"]
    assert len(data.get("description", "")) <= EMBED["description"]
    fields = data.get("fields", [])
    assert len(fields) <= EMBED["fields"]
    for field in fields:
        assert 1 <= len(field["name"]) <= EMBED["name"]
        assert 1 <= len(field["value"]) <= EMBED["value"]
    assert len(card) <= EMBED_TOTAL, f"embed is {len(card)} characters"
    assert data.get("title") or data.get("description") or fields
    buttons = view(message)
    items = [] if buttons is None else list(buttons.children)
    assert len(items) <= 25
    for item in items:
        assert len(getattr(item, "label", "") or "") <= 80
        assert len(getattr(item, "custom_id", "") or "") <= 100
        assert len(getattr(item, "url", "") or "") <= 512


def assert_fits_slack(message: Message) -> None:
    assert_fits_block_kit(message_payload(message))
    assert len(blocks(message, limit=10_000)) <= MAX_BLOCKS, "no block left out to fit"


def assert_fits(message: Message) -> None:
    """Within Discord's and Slack's limits, as each adapter renders it."""
    assert_fits_discord(message)
    assert_fits_slack(message)
