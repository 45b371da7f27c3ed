"""Applications and /mydata on Discord, through discord.py's real interaction paths against
the Discord mock: private answers, stage buttons routed by custom_id, the export's file sent
with the private answer, the deletion confirmed by its button."""

from __future__ import annotations

from typing import Any

from bot.applications import ApplicationStore
from tests.adapters.discord.test_discord import MEMBER_ID, command


def _custom_ids(body: dict[str, Any]) -> list[str]:
    rows = body["data"].get("components", [])
    return [c["custom_id"] for row in rows for c in row["components"] if "custom_id" in c]


def _slash(name: str, subcommand: str | None = None, **options: str) -> dict[str, Any]:
    given = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    if subcommand is not None:
        given = [{"name": subcommand, "type": 1, "options": given}]
    return {"id": "1", "name": name, "type": 1, "options": given}


async def _click(club: Any, custom_id: str) -> dict[str, Any]:
    data = {"custom_id": custom_id, "component_type": 2}
    return await club.interact(command("x", MEMBER_ID, kind=3, data=data))  # type: ignore[no-any-return]


async def test_an_application_is_recorded_privately_and_moved_by_its_buttons(discord_club):
    body = await discord_club.interact(
        command("applied", MEMBER_ID, data=_slash("applied", company="Stripe", role="ML intern"))
    )
    assert body["type"] == 4
    assert body["data"]["flags"] == 64
    assert body["data"]["embeds"][0]["title"] == "#1 Stripe — ML intern"
    assert "app-stage:1.interview" in _custom_ids(body)
    moved = await _click(discord_club, "app-stage:1.interview")
    assert moved["data"]["flags"] == 64
    assert moved["data"]["embeds"][0]["description"].startswith("Moved #1 to interview.")


async def test_the_export_file_goes_with_the_private_answer(discord_club):
    await discord_club.interact(
        command("applied", MEMBER_ID, data=_slash("applied", company="Figma"))
    )
    body = await discord_club.interact(
        command("mydata", MEMBER_ID, data=_slash("mydata", "export"))
    )
    assert body["data"]["flags"] == 64
    assert [a["filename"] for a in body["data"]["attachments"]] == ["my-clubbot-data.zip"]


async def test_a_deletion_is_confirmed_by_its_button_and_erases(discord_club):
    await discord_club.interact(
        command("applied", MEMBER_ID, data=_slash("applied", company="Figma"))
    )
    asked = await discord_club.interact(
        command("mydata", MEMBER_ID, data=_slash("mydata", "delete"))
    )
    [confirm] = _custom_ids(asked)
    assert confirm.startswith("mydata-delete:")
    done = await _click(discord_club, confirm)
    assert done["data"]["embeds"][0]["description"].startswith("Done: ")
    store = discord_club.runtime.store
    [club] = await store.clubs.all()
    assert await store.repo(ApplicationStore).mine(club.id, str(MEMBER_ID)) == []
