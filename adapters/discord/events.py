"""Interactions in: a slash command or an autocomplete request as the core's event."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.commands import SUB_COMMAND, SUB_COMMAND_GROUP
from bot.model import CommandEvent, Place, User


def command_event(interaction: discord.Interaction) -> CommandEvent:
    data: dict[str, Any] = dict(interaction.data or {})
    words, options = [str(data["name"])], list(data.get("options", []))
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        words.append(str(options[0]["name"]))
        options = list(options[0].get("options", []))
    args = {str(o["name"]): _value(o) for o in options if o.get("value") is not None}
    return CommandEvent(
        name=" ".join(words), args=args, user=member(interaction), place=place(interaction)
    )


def _value(option: dict[str, Any]) -> str:
    """Users, channels and roles arrive as ids; the core's directory reads mention syntax."""
    kind, value = option.get("type"), str(option["value"])
    return {6: f"<@{value}>", 7: f"<#{value}>", 8: f"<@&{value}>"}.get(kind or 0, value)


def focused(interaction: discord.Interaction) -> tuple[str, str, str] | None:
    """(command name, option name, typed text) of an autocomplete request."""
    data: dict[str, Any] = dict(interaction.data or {})
    words, options = [str(data["name"])], list(data.get("options", []))
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        words.append(str(options[0]["name"]))
        options = list(options[0].get("options", []))
    for option in options:
        if option.get("focused"):
            return " ".join(words), str(option["name"]), str(option.get("value", ""))
    return None


def member(interaction: discord.Interaction) -> User:
    who = interaction.user
    rights = getattr(who, "guild_permissions", None)
    admin = bool(rights and (rights.manage_guild or rights.administrator))
    roles = frozenset(str(r.id) for r in getattr(who, "roles", ()))
    return User(id=str(who.id), name=who.display_name, is_admin=admin, roles=roles)


def place(interaction: discord.Interaction) -> Place:
    return Place(
        platform="discord",
        workspace_id=str(interaction.guild_id or f"dm-{interaction.user.id}"),
        channel_id=str(interaction.channel_id or ""),
    )
