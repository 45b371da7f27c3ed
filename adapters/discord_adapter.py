"""Discord: the core's commands as app commands, its messages as embeds, one listener.

Translation only. Every interaction (slash command, button, autocomplete) arrives
at one `on_interaction` listener and becomes a core event; buttons carry
`action:value` custom ids and are routed by that listener, so buttons on old posts
keep working after a restart. Rights are checked in the core: a member with Manage
Server or Administrator is `User.is_admin`. Mentions never ping: the client
allows none.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

import discord

from bot.app import Bot, ChannelRef, Command, Option
from bot.clock import SystemClock
from bot.config import Settings
from bot.model import (
    ButtonEvent,
    CommandEvent,
    Message,
    Place,
    Stamp,
    User,
    plain,
    render_mentions,
    render_stamps,
)
from bot.posting import PostFailed, PostKey, PostRefused
from bot.runtime import open_runtime
from bot.store.clubs import Actor, ClubChanges

log = logging.getLogger(__name__)
# Answer within Discord's 3 seconds, or defer and follow up.
ANSWER_WITHIN = 2.0
_OPTION_TYPES = {"string": 3, "integer": 4, "user": 6, "channel": 7, "role": 8}
_SUB_COMMAND, _SUB_COMMAND_GROUP = 1, 2
# Channels that take messages: text (0) and announcement (5). Categories (4) and forums
# (15) can't, so Discord's picker doesn't offer them.
POSTABLE_CHANNEL_TYPES = (0, 5)
# Guilds only (0): in the bot's DMs (1) or group DMs (2) there is no club to act on.
GUILD_ONLY = [0]


# --- the command payload ------------------------------------------------------------


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
        parent["options"].append(_leaf(command, words[-1], kind=_SUB_COMMAND))
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
        if option["name"] == name and option["type"] == _SUB_COMMAND_GROUP:
            found: dict[str, Any] = option
            return found
    group = _group(name, _SUB_COMMAND_GROUP)
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


# --- interactions in ------------------------------------------------------------------


def command_event(interaction: discord.Interaction) -> CommandEvent:
    data: dict[str, Any] = dict(interaction.data or {})
    words, options = [str(data["name"])], list(data.get("options", []))
    while options and options[0].get("type") in (_SUB_COMMAND, _SUB_COMMAND_GROUP):
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
    while options and options[0].get("type") in (_SUB_COMMAND, _SUB_COMMAND_GROUP):
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


# --- messages out -----------------------------------------------------------------------


def timestamp(stamp: Stamp) -> str:
    """Discord's timestamp markup: each reader's client shows it in their own zone."""
    return f"<t:{stamp.unix}:{stamp.style}>"


def _shown(text: str) -> str:
    return render_stamps(text, timestamp)


def embed(message: Message) -> discord.Embed:
    # Titles and field names don't render timestamp markup: they get the club-zone text.
    card = discord.Embed(
        title=plain(message.title) or None,
        description=_shown(render_mentions(message.text, _mention)) or None,
    )
    for field in message.fields:
        value = _shown(render_mentions(field.value, _mention))
        card.add_field(name=plain(field.name), value=value, inline=False)
    return card


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def view(message: Message) -> discord.ui.View | None:
    if not message.buttons:
        return None
    buttons = discord.ui.View(timeout=None)
    for button in message.buttons:
        if button.url:
            buttons.add_item(discord.ui.Button(label=plain(button.label), url=button.url))
        else:
            label = plain(button.label)
            buttons.add_item(discord.ui.Button(label=label, custom_id=button.custom_id))
    # Clicks are routed by custom id in `on_interaction`; a view still running is kept in
    # discord.py's view store for ever (one per post), a stopped one is sent and dropped.
    buttons.stop()
    return buttons


def send_kwargs(message: Message) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": embed(message)}
    buttons = view(message)
    if buttons is not None:
        kwargs["view"] = buttons
    if message.attachment is not None:
        file = message.attachment
        kwargs["file"] = discord.File(io.BytesIO(file.content), filename=file.filename)
    return kwargs


# --- the listener -------------------------------------------------------------------------


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
    bot: Bot, *, shard_count: int | None = None, shard_ids: Sequence[int] | None = None
) -> discord.Client:
    """The client, not connected: tests feed it gateway payloads directly."""
    intents = discord.Intents.none()
    intents.guilds = True
    options: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
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
        await mark_left(bot, guild, left=True)

    return client


async def mark_left(bot: Bot, guild: discord.Guild, *, left: bool) -> None:
    """Leaving keeps the club's data; `clubbot purge-left` deletes it after some days."""
    club = await bot.store.clubs.get_or_create(
        platform="discord", workspace_id=str(guild.id), name=guild.name, now=bot.clock.now()
    )
    value = bot.clock.now().isoformat() if left else None
    if left or "left_at" in club.settings:
        await bot.store.clubs.change(
            club.id,
            ClubChanges(settings={"left_at": value}),
            actor=Actor(id="discord", name="Discord"),
            now=bot.clock.now(),
        )


async def greet(bot: Bot, client: discord.Client, guild: discord.Guild) -> None:
    """A new server gets its club, and whoever can configure it is told how."""
    await mark_left(bot, guild, left=False)
    channel = guild.system_channel
    if channel is None:
        return
    text = (
        "Hi! I'm clubbot: internship windows, a daily problem and mock-interview pairs. "
        "Someone with Manage Server can set me up with `/admin setup`, e.g. "
        "`/admin setup timezone:America/New_York deadlines:#deadlines problems:#daily-problem`."
    )
    try:
        await channel.send(text)
    except discord.HTTPException as error:
        log.info("could not greet %s: %s", guild.id, error)


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


# --- posting and the directory -----------------------------------------------------------


class _Connected:
    """Made before the client exists (the runtime needs a poster first), bound later."""

    def __init__(self, client: discord.Client | None = None) -> None:
        self._client = client

    def bind(self, client: discord.Client) -> None:
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise PostFailed("not connected to Discord yet")
        return self._client


class DiscordPoster(_Connected):
    """The core's `Poster` on Discord; 429s are waited out by discord.py itself.

    A keyed post carries its occurrence as the message `nonce` (discord.py then sets
    `enforce_nonce`): Discord answers a re-send of that nonce by the bot within a few minutes
    with the message it already made, so a post retried soon after a crash is not doubled.
    """

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        channel = await self._channel(int(place.channel_id))
        target: Any = channel
        if message.thread_of:
            target = await self._thread(channel, int(message.thread_of), message.title)
        sent = await _call(
            target.send(
                allowed_mentions=discord.AllowedMentions.none(),
                **_nonce(key),
                **send_kwargs(message),
            )
        )
        return str(sent.id)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        user = await _call(self.client.fetch_user(int(user_id)))
        sent = await _call(user.send(**_nonce(key), **send_kwargs(message)))
        return str(sent.id)

    async def _channel(self, channel_id: int) -> Any:
        found = self.client.get_channel(channel_id) or await _call(
            self.client.fetch_channel(channel_id)
        )
        if not isinstance(found, discord.abc.Messageable):  # a category or forum picked once
            raise PostRefused(cannot_hold_messages(found))
        return found

    async def _thread(self, channel: Any, message_id: int, title: str) -> Any:
        parent = await _call(channel.fetch_message(message_id))
        if parent.thread is not None:
            return parent.thread
        return await _call(parent.create_thread(name=(title or "Thread")[:100]))


def _nonce(key: PostKey | None) -> dict[str, Any]:
    """send()'s nonce for a keyed post: a digest of the occurrence (Discord takes 25 chars)."""
    return {} if key is None else {"nonce": key.nonce}


async def _call(request: Any) -> Any:
    """Await one Discord request, turning failures into the core's two kinds."""
    try:
        return await request
    except discord.Forbidden as error:
        raise PostRefused(f"403 {error.text or 'Missing Access'}") from error
    except discord.NotFound as error:
        raise PostRefused(f"404 {error.text or 'Unknown Channel'}") from error
    except (discord.HTTPException, TimeoutError, OSError) as error:
        raise PostFailed(f"{type(error).__name__}: {error}") from error


def cannot_hold_messages(channel: Any) -> str:
    kind = str(getattr(getattr(channel, "type", None), "name", "channel")).replace("_", " ")
    return f"a {kind} can't hold messages"


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


class DiscordDirectory(_Connected):
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
