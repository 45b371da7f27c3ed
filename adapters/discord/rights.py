"""Members' rights as Discord's events change them, recorded for every process.

A `clubbot web` process can't ask Discord whether an officer still has Manage Server or
the officer role; the bot process hears it and writes it where the dashboard reads it
(`bot.store.learned`): a member's roles changed (GUILD_MEMBER_UPDATE, with the Server
Members intent), a role's permissions changed (GUILD_ROLE_UPDATE), a role was deleted
(GUILD_ROLE_DELETE), a member left (GUILD_MEMBER_REMOVE). Rights are computed as
`adapters.discord.events.member` computes them from an interaction: the server-wide
permissions of the member's roles, @everyone included, and the owner's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import discord

from bot.app import Bot
from bot.store.learned import LearnedMembers

log = logging.getLogger(__name__)

# What discord.py dispatches (as `on_clubbot_member_update`) for each GUILD_MEMBER_UPDATE:
# its own `on_member_update` fires only for members in its cache, which clubbot keeps empty.
MEMBER_UPDATE = "clubbot_member_update"


def follow_member_updates(client: discord.Client) -> None:
    """Dispatch every GUILD_MEMBER_UPDATE's payload, cached member or not."""
    state: Any = client._connection
    parse = state.parsers["GUILD_MEMBER_UPDATE"]

    def parse_and_dispatch(data: Any) -> None:
        parse(data)
        client.dispatch(MEMBER_UPDATE, data)

    state.parsers["GUILD_MEMBER_UPDATE"] = parse_and_dispatch


def is_admin(guild: discord.Guild, user_id: int, role_ids: Iterable[int]) -> bool:
    """Manage Server or Administrator from the member's roles (or owning the server)."""
    if guild.owner_id == user_id:
        return True
    value = guild.default_role.permissions.value
    for role_id in role_ids:
        role = guild.get_role(role_id)
        if role is not None:
            value |= role.permissions.value
    rights = discord.Permissions(value)
    return rights.administrator or rights.manage_guild


def _roles(guild: discord.Guild, role_ids: Iterable[int]) -> frozenset[str]:
    """As an interaction's member lists them: @everyone (the guild's id) first among them."""
    return frozenset({str(guild.id), *(str(r) for r in role_ids)})


async def _club_id(bot: Bot, guild: discord.Guild) -> int:
    club = await bot.store.clubs.get_or_create(
        platform="discord", workspace_id=str(guild.id), name=guild.name, now=bot.clock.now()
    )
    return club.id


async def member_updated(bot: Bot, client: discord.Client, data: dict[str, Any]) -> None:
    """A member's roles changed (or their name): record their rights now."""
    guild = client.get_guild(int(data["guild_id"]))
    if guild is None:
        return
    user_id = int(data["user"]["id"])
    roles = [int(r) for r in data.get("roles", [])]
    rights = {str(user_id): (is_admin(guild, user_id, roles), _roles(guild, roles))}
    await bot.store.repo(LearnedMembers).learn_many(
        await _club_id(bot, guild), rights, now=bot.clock.now()
    )


async def member_left(bot: Bot, guild_id: int, user_id: int) -> None:
    """A member left or was removed: no rights in this server any more."""
    club = await bot.store.clubs.get_or_create(
        platform="discord", workspace_id=str(guild_id), name=str(guild_id), now=bot.clock.now()
    )
    rights = {str(user_id): (False, frozenset({str(guild_id)}))}
    await bot.store.repo(LearnedMembers).learn_many(club.id, rights, now=bot.clock.now())


async def role_changed(bot: Bot, role: discord.Role, *, deleted: bool = False) -> None:
    """A role's permissions changed, or it was deleted: everyone known to hold it gets their
    rights again (with the role's new permissions, or without the role)."""
    guild = role.guild
    learned = bot.store.repo(LearnedMembers)
    club_id = await _club_id(bot, guild)
    holders = await learned.with_role(club_id, str(role.id))
    rights = {}
    for member in holders:
        assert member.rights is not None
        kept = [int(r) for r in member.rights.roles if r != str(guild.id)]
        if deleted:
            kept = [r for r in kept if r != role.id]
        user_id = int(member.user_id)
        rights[member.user_id] = (is_admin(guild, user_id, kept), _roles(guild, kept))
    if rights:
        await learned.learn_many(club_id, rights, now=bot.clock.now())
        log.info("guild %s: role %s changed; rights of %d members", guild.id, role.id, len(rights))
