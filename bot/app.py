"""The core's one entry point: `await bot.handle(event) -> Message`.

Commands are declared once here as `Command` specs; each adapter registers them
on its platform (Discord app commands, Slack slash commands, the console).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.errors import UserError
from bot.model import (
    ButtonEvent,
    CommandEvent,
    Field,
    Message,
    Place,
    User,
    clip,
    field_lines,
    fit,
    reply,
)
from bot.reach import DMS_REFUSED, dm_refused_line
from bot.store.clubs import Actor, Club
from bot.store.learned import DmRefusal, LearnedMember, LearnedMembers, same_rights
from bot.store.saving import cannot_save
from bot.store.store import Store

log = logging.getLogger(__name__)

OptionKind = Literal["string", "integer", "channel", "user", "role"]
# Discord's limits for app commands; Slack has none stricter.
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_DESCRIPTION = 100
# Discord drops an autocomplete answer that comes after 3 seconds: answer by then with
# what is ready, or nothing.
COMPLETE_WITHIN = 2.5
_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")
_EXAMPLE = re.compile(r'e\.g\. ("[^"]*"|.+?)(?:$|, | or | \()')
_SAMPLES: dict[OptionKind, str] = {
    "string": "…",
    "integer": "1",
    "channel": "#general",
    "user": "@sam",
    "role": "@Officers",
}


Completer = Callable[["Context", str], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    name: str
    description: str
    kind: OptionKind = "string"
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200
    # Suggestions while the member types (Discord autocomplete); the core caps them at 25.
    autocomplete: Completer | None = field(default=None, compare=False)
    # The option's value now, written as an officer would type it (the dashboard's forms
    # start from it); None for an option that sets nothing lasting, or has no value yet.
    current: Callable[[Club], str | None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_description(self.description)
        if len(self.choices) > MAX_CHOICES:
            raise ValueError(f"option {self.name}: more than {MAX_CHOICES} choices")

    @property
    def sample(self) -> str:
        """A value to show in examples: the description's "e.g." if it gives one."""
        given = _EXAMPLE.search(self.description)
        if given:
            value = given.group(1).rstrip(".,;")
            return f'"{value}"' if " " in value and not value.startswith('"') else value
        if self.choices:
            return self.choices[0]
        return _SAMPLES[self.kind]


Handler = Callable[["Context"], Awaitable[Message]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A command path such as "admin officers add", its options and its handler."""

    name: str
    description: str
    handler: Handler
    options: tuple[Option, ...] = ()
    officers_only: bool = False
    # The answer is for the whole channel (e.g. /leaderboard): Discord defers a slow
    # answer with this visibility, since a deferral's visibility can't change later.
    public: bool = False

    def __post_init__(self) -> None:
        words = self.name.split(" ")
        if not 1 <= len(words) <= 3:
            raise ValueError(f"command {self.name!r}: one to three words")
        for word in words:
            _check_name(word)
        _check_description(self.description)
        if len(self.options) > MAX_OPTIONS:
            raise ValueError(f"command {self.name}: more than {MAX_OPTIONS} options")

    @property
    def usage(self) -> str:
        parts = [f"/{self.name}"]
        parts += [f"{o.name}:…" if o.required else f"[{o.name}:…]" for o in self.options]
        return " ".join(parts)

    @property
    def example(self) -> str:
        """The command as a member might type it: its required options (or its first one)
        filled with a sample value."""
        shown = [o for o in self.options if o.required] or list(self.options[:1])
        return " ".join([f"/{self.name}", *(f"{o.name}:{o.sample}" for o in shown)])


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonAction:
    """What a click on a button with this `action` does; `ctx.args["value"]` carries its value."""

    action: str
    handler: Handler


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelRef:
    id: str
    name: str
    # Why this channel can't take the bot's posts ("a category can't hold messages",
    # "I'm missing Send Messages there"); empty when it can, or when the platform can't tell.
    refusal: str = ""


class CantLookUp(UserError):
    """Raised by a directory that can't reach the platform at all (`clubbot web` alone):
    its message says where the lookup can be done instead."""


class Directory(Protocol):
    """The platform's view of a workspace, to check what an officer names."""

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        """The channel `ref` (a mention, a #name or an id) names in `place`'s workspace,
        or None; its `refusal` says whether the bot can post there now."""
        ...

    async def find_user(self, place: Place, ref: str) -> User | None:
        """The member `ref` names in `place`'s workspace, or None."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    """A scheduled job's next run for one club."""

    kind: str
    description: str
    at: datetime


class Schedule(Protocol):
    """What commands need of the scheduler."""

    def next_runs(self, club: Club, after: datetime) -> list[Run]: ...

    async def club_changed(self, club_id: int, *, to: Club | None = None) -> list[Run]:
        """Schedule the club as a change left it (`to`: the club `Clubs.change` returned,
        if the caller has it); a run the change moved into the past, whose post was still
        to come, goes out now. The runs of those that went out."""
        ...

    async def run_now(self, club_id: int, kind: str, *, club: Club | None = None) -> str:
        """Run the current occurrence of job `kind` now (if nobody has); returns the outcome.
        `club`: the club as the command read it, so it is not read again."""
        ...

    async def skip(self, club_id: int, kind: str) -> bool:
        """Mark the current occurrence of job `kind` skipped; False if it already ran."""
        ...

    async def notify(self, club_id: int, user_id: str, message: Message) -> bool:
        """DM a member now (e.g. a new partner after a no-show); False if it didn't go."""
        ...

    def runs_between(self, club: Club, start: datetime, end: datetime) -> list[Run]:
        """Every scheduled run of the club in (start, end], e.g. what it missed while away."""
        ...

    async def probe(self, club_id: int, purpose: str) -> bool:
        """Post to a paused channel; resume it if that went through."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """Everything a command handler may use; nothing else reaches it."""

    args: Mapping[str, str]
    user: User
    place: Place
    club: Club
    is_officer: bool
    now: datetime
    store: Store
    directory: Directory
    schedule: Schedule
    commands: Sequence[Command] = field(default_factory=tuple)
    # Set when the platform refused the bot's DMs to this member (they're told once).
    dm_refusal: DmRefusal | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user.id, name=self.user.name)

    async def member(self, option: str = "member") -> User:
        """The member named by a user option, or a UserError saying they can't be found."""
        found = await self.directory.find_user(self.place, self.args[option])
        if found is None:
            raise UserError(f"I can't find the member `{self.args[option][:80]}` here.")
        return found


def is_officer(user: User, club: Club) -> bool:
    """The platform's own admin right, the club's officer list, or the club's officer role."""
    role = club.officer_role_id
    return user.is_admin or user.id in club.officer_ids or (role is not None and role in user.roles)


ErrorSink = Callable[[BaseException, CommandEvent | ButtonEvent], None]


def log_error(error: BaseException, event: CommandEvent | ButtonEvent) -> None:
    log.error(
        "unhandled error for %s in %s/%s",
        _describe(event),
        event.place.platform,
        event.place.workspace_id,
        exc_info=error,
    )


def _describe(event: CommandEvent | ButtonEvent) -> str:
    return f"/{event.name}" if isinstance(event, CommandEvent) else f"button {event.action}"


GENERIC_ERROR = "Something went wrong on our side and it has been logged. Please try again shortly."
CANNOT_SAVE = (
    "Sorry, the bot can't save right now: {reason}. Nothing was changed; please try again "
    "in a little while (the officers have been told)."
)


class Bot:
    def __init__(
        self,
        *,
        commands: Sequence[Command],
        store: Store,
        clock: Clock,
        directory: Directory,
        schedule: Schedule,
        buttons: Sequence[ButtonAction] = (),
        on_error: ErrorSink = log_error,
    ) -> None:
        self.commands = tuple(commands)
        self._by_name = {c.name: c for c in self.commands}
        if len(self._by_name) != len(self.commands):
            raise ValueError("two commands share a name")
        for name in self._by_name:
            # Discord can't run a command that also has subcommands (/deadlines vs
            # /deadlines add), so every platform gets the same rule.
            if any(other.startswith(name + " ") for other in self._by_name):
                raise ValueError(f"/{name} is both a command and a group of subcommands")
        self._buttons = {b.action: b for b in buttons}
        self.store, self.clock, self.directory, self.schedule = store, clock, directory, schedule
        self.on_error = on_error
        self.complete_within = COMPLETE_WITHIN
        # The last suggestions of each (workspace, command, option), answered while a slow
        # lookup is still running; and those lookups, kept until they end.
        self._suggested: dict[tuple[str, str, str], tuple[str, list[str]]] = {}
        self._suggesting: set[asyncio.Task[list[str]]] = set()

    def command(self, name: str) -> Command | None:
        return self._by_name.get(name)

    async def handle(self, event: CommandEvent | ButtonEvent) -> Message:
        """Answer one event; never raises."""
        try:
            if isinstance(event, CommandEvent):
                return await self._run_command(event)
            return await self._run_button(event)
        except UserError as error:
            return reply(error.message)
        except Exception as error:  # the one error sink: log once, answer briefly
            reason = self.store.saving.noticed(error)
            if reason is not None:  # a full disk, a read-only database: say so, not "a bug"
                log.warning("%s could not be saved: %s", _describe(event), error)
                return reply(CANNOT_SAVE.format(reason=reason))
            self.on_error(error, event)
            return reply(GENERIC_ERROR)

    async def complete(
        self, command_name: str, option_name: str, typed: str, *, user: User, place: Place
    ) -> list[str]:
        """Suggestions for an option as it is typed: at most 25, never raises."""
        command = self._by_name.get(command_name)
        option = (
            next((o for o in command.options if o.name == option_name), None) if command else None
        )
        if option is None:
            return []
        if option.autocomplete is None:
            return [c for c in option.choices if typed.lower() in c.lower()][:MAX_CHOICES]
        where = (f"{place.platform}:{place.workspace_id}", command_name, option_name)
        task = asyncio.ensure_future(self._suggest(option, where, typed[:100], user, place))
        done, _ = await asyncio.wait({task}, timeout=self.complete_within)
        if task in done:
            return task.result()
        # Too slow (a slow database): what is ready now; the lookup finishes for next time.
        self._suggesting.add(task)
        task.add_done_callback(self._suggesting.discard)
        return self._ready(where, typed)

    async def _suggest(
        self, option: Option, where: tuple[str, str, str], typed: str, user: User, place: Place
    ) -> list[str]:
        assert option.autocomplete is not None
        try:
            ctx = await self._context(user, place, {}, learn=False)
            found = [s[:100] for s in await option.autocomplete(ctx, typed)][:MAX_CHOICES]
        except Exception as error:  # a suggestion list must never break typing
            self.on_error(error, CommandEvent(name=where[1], args={}, user=user, place=place))
            return []
        self._suggested[where] = (typed, found)
        if len(self._suggested) > 1000:  # a bound, not a policy: the oldest goes
            del self._suggested[next(iter(self._suggested))]
        return found

    def _ready(self, where: tuple[str, str, str], typed: str) -> list[str]:
        """Earlier suggestions for the same option that still match what is typed."""
        earlier = self._suggested.get(where)
        if earlier is None or not _letters(typed).startswith(_letters(earlier[0])):
            return []
        return [s for s in earlier[1] if _letters(typed) in _letters(s)]

    async def _run_command(self, event: CommandEvent) -> Message:
        command = self._by_name.get(event.name)
        if command is None:
            return self._help_for(event.name.removesuffix(" help").strip())
        args = validate_args(command, event.args)
        ctx = await self._context(event.user, event.place, args)
        try:
            if command.officers_only and not ctx.is_officer:
                raise UserError(
                    f"Only club officers can run /{command.name}. Ask an officer, or "
                    "a server/workspace admin, to run it or to make you an officer."
                )
            answer = await command.handler(ctx)
        except UserError as error:
            answer = reply(error.message)
        return await self._tell_dms_refused(ctx, answer)

    def _help_for(self, name: str) -> Message:
        """`/admin` or `/admin help` (on Slack, `/admin` is the registered command): the
        group's subcommands; `/admin setup help`: that command; anything else: a pointer."""
        found = explain(self.commands, name)
        if found is None:
            raise UserError(f"There is no command /{name[:60]}. Run /help to see what you can use.")
        return found

    async def _run_button(self, event: ButtonEvent) -> Message:
        action = self._buttons.get(event.action)
        if action is None:
            raise UserError("This button no longer does anything. Run /help for what's current.")
        ctx = await self._context(event.user, event.place, {"value": event.value[:200]})
        try:
            answer = await action.handler(ctx)
        except UserError as error:
            answer = reply(error.message)
        return await self._tell_dms_refused(ctx, answer)

    async def _tell_dms_refused(self, ctx: Context, answer: Message) -> Message:
        """The member's first answer since a DM to them was refused says so (in private
        only), and DMs to them are tried again from now on."""
        if ctx.dm_refusal is None or not answer.ephemeral:
            return answer
        learned = self.store.repo(LearnedMembers)
        await learned.dms_again(ctx.club.id, ctx.user.id, refused_at=ctx.dm_refusal.at)
        if any(DMS_REFUSED in text for text in (answer.text, *(f.value for f in answer.fields))):
            return answer
        told = f"{answer.text}\n\n{dm_refused_line(ctx.place.platform)}".strip()
        return replace(answer, text=clip(told, 3000))

    async def _context(
        self, user: User, place: Place, args: Mapping[str, str], *, learn: bool = True
    ) -> Context:
        """What a handler may use; with `learn`, the member's rights as the platform shows
        them now are recorded where every process reads them (the dashboard checks them)."""
        now = self.clock.now()
        club, known = await self.store.clubs.arrive(
            platform=place.platform,
            workspace_id=place.workspace_id,
            name=place.workspace_id,
            now=now,
            seen=(user.id, user.name),
        )
        refusal = await self._learn(club, user, known, now) if learn else None
        return Context(
            args=args,
            user=user,
            place=place,
            club=club,
            is_officer=is_officer(user, club),
            now=now,
            store=self.store,
            directory=self.directory,
            schedule=self.schedule,
            commands=self.commands,
            dm_refusal=refusal,
        )

    async def _learn(
        self, club: Club, user: User, known: LearnedMember | None, now: datetime
    ) -> DmRefusal | None:
        """Record the member's rights if they changed from what was `known` (read with the
        club); whether DMs to them were refused."""
        learned = self.store.repo(LearnedMembers)
        if known is None or not same_rights(known.rights, user):
            try:
                await learned.learn_rights(club.id, user, now=now)
            except (SQLAlchemyError, OSError) as error:
                # Rights as last seen serve the dashboard's checks: a database that can't
                # be written right now still answers whatever only reads.
                if cannot_save(error) is None:
                    raise
        return None if known is None else known.dm_refusal


def _letters(text: str) -> str:
    """`text` to compare suggestions by: "new y" matches "America/New_York"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def explain(commands: Sequence[Command], name: str) -> Message | None:
    """Help for one command (its options and an example) or one group (each of its
    subcommands with an example); None when `name` is neither."""
    exact = next((c for c in commands if c.name == name), None)
    if exact is not None:
        lines = [exact.description, f"Usage: `{exact.usage}`", f"Example: `{exact.example}`"]
        lines += [f"• `{o.name}`: {o.description}" for o in exact.options]
        if exact.officers_only:
            lines.append("Officers only.")
        return reply("\n".join(lines), title=f"/{exact.name}")
    group = [c for c in commands if c.name.startswith(name + " ")] if name else []
    if not group:
        return None
    tail = f"`/help {group[0].name}` explains one command."
    by_next: dict[str, list[str]] = {}
    for c in group:  # /admin's commands under /admin deadlines, /admin problem...
        words = c.name.split(" ")
        key = " ".join(words[: len(name.split(" ")) + 1]) if len(words) > 2 else name
        by_next.setdefault(key, []).append(f"`/{c.name}` — {c.description}\n    e.g. `{c.example}`")
    if len(by_next) == 1:
        return reply(
            field_lines([*next(iter(by_next.values())), tail], "", limit=3000),
            title=f"/{name} commands",
        )
    fields = [
        Field(name=f"/{key}", value=field_lines(lines, "-")) for key, lines in by_next.items()
    ]
    return fit(tail, title=f"/{name} commands", fields=fields, ephemeral=True)


def validate_args(command: Command, given: Mapping[str, str]) -> dict[str, str]:
    """Check `given` against the command's options; a UserError says what to fix."""
    known = {o.name: o for o in command.options}
    unknown = [name for name in given if name not in known]
    if unknown:
        valid = ", ".join(known) or "none"
        raise UserError(
            f"/{command.name} has no option `{unknown[0][:40]}`. Its options: "
            f"{valid}. Usage: {command.usage}"
        )
    args: dict[str, str] = {}
    for option in command.options:
        value = given.get(option.name, "").strip()
        if value:
            args[option.name] = _check_value(command, option, value)
        elif option.required:
            raise UserError(f"/{command.name} needs `{option.name}`. Usage: {command.usage}")
    return args


def _check_value(command: Command, option: Option, value: str) -> str:
    if len(value) > option.max_length:
        raise UserError(
            f"`{option.name}` is {len(value)} characters long; at most {option.max_length}."
        )
    if option.choices:
        # Members type `track:Quant` for the choice `quant`: the spelling is ours, not theirs.
        chosen = next((c for c in option.choices if c.casefold() == value.casefold()), None)
        if chosen is None:
            raise UserError(f"`{option.name}` must be one of: {', '.join(option.choices)}.")
        value = chosen
    if option.kind == "integer" and not re.fullmatch(r"-?\d{1,9}", value):
        raise UserError(f"`{option.name}` must be a whole number.")
    return value


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: names are 1-32 lowercase letters, digits, - or _")


def _check_description(description: str) -> None:
    if not 1 <= len(description) <= MAX_DESCRIPTION:
        raise ValueError(f"description must be 1-{MAX_DESCRIPTION} characters: {description!r}")
