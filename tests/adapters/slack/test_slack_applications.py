"""Applications and /mydata on Slack, through bolt's real dispatch against the Slack mock
(which enforces the token's scopes): private answers, stage buttons, the export's file in
the member's DM, the deletion confirmed by its button."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.test_slack import SAM, SlackClub


def _buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _button(payload: dict[str, Any], value: str) -> dict[str, Any]:
    return next(e for e in _buttons(payload) if e.get("value") == value)


async def test_an_application_is_recorded_privately_and_moved_by_its_buttons(slack: SlackClub):
    payload = await slack.command('/applied company:Stripe role:"ML intern"', user=SAM)
    assert payload["response_type"] == "ephemeral"
    assert payload["blocks"][0]["text"]["text"] == "#1 Stripe — ML intern"
    [answer] = await slack.click(_button(payload, "app-stage:1.interview"), user=SAM)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("#1 Stripe — ML intern")
    assert "Moved #1 to interview." in str(answer["blocks"])


async def test_the_export_file_reaches_the_members_dm(slack: SlackClub):
    await slack.command("/applied company:Figma", user=SAM)
    payload = await slack.command("/mydata export", user=SAM)
    assert payload["response_type"] == "ephemeral"
    [complete] = await slack.mock.wait_for(
        lambda: slack.mock.called("files.completeUploadExternal")
    )
    assert complete["channel_id"] == f"D{SAM}"
    [content] = slack.mock.uploads.values()
    assert content.startswith(b"PK"), "a zip file"


async def test_a_deletion_is_confirmed_by_its_button_and_erases(slack: SlackClub):
    await slack.command("/applied company:Figma", user=SAM)
    asked = await slack.command("/mydata delete", user=SAM)
    [confirm] = [e for e in _buttons(asked) if e["value"].startswith("mydata-delete:")]
    [done] = await slack.click(confirm, user=SAM)
    assert done["text"].startswith("Done: ")
    again = await slack.command("/applications", user=SAM)
    assert again["text"].startswith("Your applications")
    assert "0 applications this season" in str(again["blocks"])
