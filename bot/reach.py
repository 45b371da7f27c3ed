"""What a member is told when the platform refused the bot's DMs to them.

Delivery marks the member at the first refusal and skips DMs to them from then on (each
would fail the same way); the member's next command tells them, once, and DMs are tried
again. `/mockpair status` says it too, since pairs arrive by DM.
"""

from __future__ import annotations

# How every such line begins, so an answer that already says it is not told twice.
DMS_REFUSED = "My DMs to you don't get through"

_HOW_TO_OPEN = {
    "discord": (
        "allow direct messages from server members (this server's menu → Privacy Settings)"
    ),
    "slack": "ask a workspace admin why Slack refuses them",
}


def dm_refused_line(platform: str) -> str:
    """The sentence for a member whose DMs were refused, with how to open them."""
    how = _HOW_TO_OPEN.get(platform, "open your DMs to me")
    return (
        f"{DMS_REFUSED}, so your reminders and mock-interview pairs can't reach you: "
        f"{how}. I'll try DMs again from now on."
    )
