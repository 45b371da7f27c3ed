"""`clubbot discord`: connect, sync the command tree if it changed, run the scheduler."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import aiohttp
import discord

from adapters.connecting import with_retries
from adapters.discord.commands import command_payload, sync_commands
from adapters.discord.directory import DiscordDirectory
from adapters.discord.listener import build_client
from adapters.discord.posting import DiscordPoster
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime

log = logging.getLogger(__name__)

# Failures worth another try at start: no network, DNS, a timeout, Discord's 5xx.
PASSING = (OSError, TimeoutError, aiohttp.ClientError, discord.DiscordServerError)


def passing(error: Exception) -> bool:
    return isinstance(error, PASSING)


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
    connection = _Connection(runtime, settings, poster, directory, shard_count, shard_ids)
    try:
        return await connection.run(sync_only=sync_only)
    finally:
        await runtime.close()


class _Connection:
    """Log in (retried while the network is away), then stay connected. Without the
    Server Members intent switched on in the developer portal, connect without it."""

    def __init__(
        self,
        runtime: Runtime,
        settings: Settings,
        poster: DiscordPoster,
        directory: DiscordDirectory,
        shard_count: int | None,
        shard_ids: Sequence[int] | None,
    ) -> None:
        self.runtime, self.settings = runtime, settings
        self.poster, self.directory = poster, directory
        self.shard_count, self.shard_ids = shard_count, shard_ids
        self.members = True

    async def run(self, *, sync_only: bool) -> int:
        started = False
        while True:
            client = await with_retries(
                "logging in to Discord",
                self._logged_in,
                passing=passing,
                within=self.settings.connect_within,
            )
            try:
                if not started:
                    if await self._sync(client, sync_only=sync_only):
                        return 0
                    await self.runtime.start()
                    started = True
                await client.connect()
                return 0
            except discord.PrivilegedIntentsRequired:
                if not self.members:
                    raise
                log.warning(
                    "Discord refused the Server Members intent (switch it on under Bot > "
                    "Privileged Gateway Intents): connecting without it; an officer who "
                    "loses a role keeps the dashboard until their next command"
                )
                self.members = False
            finally:
                await client.close()

    async def _sync(self, client: discord.Client, *, sync_only: bool) -> bool:
        """Upload the command tree if it changed (always with `sync_only`); True when
        that was all there was to do."""
        commands = self.runtime.bot.commands
        changed = await sync_commands(client, commands, force=sync_only)
        log.info("command tree %s", "uploaded" if changed else "unchanged")
        if sync_only:
            print(f"Synced {len(command_payload(commands))} commands.")
        return sync_only

    async def _logged_in(self) -> discord.Client:
        client = build_client(
            self.runtime.bot,
            shard_count=self.shard_count,
            shard_ids=self.shard_ids,
            members=self.members,
        )
        try:
            await client.login(self.settings.discord_token)
        except BaseException:
            await client.close()
            raise
        self.poster.bind(client)
        self.directory.bind(client)
        return client
