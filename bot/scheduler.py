"""Scheduled posts, exactly once. The only module that imports APScheduler.

Our tables are the source of truth: the in-memory APScheduler job store is
rebuilt from them at start and whenever a club's configuration changes. Every
run claims its occurrence (club, kind, club-local date or ISO week) before it
posts, so DST double-fires, restarts and several processes post once.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, cast

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Run
from bot.clock import Clock, ManualClock
from bot.club_time import local, zone
from bot.model import Message, Place, Platform
from bot.posting import Poster, PostFailed, PostRefused
from bot.store.claims import FAILED, POSTED, SKIPPED, ClaimKey
from bot.store.clubs import Club
from bot.store.store import Store

log = logging.getLogger(__name__)

Period = Literal["day", "week"]
Outcome = Literal["posted", "skipped", "failed", "taken", "too late", "unscheduled"]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Longer than any DST shift, so a step past the repeated hour of a fall-back clears it.
_PAST_THE_FOLD = timedelta(hours=3)


class SkipRun(Exception):
    """Raised by a job's build when this occurrence has nothing to post; says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class When:
    """A time of day in the club's zone: daily, on one weekday, or on several (0=Monday)."""

    hour: int
    minute: int
    day_of_week: int | None = None
    weekdays: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """What a run posts, and to which of the club's channels (by purpose)."""

    purpose: str
    message: Message


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRun:
    kind: str
    club: Club
    due_at: datetime
    occurrence: str
    now: datetime
    store: Store
    scheduler: Scheduler

    async def dm(self, user_id: str, message: Message, *, about: str) -> Outcome:
        """DM a member at most once for this occurrence and `about` (e.g. a window and a lead)."""
        return await self.scheduler.dm_once(
            self.club,
            kind=self.kind,
            occurrence=f"{self.occurrence}:{about}",
            user_id=user_id,
            message=message,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One kind of scheduled post: when it runs for a club and what it posts."""

    kind: str
    description: str
    period: Period
    when: Callable[[Club], When | None]
    build: Callable[[JobRun], Awaitable[Delivery | None]]


class ForwardCron(BaseTrigger):  # type: ignore[misc]
    """A CronTrigger that always moves forward across a DST fall-back.

    APScheduler 3.11's CronTrigger, asked for the run after the second 01:30 of a
    fall-back night, answers that same 01:30 again; its own run loop would then
    spin. The claim key (the club-local date) already makes the two 01:30s one
    post; this makes sure time moves on after them.
    """

    def __init__(self, cron: CronTrigger) -> None:
        self.cron = cron

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = self.cron.get_next_fire_time(previous_fire_time, now)
        if previous_fire_time is not None and fire is not None and fire <= previous_fire_time:
            fire = self.cron.get_next_fire_time(None, previous_fire_time + _PAST_THE_FOLD)
        return fire

    def __str__(self) -> str:
        return str(self.cron)


def occurrence_of(period: Period, local_due: datetime) -> str:
    """The claim key: the club-local date, or ISO week, the run belongs to."""
    if period == "day":
        return local_due.date().isoformat()
    year, week, _ = local_due.isocalendar()
    return f"{year}-W{week:02d}"


def place_of(club: Club, channel_id: str) -> Place:
    return Place(
        platform=cast(Platform, club.platform),
        workspace_id=club.workspace_id,
        channel_id=channel_id,
    )


class Scheduler:
    def __init__(
        self,
        *,
        store: Store,
        poster: Poster,
        clock: Clock,
        jobs: Sequence[Job],
        grace: timedelta = timedelta(hours=1),
        owner: str | None = None,
    ) -> None:
        self.store, self.poster, self.clock, self.grace = store, poster, clock, grace
        self.jobs = {job.kind: job for job in jobs}
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        # Set when a run could not even claim its occurrence (the database was away):
        # the retry tick then looks for unclaimed occurrences inside the grace window.
        self._unclaimed = False
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": int(grace.total_seconds()),
                "coalesce": True,
                "max_instances": 1,
            },
        )

    # --- when things run -------------------------------------------------

    def trigger(self, job: Job, club: Club) -> ForwardCron | None:
        when = job.when(club)
        if when is None:
            return None
        days = when.weekdays or (() if when.day_of_week is None else (when.day_of_week,))
        day = ",".join(str(d) for d in sorted(set(days))) if days else "*"
        # start_date defaults to the wall clock's now, which would hide the runs an injected
        # (simulated) clock asks about; the schedule itself has no start.
        cron = CronTrigger(
            day_of_week=day,
            hour=when.hour,
            minute=when.minute,
            timezone=zone(club.timezone),
            start_date=_EPOCH,
        )
        return ForwardCron(cron)

    def fire_times(self, job: Job, club: Club, start: datetime, end: datetime) -> list[datetime]:
        """Scheduled instants of `job` for `club` in (start, end], in UTC."""
        trigger = self.trigger(job, club)
        times: list[datetime] = []
        fire = trigger.get_next_fire_time(None, start) if trigger else None
        while trigger and fire is not None and fire <= end:
            if fire > start:
                times.append(fire.astimezone(UTC))
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        return times

    def next_runs(self, club: Club, after: datetime) -> list[Run]:
        """Each job's first run strictly after `after` (a run due right now has run)."""
        runs = []
        for job in self.jobs.values():
            trigger = self.trigger(job, club)
            fire = (
                trigger.get_next_fire_time(None, after + timedelta(seconds=1)) if trigger else None
            )
            if fire is not None:
                runs.append(
                    Run(kind=job.kind, description=job.description, at=fire.astimezone(UTC))
                )
        return sorted(runs, key=lambda r: r.at)

    # --- running ---------------------------------------------------------

    async def run(self, club_id: int, job: Job, due_at: datetime) -> Outcome:
        """Claim one occurrence and, if this caller won it, post it."""
        now = self.clock.now()
        if now - due_at > self.grace:
            return "too late"
        try:
            club = await self.store.clubs.get(club_id)
            key = ClaimKey(
                club_id=club_id,
                kind=job.kind,
                occurrence=occurrence_of(job.period, local(due_at, club.timezone)),
            )
            won = await self.store.claims.claim(key, due_at=due_at, owner=self.owner, now=now)
        except (SQLAlchemyError, OSError) as error:  # the database is away: try again soon
            log.warning("club %s: could not claim %s: %s", club_id, job.kind, error)
            self._unclaimed = True
            return "failed"
        if not won:
            return "taken"
        run = JobRun(
            kind=job.kind,
            club=club,
            due_at=due_at,
            occurrence=key.occurrence,
            now=now,
            store=self.store,
            scheduler=self,
        )
        try:
            return await self._deliver(club, key, await job.build(run))
        except SkipRun as skip:
            return await self._finish(key, SKIPPED, error=skip.reason)
        except PostFailed as error:  # a passing reason, e.g. waiting for another post
            return await self._finish(key, FAILED, error=str(error))
        except Exception as error:  # one club's failure must not stop the others
            log.exception("scheduled %s for club %s failed", job.kind, club_id)
            await self._finish(key, FAILED, error=f"{type(error).__name__}: {error}")
            return "failed"

    async def _deliver(self, club: Club, key: ClaimKey, delivery: Delivery | None) -> Outcome:
        if delivery is None:
            return await self._finish(key, SKIPPED, error="nothing to post")
        channel = club.channels.get(delivery.purpose)
        if channel is None:
            return await self._finish(key, SKIPPED, error=f"no {delivery.purpose} channel set")
        if channel.broken_reason:
            return await self._finish(key, SKIPPED, error=f"#{channel.name} refuses posts")
        try:
            ref = await self.poster.post(place_of(club, channel.id), delivery.message)
        except PostRefused as error:
            await self._refused(club, delivery.purpose, str(error))
            return await self._finish(key, SKIPPED, error=f"#{channel.name}: {error}")
        except PostFailed as error:
            return await self._finish(key, FAILED, error=str(error))
        return await self._finish(key, POSTED, message_ref=ref)

    async def dm_once(
        self, club: Club, *, kind: str, occurrence: str, user_id: str, message: Message
    ) -> Outcome:
        """A DM claimed like a post, so restarts and retries never send it twice."""
        key = ClaimKey(club_id=club.id, kind=f"{kind}:dm", occurrence=f"{occurrence}:{user_id}")
        now = self.clock.now()
        if not await self.store.claims.claim(key, due_at=now, owner=self.owner, now=now):
            return "taken"
        try:
            ref = await self.poster.dm(place_of(club, ""), user_id, message)
        except PostRefused as error:  # the member closed their DMs: nothing to retry
            return await self._finish(key, SKIPPED, error=str(error))
        except PostFailed as error:
            return await self._finish(key, FAILED, error=str(error))
        return await self._finish(key, POSTED, message_ref=ref)

    async def notify(self, club_id: int, user_id: str, message: Message) -> bool:
        club = await self.store.clubs.get(club_id)
        try:
            await self.poster.dm(place_of(club, ""), user_id, message)
        except (PostRefused, PostFailed) as error:
            log.warning("club %s: a DM to a member failed: %s", club_id, error)
            return False
        return True

    async def run_now(self, club_id: int, kind: str) -> str:
        """An officer's "post now": the current occurrence, unless it already ran."""
        return await self.run(club_id, self.jobs[kind], self.clock.now())

    async def skip(self, club_id: int, kind: str) -> bool:
        club, now = await self.store.clubs.get(club_id), self.clock.now()
        job = self.jobs[kind]
        key = ClaimKey(
            club_id=club_id,
            kind=kind,
            occurrence=occurrence_of(job.period, local(now, club.timezone)),
        )
        if not await self.store.claims.claim(key, due_at=now, owner=self.owner, now=now):
            return False
        await self._finish(key, SKIPPED, error="skipped by an officer")
        return True

    async def _finish(
        self,
        key: ClaimKey,
        status: Outcome,
        *,
        error: str | None = None,
        message_ref: str | None = None,
    ) -> Outcome:
        await self.store.claims.finish(
            key, status=status, now=self.clock.now(), message_ref=message_ref, error=error
        )
        return status

    async def _refused(self, club: Club, purpose: str, reason: str) -> None:
        """Stop posting to a channel that refuses us, and tell the officers once."""
        channel = club.channels[purpose]
        await self.store.clubs.mark_channel_broken(club.id, channel.id, reason, self.clock.now())
        alerts = club.channels.get("alerts")
        if alerts is None or alerts.id == channel.id or alerts.broken_reason:
            return
        text = (
            f"I can no longer post in #{channel.name} ({reason}), so {purpose} posts are "
            f"paused. Give me access again, or pick another channel with "
            f"`/admin setup {purpose}:#channel`."
        )
        try:
            await self.poster.post(
                place_of(club, alerts.id), Message(text=text, title="A channel refuses my posts")
            )
        except (PostRefused, PostFailed):
            log.warning("club %s: the alerts channel refused the notice too", club.id)

    async def retry_failed(self) -> None:
        """Retry occurrences that failed for a passing reason, or whose owner died, and
        any that could not be claimed at all while the database was away."""
        try:
            retryable = await self.store.claims.retryable(now=self.clock.now(), grace=self.grace)
        except (SQLAlchemyError, OSError) as error:
            log.warning("retry: the database is away: %s", error)
            return
        for claim in retryable:
            job = self.jobs.get(claim.key.kind)
            if job is not None:
                await self.run(claim.key.club_id, job, claim.due_at)
        if self._unclaimed:
            self._unclaimed = False
            try:
                await self.catch_up()
            except (SQLAlchemyError, OSError) as error:
                log.warning("retry: the database is still away: %s", error)
                self._unclaimed = True

    async def catch_up(self) -> list[tuple[Job, Outcome]]:
        """On start: post each job's latest missed occurrence within the grace window, once."""
        now, outcomes = self.clock.now(), []
        for club in await self.store.clubs.all():
            for job in self.jobs.values():
                missed = self.fire_times(job, club, self._grace_start(now), now)
                if missed:
                    outcomes.append((job, await self.run(club.id, job, missed[-1])))
        return outcomes

    def _grace_start(self, now: datetime) -> datetime:
        """Just before the grace window opens, since `fire_times` excludes its start."""
        return now - self.grace - timedelta(microseconds=1)

    async def _fire(self, club_id: int, kind: str) -> None:
        """APScheduler's entry: run the occurrence that is due now."""
        job, now = self.jobs[kind], self.clock.now()
        try:
            club = await self.store.clubs.get(club_id)
        except (SQLAlchemyError, OSError) as error:
            log.warning("club %s: the database is away at %s's time: %s", club_id, kind, error)
            self._unclaimed = True
            return
        due = self.fire_times(job, club, self._grace_start(now), now)
        if due:
            await self.run(club_id, job, due[-1])

    # --- the APScheduler side ----------------------------------------------

    async def start(self) -> None:
        for club in await self.store.clubs.all():
            self._schedule(club)
        await self.catch_up()
        self._aps.add_job(
            self.retry_failed,
            IntervalTrigger(seconds=self.store.claims.retry_after.total_seconds()),
            id="retry",
            replace_existing=True,
        )
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def club_changed(self, club_id: int) -> None:
        self._schedule(await self.store.clubs.get(club_id))

    def _schedule(self, club: Club) -> None:
        for job in self.jobs.values():
            job_id, trigger = f"{club.id}:{job.kind}", self.trigger(job, club)
            if trigger is None:
                if self._aps.get_job(job_id):
                    self._aps.remove_job(job_id)
                continue
            self._aps.add_job(
                self._fire, trigger, args=(club.id, job.kind), id=job_id, replace_existing=True
            )

    def aps_job_ids(self) -> list[str]:
        return sorted(job.id for job in self._aps.get_jobs())

    # --- simulated time (console, demo, tests) -----------------------------

    async def run_until(self, clock: ManualClock, end: datetime) -> None:
        """Move `clock` to `end`, running every occurrence that falls due on the way, in order."""
        if clock is not self.clock:
            raise ValueError("run_until drives the scheduler's own clock")
        start = clock.now()
        due = sorted(
            (at, club.id, kind)
            for club in await self.store.clubs.all()
            for kind, job in self.jobs.items()
            for at in self.fire_times(job, club, start, end)
        )
        for at, club_id, kind in due:
            await self._retry_until(clock, at)
            clock.set(at)
            await self.run(club_id, self.jobs[kind], at)
        await self._retry_until(clock, end)
        clock.set(end)

    async def _retry_until(self, clock: ManualClock, end: datetime) -> None:
        """The retry job's ticks up to `end`, for as long as something waits to be retried."""
        every = self.store.claims.retry_after
        tick = clock.now() + every
        while tick <= end and (
            self._unclaimed or await self.store.claims.retryable(now=tick, grace=self.grace)
        ):
            clock.set(tick)
            await self.retry_failed()
            tick += every
