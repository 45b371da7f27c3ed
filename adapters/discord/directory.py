"""Channels and members an officer names, from the guild the client knows."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.posting import Connected, cannot_hold_messages
from bot.app import ChannelRef
from bot.model import Place, User

# What a post needs: without Embed Links Discord silently drops the embed (the whole post).
_POSTING_RIGHTS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)


def refusal(channel: Any, me: discord.Member | None) -> str:
    """Why the bot can't post in `channel` now; empty when it can or can't be told."""
    if not isinstance(channel, discord.abc.Messageable):
        return cannot_hold_messages(channel)
    if me is None or not isinstance(channel, discord.abc.GuildChannel):
        return ""
    rights = channel.permissions_for(me)
    # The first right missing: without View Channel, discord.py reports every other one off.
    missing = next((label for flag, label in _POSTING_RIGHTS if not getattr(rights, flag)), "")
    return f"I'm missing {missing} there" if missing else ""


class DiscordDirectory(Connected):
    """Channels and members an officer names, from the guild the client knows."""

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        guild = (
            self.client.get_guild(int(place.workspace_id)) if place.workspace_id.isdigit() else None
        )
        if guild is None:
            return None
        text = ref.strip().removeprefix("<#").removesuffix(">")
        if text.isdigit():
            found: Any = guild.get_channel(int(text))
        else:
            name = text.removeprefix("#")
            found = discord.utils.get(guild.text_channels, name=name) or discord.utils.get(
                guild.channels, name=name
            )
        if found is None:
            return None
        return ChannelRef(id=str(found.id), name=found.name, refusal=refusal(found, guild.me))

    async def find_user(self, place: Place, ref: str) -> User | None:
        guild = (
            self.client.get_guild(int(place.workspace_id)) if place.workspace_id.isdigit() else None
        )
        if guild is None:
            return None
        text = ref.strip().removeprefix("<@").removeprefix("!").removesuffix(">")
        found = (
            guild.get_member(int(text))
            if text.isdigit()
            else guild.get_member_named(text.removeprefix("@"))
        )
        if found is None and text.isdigit():
            try:
                found = await guild.fetch_member(int(text))
            except discord.HTTPException:
                found = None
        if found is None:
            return None
        rights = found.guild_permissions
        return User(
            id=str(found.id),
            name=found.display_name,
            is_admin=rights.manage_guild or rights.administrator,
        )
