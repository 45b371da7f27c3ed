"""`clubbot discord`: connect, sync the command tree if it changed, run the scheduler."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from adapters.discord.commands import command_payload, sync_commands
from adapters.discord.directory import DiscordDirectory
from adapters.discord.listener import build_client
from adapters.discord.posting import DiscordPoster
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import open_runtime

log = logging.getLogger(__name__)


async def run_discord(
    settings: Settings,
    *,
    shard_count: int | None = None,
    shard_ids: Sequence[int] | None = None,
    sync_only: bool = False,
) -> int:
    """`clubbot discord`: connect, sync the command tree if it changed, run the scheduler."""
    if not settings.discord_token:
        print("clubbot discord: set DISCORD_TOKEN (see docs/discord.md).", file=sys.stderr)
        return 2
    poster, directory = DiscordPoster(), DiscordDirectory()
    runtime = await open_runtime(
        database_url=settings.database_url,
        clock=SystemClock(),
        poster=poster,
        directory=directory,
        grace=settings.grace,
        postings_settings=settings.postings,
        public_url=settings.public_url,
        web_listen=settings.web_listen,
    )
    client = build_client(runtime.bot, shard_count=shard_count, shard_ids=shard_ids)
    poster.bind(client)
    directory.bind(client)
    try:
        async with client:
            await client.login(settings.discord_token)
            changed = await sync_commands(client, runtime.bot.commands, force=sync_only)
            log.info("command tree %s", "uploaded" if changed else "unchanged")
            if sync_only:
                print(f"Synced {len(command_payload(runtime.bot.commands))} commands.")
                return 0
            await runtime.scheduler.start()
            await client.connect()
    finally:
        await runtime.close()
    return 0
