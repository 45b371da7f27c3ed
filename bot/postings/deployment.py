"""Live postings as this deployment runs them: its settings (CLUBBOT_POSTINGS_*, read once
at start by bot.config) and the poll, jobs and commands that use them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.app import Command
from bot.config import PostingsSettings
from bot.jobs import Job, Sweep, SweepRun
from bot.postings.commands import commands
from bot.postings.digest import POSTINGS_DIGEST
from bot.postings.health import source_alert
from bot.postings.poll import POLL_EVERY, run_poll
from bot.postings.sources import DOCUMENTED


class Postings:
    """The feature for one runtime: what it polls, and the jobs, sweep and commands bound
    to those settings (read when used, so the console can point the poll elsewhere)."""

    def __init__(self, settings: PostingsSettings = DOCUMENTED) -> None:
        self.settings = settings
        self.alert = source_alert(lambda: self.settings)
        self.jobs: tuple[Job, ...] = (POSTINGS_DIGEST, self.alert)
        self.sweeps: tuple[Sweep, ...] = (
            Sweep(
                kind="postings_poll",
                description="Fetch internship postings",
                every=POLL_EVERY,
                run=self._poll,
            ),
        )
        self.commands: tuple[Command, ...] = commands(lambda: self.settings)

    def use_sources(self, sources: Iterable[str]) -> None:
        """Poll these sources from now on (the console's `:postings FILE`)."""
        self.settings = replace(self.settings, sources=tuple(sources))

    async def _poll(self, run: SweepRun) -> None:
        await run_poll(run, self.settings, self.alert)
