"""The console: a REPL, a scripted demo and the test harness, with no platform and no tokens.

Lines starting with `/` run a command as the current user (`/admin setup
timezone:America/New_York`); lines starting with `:` steer the session
(`:as NAME [officer]`, `:advance 3d`, `:now`). Output lines are tagged
(`[reply]`, `[post #channel]`, `[dm @user]`) so scripts can read them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.console_postings import SnapshotFeed
from bot.app import Bot, ChannelRef
from bot.clock import ManualClock
from bot.club_time import describe, parse_duration
from bot.errors import UserError
from bot.model import CommandEvent, Message, Place, Platform, User, plain, render_mentions
from bot.posting import PostKey, PostRefused
from bot.scheduler import Scheduler

WORKSPACE = "console-club"
DEFAULT_CHANNELS = (
    "general",
    "announcements",
    "deadlines",
    "daily-problem",
    "mock-interviews",
    "officers",
)
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
Output = Callable[[str], None]


def render(message: Message) -> list[str]:
    """Plain-text lines for a message, the way a terminal shows it."""
    # A terminal has no reader's zone: instants show in the club's zone (their fallback).
    lines = [f"** {plain(message.title)} **"] if message.title else []
    lines += plain(message.text).splitlines() if message.text.strip() else []
    for item in message.fields:
        lines.append(f"{plain(item.name)}:")
        lines += [f"  {line}" for line in plain(item.value).splitlines()]
    lines += [f"[button: {plain(b.label)}]" for b in message.buttons]
    if message.attachment is not None:
        file = message.attachment
        lines.append(f"[attachment: {file.filename}, {len(file.content):,} bytes]")
    return [render_mentions(line, lambda user_id: f"@{user_id}") for line in lines]


@dataclass
class ConsoleDirectory:
    """The console workspace: a fixed set of channels; any plain name is a member."""

    channels: set[str] = field(default_factory=lambda: set(DEFAULT_CHANNELS))
    # Shared with the poster's `refusing`, so a re-check sees what a post would.
    refusing: set[str] = field(default_factory=set)

    async def find_channel(self, place: Place, ref: str) -> ChannelRef | None:
        name = ref.strip().removeprefix("#").lower()
        if name not in self.channels:
            return None
        refusal = "403 Missing Access" if name in self.refusing else ""
        return ChannelRef(id=name, name=name, refusal=refusal)

    async def find_user(self, place: Place, ref: str) -> User | None:
        name = ref.strip().removeprefix("@")
        return User(id=name.lower(), name=name) if _NAME.match(name) else None


@dataclass
class ConsolePoster:
    """Prints posts and DMs; channels named in `refusing` answer like a 403."""

    out: Output
    refusing: set[str] = field(default_factory=set)
    posts: list[tuple[str, Message]] = field(default_factory=list)

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        # `key` is not used: a console cannot un-print, so a process killed mid-post
        # prints at most the posts it had in flight again.
        if place.channel_id in self.refusing:
            raise PostRefused("403 Missing Access")
        self.posts.append((place.channel_id, message))
        where = f"#{place.channel_id}" + (
            f" thread {message.thread_of}" if message.thread_of else ""
        )
        _emit(self.out, f"post {where}", render(message))
        return f"{place.channel_id}/{len(self.posts)}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        self.posts.append((f"@{user_id}", message))
        _emit(self.out, f"dm @{user_id}", render(message))
        return f"dm/{user_id}/{len(self.posts)}"


def _emit(out: Output, tag: str, lines: Iterable[str]) -> None:
    for line in lines:
        out(f"[{tag}] {line}")


def parse_command(line: str, names: Iterable[str]) -> tuple[str, dict[str, str]]:
    """'/admin setup timezone:"America/New_York"' -> ("admin setup", {"timezone": ...})."""
    try:
        tokens = shlex.split(line.removeprefix("/"))
    except ValueError as error:
        raise UserError(f"I couldn't read that line ({error}). Close every quote.") from None
    words = [t for t in tokens if ":" not in t]
    known = set(names)
    path = next(
        (" ".join(words[:n]) for n in range(len(words), 0, -1) if " ".join(words[:n]) in known),
        " ".join(words),
    )
    extra = words[len(path.split()) :] if path in known else []
    options = dict(t.split(":", 1) for t in tokens if ":" in t)
    if extra and path == "help" and not options:  # `/help admin setup` names a command
        return path, {"command": " ".join(extra)}
    if extra == ["help"]:  # `/admin setup help`: the core explains the command
        return f"{path} help", {}
    if extra:
        raise UserError(_unexpected(tokens, extra[0]))
    return path, options


def _unexpected(tokens: list[str], word: str) -> str:
    """A stray word, most often the rest of an unquoted value: say how to quote it."""
    before = tokens[tokens.index(word) - 1] if tokens.index(word) > 0 else ""
    if ":" in before:
        name, _, value = before.partition(":")
        return (
            f"Unexpected `{word[:40]}`. Put quotes around a value with spaces, "
            f'e.g. {name[:40]}:"{value[:40]} {word[:40]}".'
        )
    return (
        f"Unexpected `{word[:40]}`. Write options as name:value, e.g. member:@sam or "
        'timezone:America/New_York, and quote values with spaces: title:"Career fair".'
    )


class ConsoleSession:
    """One person at the console, acting as whichever member they choose."""

    def __init__(
        self,
        *,
        bot: Bot,
        scheduler: Scheduler,
        clock: ManualClock,
        poster: ConsolePoster,
        out: Output,
        platform: Platform = "console",
    ) -> None:
        self.bot, self.scheduler, self.clock, self.poster, self.out = (
            bot,
            scheduler,
            clock,
            poster,
            out,
        )
        self.place = Place(platform=platform, workspace_id=WORKSPACE, channel_id="general")
        self.user = User(id="you", name="you", is_admin=True)
        self.postings_feed = SnapshotFeed()

    async def execute(self, line: str) -> bool:
        """Run one line; False when the session should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        try:
            if line.startswith("/"):
                await self._command(line)
            elif line.startswith(":"):
                return await self._directive(line[1:].split())
            else:
                raise UserError(
                    "Start a command with / (try /help) or a console action with : (try :help)."
                )
        except UserError as error:
            _emit(self.out, "error", error.message.splitlines())
        return True

    async def _command(self, line: str) -> None:
        name, args = parse_command(line, (c.name for c in self.bot.commands))
        event = CommandEvent(name=name, args=args, user=self.user, place=self.place)
        _emit(self.out, "reply", render(await self.bot.handle(event)))

    async def _directive(self, words: list[str]) -> bool:
        verb, rest = (words[0].lower(), words[1:]) if words else ("help", [])
        if verb in ("quit", "exit", "q"):
            return False
        action = self._directives().get(verb)
        if action is None:
            raise UserError(f"Unknown console action :{verb[:20]}. Try :help.")
        await action(rest)
        return True

    def _directives(self) -> dict[str, Callable[[list[str]], Awaitable[None]]]:
        return {
            "as": self._as,
            "advance": self._advance,
            "now": self._now,
            "break": self._break,
            "postings": self._postings,
            "help": self._help,
        }

    async def _as(self, rest: list[str]) -> None:
        if not rest or not _NAME.match(rest[0]) or rest[1:] not in ([], ["officer"]):
            raise UserError("Write :as NAME, or :as NAME officer for a server admin.")
        admin = rest[1:] == ["officer"]
        self.user = User(id=rest[0].lower(), name=rest[0], is_admin=admin)
        _emit(
            self.out, "console", [f"you are now {rest[0]}" + (" (server admin)" if admin else "")]
        )

    async def _advance(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError("Write :advance 3d, :advance 5h or :advance 30m.")
        await self.scheduler.run_until(self.clock, self.clock.now() + parse_duration(rest[0]))
        await self._now([])

    async def _now(self, rest: list[str]) -> None:
        club = await self.bot.store.clubs.get_or_create(
            platform=self.place.platform,
            workspace_id=WORKSPACE,
            name=WORKSPACE,
            now=self.clock.now(),
        )
        _emit(self.out, "console", [f"now: {describe(self.clock.now(), club.timezone)}"])

    async def _break(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError("Write :break #channel to make a channel refuse posts (like a 403).")
        self.poster.refusing.add(rest[0].removeprefix("#"))
        _emit(self.out, "console", [f"#{rest[0].removeprefix('#')} now refuses posts"])

    async def _postings(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError("Write :postings FILE, a snapshot of the internship list (JSON).")
        count = await self.postings_feed.serve(Path(rest[0]))
        _emit(self.out, "console", [f"the internship list now serves {rest[0]} ({count} entries)"])

    async def _help(self, rest: list[str]) -> None:
        _emit(
            self.out,
            "console",
            [
                "/command name:value ...   run a command (try /help)",
                ":as NAME [officer]        act as another member (officer = server admin)",
                ":advance 3d | 5h | 30m    move time forward and run what falls due",
                ":now                      show the simulated time",
                ":break #channel           make a channel refuse posts, like a 403",
                ":postings FILE            serve FILE as the internship list from now on",
                ":quit                     leave",
            ],
        )
