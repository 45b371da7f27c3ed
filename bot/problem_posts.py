"""The daily problem post, its hint and its solution, each once per occurrence."""

from __future__ import annotations

from bot.scheduler import Job

JOBS: tuple[Job, ...] = ()
