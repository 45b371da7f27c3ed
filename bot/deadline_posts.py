"""Scheduled window announcements, closing reminders and subscriber DMs."""

from __future__ import annotations

from bot.scheduler import Job

JOBS: tuple[Job, ...] = ()
