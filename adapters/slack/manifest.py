"""The Slack app manifest, generated from the core's command specs.

Slack takes slash commands from the manifest, not through the API, so `clubbot slack
manifest` prints this and an admin pastes it into api.slack.com/apps. Each core command's
first word is one slash command (`/admin` carries `setup`, `officers add`, ...); a prefix
such as "cb-" keeps them apart from other apps' commands in the workspace's one namespace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.app import Command
from bot.model import clip

APP_NAME = "clubbot"
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
BOT_SCOPES = (
    "commands",
    "chat:write",
    # Post in public channels the bot has not been invited to.
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    # files_upload_v2 (the .ics of /calendar): files.getUploadURLExternal and
    # files.completeUploadExternal.
    "files:write",
    # team.info: the club is named after its workspace.
    "team:read",
    # Read back a scheduled post whose outcome a crash left unknown (adapters/slack_posting.py).
    "channels:history",
    "groups:history",
    "im:history",
)
BOT_EVENTS = (
    "app_home_opened",
    # The app's life in the workspace: pause the club on either, keep its data.
    "app_uninstalled",
    "tokens_revoked",
    # A member's admin right changed: the dashboard checks officers' rights at each change.
    "user_change",
)
MAX_COMMAND = 32
# Slack's manifest schema allows these (Discord's 100 is the core's limit, not Slack's).
MAX_DESCRIPTION = 2000
MAX_USAGE_HINT = 1000
_PREFIX = re.compile(r"^[a-z0-9_-]*$")


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise ValueError(f"slash command prefix {prefix!r}: use lowercase letters, digits, - or _")
    return prefix


def roots(commands: Sequence[Command]) -> dict[str, list[Command]]:
    """Commands grouped by their first word, which is the slash command, in declared order."""
    grouped: dict[str, list[Command]] = {}
    for command in commands:
        grouped.setdefault(command.name.split(" ")[0], []).append(command)
    return grouped


def slash_command(prefix: str, root: str) -> str:
    name = f"/{check_prefix(prefix)}{root}"
    if len(name) > MAX_COMMAND:
        raise ValueError(f"{name} is longer than Slack's {MAX_COMMAND} characters")
    return name


def _description(root: str, commands: list[Command]) -> str:
    """Slack's autocomplete shows this under the command: every subcommand, named."""
    if len(commands) == 1 and commands[0].name == root:
        return commands[0].description
    words = ", ".join(c.name.removeprefix(root).strip() or root for c in commands)
    prefix = "Officers: " if all(c.officers_only for c in commands) else ""
    return clip(f"{prefix}{words}. Type /{root} alone for help.", MAX_DESCRIPTION)


# Slack members have no roles: a role option is refused there, so the hint leaves it out.
_NOT_ON_SLACK = frozenset({"role"})


def _slack_usage(command: Command) -> str:
    parts = [f"/{command.name}"]
    for option in command.options:
        if option.kind not in _NOT_ON_SLACK:
            parts.append(f"{option.name}:…" if option.required else f"[{option.name}:…]")
    return " ".join(parts)


def _usage_hint(root: str, commands: list[Command]) -> str:
    """Every subcommand with its options; when that is too long for Slack, the required
    options only (`/{root} help` lists the rest)."""
    full = " | ".join(_slack_usage(c).removeprefix(f"/{root}").strip() for c in commands)
    if len(full) <= MAX_USAGE_HINT:
        return full.strip(" |")
    hints = []
    for command in commands:
        words = command.name.removeprefix(root).strip()
        shown = [o for o in command.options if o.kind not in _NOT_ON_SLACK]
        options = [f"{o.name}:…" for o in shown if o.required]
        optional = " [options]" if any(not o.required for o in shown) else ""
        hints.append(" ".join([words, *options]).strip() + optional)
    return clip(" | ".join(h.strip() for h in hints if h.strip()), MAX_USAGE_HINT)


def _slash_commands(
    commands: Sequence[Command], prefix: str, events_url: str | None
) -> list[dict[str, Any]]:
    entries = []
    for root, group in roots(commands).items():
        entry: dict[str, Any] = {
            "command": slash_command(prefix, root),
            "description": _description(root, group),
            # Slack turns picked @members and #channels into <@U…> and <#C…> for us.
            "should_escape": True,
        }
        hint = _usage_hint(root, group)
        if hint:
            entry["usage_hint"] = hint
        if events_url:
            entry["url"] = events_url
        entries.append(entry)
    return entries


def manifest(
    commands: Sequence[Command], prefix: str = "", *, base_url: str | None = None
) -> dict[str, Any]:
    """The app manifest: Socket Mode by default, HTTP with OAuth when `base_url` is given."""
    events_url = base_url.rstrip("/") + EVENTS_PATH if base_url else None
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if base_url and events_url:
        events["request_url"] = events_url
        interactivity["request_url"] = events_url
        oauth["redirect_urls"] = [base_url.rstrip("/") + REDIRECT_PATH]
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": APP_NAME,
            "description": "Internship windows, a daily problem and mock-interview pairs for clubs",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                # DMs (reminders, pairs) show in the Messages tab; members can't write there.
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": _slash_commands(commands, prefix, events_url),
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": base_url is None,
            "token_rotation_enabled": False,
        },
    }
