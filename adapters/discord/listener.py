"""The client and its listener: translate, ask the core, answer within Discord's limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord

from adapters.discord import membership, rights
from adapters.discord.events import command_event, focused, member, place
from adapters.discord.render import send_kwargs
from bot.app import Bot
from bot.model import ButtonEvent, CommandEvent

log = logging.getLogger(__name__)


# Answer within Discord's 3 seconds, or defer and follow up.
ANSWER_WITHIN = 2.0


class Listener:
    """What the client calls: translate, ask the core, answer within Discord's limits."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        kind = interaction.type
        commands = (
            discord.InteractionType.autocomplete,
            discord.InteractionType.application_command,
        )
        if kind in commands and interaction.guild_id is None:
            await self._outside_a_server(interaction)
        elif kind == discord.InteractionType.autocomplete:
            await self._complete(interaction)
        elif kind == discord.InteractionType.application_command:
            await self._answer(interaction, command_event(interaction))
        elif kind == discord.InteractionType.component:
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            action, _, value = custom_id.partition(":")
            event = ButtonEvent(
                action=action, value=value, user=member(interaction), place=place(interaction)
            )
            await self._answer(interaction, event)

    async def _answer(
        self, interaction: discord.Interaction, event: CommandEvent | ButtonEvent
    ) -> None:
        task = asyncio.ensure_future(self.bot.handle(event))
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        if done:
            message = task.result()
            await interaction.response.send_message(
                ephemeral=message.ephemeral, **send_kwargs(message)
            )
            return
        # A deferral's visibility is the answer's: defer as the command will answer.
        command = self.bot.command(event.name) if isinstance(event, CommandEvent) else None
        private = not (command is not None and command.public)
        await interaction.response.defer(ephemeral=private, thinking=True)
        message = await task
        if message.ephemeral and not private:  # e.g. a refusal: keep it to the asker
            await interaction.delete_original_response()
        await interaction.followup.send(ephemeral=message.ephemeral, **send_kwargs(message))

    async def _outside_a_server(self, interaction: discord.Interaction) -> None:
        """Commands are for a club's server; in a DM there is no club to act on."""
        if interaction.type == discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
            return
        await interaction.response.send_message(
            "I work inside your club's Discord server: run my commands in one of its "
            "channels (try `/help` there). Reminders and pairs still reach you here.",
            ephemeral=True,
        )

    async def _complete(self, interaction: discord.Interaction) -> None:
        found = focused(interaction)
        suggestions: list[str] = []
        if found is not None:
            name, option, typed = found
            suggestions = await self.bot.complete(
                name, option, typed, user=member(interaction), place=place(interaction)
            )
        await interaction.response.autocomplete(
            [discord.app_commands.Choice(name=s, value=s) for s in suggestions[:25]]
        )


def build_client(
    bot: Bot,
    *,
    shard_count: int | None = None,
    shard_ids: Sequence[int] | None = None,
    members: bool = True,
) -> discord.Client:
    """The client, not connected: tests feed it gateway payloads directly.

    `members` asks for the Server Members intent (privileged: switched on in the developer
    portal), which brings GUILD_MEMBER_UPDATE: an officer who loses a role loses the
    dashboard at once. No member is cached (nor chunked at start): the events are
    recorded, not kept in memory."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = members
    options: dict[str, Any] = {
        "allowed_mentions": discord.AllowedMentions.none(),
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "chunk_guilds_at_startup": False,
    }
    if shard_count is not None:
        if shard_ids:
            options["shard_ids"] = list(shard_ids)
        client: discord.Client = discord.AutoShardedClient(
            intents=intents, shard_count=shard_count, **options
        )
    else:
        client = discord.Client(intents=intents, **options)
    listener = Listener(bot)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        await listener.on_interaction(interaction)

    @client.event
    async def on_guild_join(guild: discord.Guild) -> None:
        await greet(bot, client, guild)

    @client.event
    async def on_guild_remove(guild: discord.Guild) -> None:
        await membership.removed(bot, guild)

    @client.event
    async def on_ready() -> None:
        await membership.reconcile(bot, client, await bot.store.clubs.all())

    _follow_rights(bot, client)
    return client


def _follow_rights(bot: Bot, client: discord.Client) -> None:
    """Record members' rights as Discord's events change them (see adapters.discord.rights)."""
    rights.follow_member_updates(client)

    async def on_clubbot_member_update(data: dict[str, Any]) -> None:
        await rights.member_updated(bot, client, data)

    async def on_guild_role_update(before: discord.Role, after: discord.Role) -> None:
        if before.permissions != after.permissions:
            await rights.role_changed(bot, after)

    async def on_guild_role_delete(role: discord.Role) -> None:
        await rights.role_changed(bot, role, deleted=True)

    async def on_raw_member_remove(payload: discord.RawMemberRemoveEvent) -> None:
        await rights.member_left(bot, payload.guild_id, payload.user.id)

    for handler in (
        on_clubbot_member_update,
        on_guild_role_update,
        on_guild_role_delete,
        on_raw_member_remove,
    ):
        client.event(handler)


async def greet(bot: Bot, client: discord.Client, guild: discord.Guild) -> None:
    """A new server gets its club (a re-invited one resumes), and whoever can configure it
    is told how."""
    back = await membership.invited(bot, guild) is not None
    channel = guild.system_channel
    if channel is None:
        return
    text = (
        "Hi! I'm clubbot: internship windows, a daily problem and mock-interview pairs. "
        "Someone with Manage Server can set me up with `/admin setup`, e.g. "
        "`/admin setup timezone:America/New_York deadlines:#deadlines problems:#daily-problem`."
    )
    if back:
        text = (
            "I'm back, with the club's settings as they were: scheduled posts resume now. "
            "`/admin status` shows what I could not post while I was away."
        )
    try:
        await channel.send(text)
    except discord.HTTPException as error:
        log.info("could not greet %s: %s", guild.id, error)
