"""The console: a REPL, a scripted demo and the test harness, with no platform and no tokens.

Lines starting with `/` run a command as the current user (`/admin setup
timezone:America/New_York`); lines starting with `:` steer the session
(`:as NAME [officer]`, `:advance 3d`, `:now`). Output lines are tagged
(`[reply]`, `[post #channel]`, `[dm @user]`) so scripts can read them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.command_text import parse_command
from adapters.console.directory import NAME, WORKSPACE
from adapters.console.posting import ConsolePoster, Output, emit
from adapters.console.postings_feed import SnapshotFeed
from adapters.console.render import render
from bot.app import Bot
from bot.clock import ManualClock
from bot.club_time import describe, parse_duration
from bot.errors import UserError
from bot.model import CommandEvent, Place, Platform, User
from bot.postings import Postings
from bot.scheduler import Scheduler


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
        postings: Postings | None = None,
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
        self.postings_feed = SnapshotFeed(postings or Postings())

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
            emit(self.out, "error", error.message.splitlines())
        return True

    async def _command(self, line: str) -> None:
        name, args = parse_command(line, (c.name for c in self.bot.commands))
        event = CommandEvent(name=name, args=args, user=self.user, place=self.place)
        emit(self.out, "reply", render(await self.bot.handle(event)))

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
            "mend": self._mend,
            "postings": self._postings,
            "help": self._help,
        }

    async def _as(self, rest: list[str]) -> None:
        if not rest or not NAME.match(rest[0]) or rest[1:] not in ([], ["officer"]):
            raise UserError("Write :as NAME, or :as NAME officer for a server admin.")
        admin = rest[1:] == ["officer"]
        self.user = User(id=rest[0].lower(), name=rest[0], is_admin=admin)
        emit(self.out, "console", [f"you are now {rest[0]}" + (" (server admin)" if admin else "")])

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
        emit(self.out, "console", [f"now: {describe(self.clock.now(), club.timezone)}"])

    async def _break(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError(
                "Write :break #channel to make a channel refuse posts (like a 403), or "
                ":break @member for a member who closed their DMs."
            )
        if rest[0].startswith("@"):
            member = rest[0].removeprefix("@").lower()
            self.poster.closed_dms.add(member)
            emit(self.out, "console", [f"@{member} now refuses DMs"])
            return
        self.poster.refusing.add(rest[0].removeprefix("#"))
        emit(self.out, "console", [f"#{rest[0].removeprefix('#')} now refuses posts"])

    async def _mend(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError("Write :mend #channel or :mend @member to undo a :break.")
        name = rest[0].lstrip("#@").lower()
        self.poster.closed_dms.discard(name)
        self.poster.refusing.discard(name)
        emit(self.out, "console", [f"{rest[0]} takes posts again"])

    async def _postings(self, rest: list[str]) -> None:
        if len(rest) != 1:
            raise UserError("Write :postings FILE, a snapshot of the internship list (JSON).")
        count = await self.postings_feed.serve(Path(rest[0]))
        emit(self.out, "console", [f"the internship list now serves {rest[0]} ({count} entries)"])

    async def _help(self, rest: list[str]) -> None:
        emit(
            self.out,
            "console",
            [
                "/command name:value ...   run a command (try /help)",
                ":as NAME [officer]        act as another member (officer = server admin)",
                ":advance 3d | 5h | 30m    move time forward and run what falls due",
                ":now                      show the simulated time",
                ":break #channel           make a channel refuse posts, like a 403",
                ":break @member            make a member refuse DMs (closed DMs)",
                ":mend #channel | @member  undo a :break",
                ":postings FILE            serve FILE as the internship list from now on",
                ":quit                     leave",
            ],
        )
