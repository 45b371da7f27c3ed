"""The core's command specs as Discord application commands, uploaded only when they change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import discord

from bot.app import Command, Option

_OPTION_TYPES = {"string": 3, "integer": 4, "user": 6, "channel": 7, "role": 8}
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
# Channels that take messages: text (0) and announcement (5). Categories (4) and forums
# (15) can't, so Discord's picker doesn't offer them.
POSTABLE_CHANNEL_TYPES = (0, 5)
# Guilds only (0): in the bot's DMs (1) or group DMs (2) there is no club to act on.
GUILD_ONLY = [0]


def command_payload(commands: Sequence[Command]) -> list[dict[str, Any]]:
    """Discord's application-command JSON for the core's specs: one-word commands as
    they are, longer ones as groups and subcommands (/admin officers add)."""
    roots: dict[str, dict[str, Any]] = {}
    for command in commands:
        words = command.name.split(" ")
        if len(words) == 1:
            roots[words[0]] = _leaf(command, words[0], kind=None)
            continue
        root = roots.setdefault(words[0], _group(words[0], None))
        parent = root
        if len(words) == 3:
            parent = _child(root, words[1])
        parent["options"].append(_leaf(command, words[-1], kind=SUB_COMMAND))
    return list(roots.values())


def _group(name: str, kind: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "description": f"/{name} commands", "options": []}
    if kind is None:
        body.update(_TOP_LEVEL)
    else:
        body["type"] = kind
    return body


# No `default_member_permissions`: Discord would hide /admin from officers the club added
# (by /admin officers add or the officer role) unless a server admin overrode it by hand.
# The core checks the right on every command; server admins can still narrow who sees a
# command under Server Settings > Integrations.
_TOP_LEVEL: dict[str, Any] = {"type": 1, "contexts": GUILD_ONLY, "dm_permission": False}


def _child(root: dict[str, Any], name: str) -> dict[str, Any]:
    for option in root["options"]:
        if option["name"] == name and option["type"] == SUB_COMMAND_GROUP:
            found: dict[str, Any] = option
            return found
    group = _group(name, SUB_COMMAND_GROUP)
    root["options"].append(group)
    return group


def _leaf(command: Command, name: str, *, kind: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "description": command.description,
        "options": [_option(o) for o in sorted(command.options, key=lambda o: not o.required)],
        "type": kind if kind is not None else 1,
    }
    if kind is None:
        body.update(_TOP_LEVEL)
    return body


def _option(option: Option) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": option.name,
        "description": option.description,
        "type": _OPTION_TYPES[option.kind],
        "required": option.required,
    }
    if option.choices:
        body["choices"] = [{"name": c, "value": c} for c in option.choices]
    elif option.autocomplete is not None:
        body["autocomplete"] = True
    if option.kind == "string":
        body["max_length"] = option.max_length
    if option.kind == "channel":
        body["channel_types"] = list(POSTABLE_CHANNEL_TYPES)
    return body


def payload_hash(commands: Sequence[Command]) -> str:
    text = json.dumps(command_payload(commands), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


async def sync_commands(
    client: discord.Client, commands: Sequence[Command], *, force: bool
) -> bool:
    """Upload the command tree when it differs from what Discord has (or when forced)."""
    application_id = client.application_id
    assert application_id is not None
    wanted = command_payload(commands)
    if not force:
        current = await client.http.get_global_commands(application_id)
        if _comparable(current) == _comparable(wanted):
            return False
    await client.http.bulk_upsert_global_commands(application_id, wanted)
    return True


def _comparable(commands: Sequence[Any]) -> str:
    keep = (
        "name",
        "description",
        "options",
        "type",
        "choices",
        "required",
        "autocomplete",
        "contexts",
        "channel_types",
        "default_member_permissions",
    )

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: strip(v)
                for k, v in sorted(node.items())
                if k in keep and v not in (None, [], False)
            }
        if isinstance(node, list):
            return [strip(x) for x in node]
        return node

    return json.dumps(sorted((strip(c) for c in commands), key=lambda c: c["name"]))
