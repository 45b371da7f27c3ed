"""The weekly mock-interview pairing round."""

from __future__ import annotations

from bot.scheduler import Job

JOBS: tuple[Job, ...] = ()
