"""Whether the bot is in a club's server: removed (GUILD_DELETE), invited back
(GUILD_CREATE), or either while it was offline (seen in the guilds READY lists).

The club is paused and resumed in one place, `bot.store.away`; its data stays for a
re-invite, and `clubbot purge-left` deletes clubs whose server removed the bot long ago.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import discord

from bot.app import Bot
from bot.store.away import Absence, away, come_back, leave
from bot.store.clubs import Actor, Club

log = logging.getLogger(__name__)

DISCORD = Actor(id="discord", name="Discord")
REMOVED = "the server removed clubbot"
REMOVED_OFFLINE = "the server removed clubbot while it was offline"


async def _club(bot: Bot, guild: discord.Guild) -> Club:
    return await bot.store.clubs.get_or_create(
        platform="discord", workspace_id=str(guild.id), name=guild.name, now=bot.clock.now()
    )


async def removed(bot: Bot, guild: discord.Guild) -> None:
    """The server removed the bot: pause its club at once, in every process."""
    club = await _club(bot, guild)
    if await leave(bot.store.clubs, club.id, why=REMOVED, actor=DISCORD, now=bot.clock.now()):
        await bot.schedule.club_changed(club.id)
        log.info("guild %s removed clubbot: club %s paused", guild.id, club.id)


async def invited(bot: Bot, guild: discord.Guild) -> Absence | None:
    """The bot is in the server (again): resume its club with its settings; the absence
    that ended, if it was away."""
    club = await _club(bot, guild)
    ended = await come_back(bot.store.clubs, club.id, actor=DISCORD, now=bot.clock.now())
    if ended is not None:
        await bot.schedule.club_changed(club.id)
        log.info("guild %s invited clubbot back: club %s resumed", guild.id, club.id)
    return ended


def _ours(guild_id: int, client: discord.Client) -> bool:
    """Whether this process's shards carry `guild_id` (Discord's sharding formula)."""
    count = client.shard_count
    if not count or count <= 1:
        return True
    shards = getattr(client, "shard_ids", None) or range(count)
    return (guild_id >> 22) % count in shards


async def reconcile(bot: Bot, client: discord.Client, clubs: Iterable[Club]) -> None:
    """After connecting: the servers that removed the bot or invited it back while it was
    offline. Discord lists every server of the shard at READY, unavailable ones included,
    so a club whose server is not listed has lost the bot."""
    for club in clubs:
        if club.platform != "discord" or not club.workspace_id.isdigit():
            continue
        guild_id = int(club.workspace_id)
        if not _ours(guild_id, client):
            continue
        here = client.get_guild(guild_id)
        now = bot.clock.now()
        if here is None and away(club) is None:
            await leave(bot.store.clubs, club.id, why=REMOVED_OFFLINE, actor=DISCORD, now=now)
            await bot.schedule.club_changed(club.id)
        elif here is not None and away(club) is not None:
            await invited(bot, here)
