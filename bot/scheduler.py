"""Scheduled posts, exactly once. The only module that imports APScheduler.

Our tables are the source of truth: the in-memory APScheduler job store is
rebuilt from them at start and whenever a club's configuration changes. Every
run claims its occurrence (club, kind, club-local date or ISO week) before it
posts, so DST double-fires, restarts and several processes post once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeAlias, cast

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Run
from bot.clock import Clock, ManualClock
from bot.club_time import WEEKDAYS, local, zone
from bot.logs import log_run
from bot.model import Message, Place, Platform
from bot.posting import Poster, PostFailed, PostRefused
from bot.store.claims import FAILED, POSTED, SKIPPED, ClaimKey, Finish
from bot.store.clubs import Club
from bot.store.store import Store

log = logging.getLogger(__name__)

Period = Literal["day", "week"]
Outcome = Literal["posted", "skipped", "failed", "taken", "too late", "unscheduled"]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Longer than any DST shift, so a step past the repeated hour of a fall-back clears it.
_PAST_THE_FOLD = timedelta(hours=3)
# Posts in flight at once within a batch (to many workspaces; each adapter paces its own).
_POST_AT_ONCE = 50


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

    @property
    def days(self) -> tuple[int, ...]:
        """The weekdays it runs on, sorted; empty for every day."""
        days = self.weekdays or (() if self.day_of_week is None else (self.day_of_week,))
        return tuple(sorted(set(days)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """What a run posts, and to which of the club's channels (by purpose)."""

    purpose: str
    message: Message


# What building a run gives: the post, nothing to post, or the error that stopped it.
Built: TypeAlias = Delivery | Exception | None


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
    # How a run's post is built: one run at a time, or many clubs' runs at once (a few
    # queries for all of them, one result or error per run, in order). Give one of the two.
    build: Callable[[JobRun], Awaitable[Delivery | None]] | None = None
    build_many: Callable[[Sequence[JobRun]], Awaitable[Sequence[Built]]] | None = None

    def __post_init__(self) -> None:
        if (self.build is None) == (self.build_many is None):
            raise ValueError(f"job {self.kind}: give build or build_many, not both or neither")

    async def build_all(self, runs: Sequence[JobRun]) -> list[Built]:
        """Each run's delivery, or the error its build raised: one club's error is its own."""
        if self.build_many is not None:
            try:
                return list(await self.build_many(runs))
            except Exception as error:  # the batch itself failed, e.g. the database dropped
                return [error] * len(runs)
        assert self.build is not None
        built: list[Built] = []
        for run in runs:
            try:
                built.append(await self.build(run))
            except Exception as error:
                built.append(error)
        return built


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


@functools.lru_cache(maxsize=4096)
def _cron(when: When, timezone: str) -> ForwardCron:
    """The trigger of `when` in `timezone`, shared by every club and job that run then
    (triggers hold no state): a few objects for thousands of scheduled jobs."""
    day = ",".join(str(d) for d in when.days) or "*"
    # start_date defaults to the wall clock's now, which would hide the runs an injected
    # (simulated) clock asks about; the schedule itself has no start.
    cron = CronTrigger(
        day_of_week=day,
        hour=when.hour,
        minute=when.minute,
        timezone=zone(timezone),
        start_date=_EPOCH,
    )
    return ForwardCron(cron)


# Clubs whose job of a kind runs at the same time in the same zone: (kind, when, zone).
Group: TypeAlias = tuple[str, "When", str]


def _group_id(group: Group) -> str:
    """The APScheduler job id of a group, e.g. 'daily_problem 09:00 mon,tue America/New_York'."""
    kind, when, timezone = group
    on = ",".join(WEEKDAYS[d][:3] for d in when.days) or "daily"
    return f"{kind} {when.hour:02d}:{when.minute:02d} {on} {timezone}"


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
        # The clubs of each schedule, and each club's schedule of each job kind.
        self._groups: dict[Group, set[int]] = {}
        self._group_of: dict[tuple[int, str], Group] = {}
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
        return None if when is None else _cron(when, club.timezone)

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
        return (await self.run_many(job, {club_id: due_at}))[club_id]

    async def run_many(
        self, job: Job, due: Mapping[int, datetime], clubs: Mapping[int, Club] | None = None
    ) -> dict[int, Outcome]:
        """Claim the occurrences due (club id -> due time) and post those this caller won.

        The clubs are read, claimed, built and finished in a few queries per batch, and
        posted concurrently, so ten thousand clubs due at 09:00 are not ten thousand
        rounds of transactions. One club's failure is its own.
        """
        now = self.clock.now()
        outcomes: dict[int, Outcome] = {
            c: "too late" for c, at in due.items() if now - at > self.grace
        }
        live = {c: at for c, at in due.items() if c not in outcomes}
        try:
            if clubs is None:
                clubs = await self.store.clubs.get_many(live)
            keys = {
                c: ClaimKey(
                    club_id=c,
                    kind=job.kind,
                    occurrence=occurrence_of(job.period, local(at, clubs[c].timezone)),
                )
                for c, at in live.items()
                if c in clubs
            }
            won = await self.store.claims.claim_many(
                {keys[c]: live[c] for c in keys}, owner=self.owner, now=now
            )
        except (SQLAlchemyError, OSError) as error:  # the database is away: try again soon
            log.warning("could not claim %s for %d clubs: %s", job.kind, len(live), error)
            self._unclaimed = True
            return {**outcomes, **dict.fromkeys(live, "failed")}
        outcomes.update((c, "unscheduled") for c in live if c not in keys)  # the club is gone
        outcomes.update((c, "taken") for c, key in keys.items() if key not in won)
        runs = [
            JobRun(
                kind=job.kind,
                club=clubs[c],
                due_at=live[c],
                occurrence=key.occurrence,
                now=now,
                store=self.store,
                scheduler=self,
            )
            for c, key in keys.items()
            if key in won
        ]
        built = zip(runs, await job.build_all(runs), strict=True)
        finished = await self._post_all(built)
        outcomes.update((f.key.club_id, cast(Outcome, f.status)) for f in finished)
        return outcomes

    async def _post_all(self, built: Iterable[tuple[JobRun, Built]]) -> list[Finish]:
        """Post up to _POST_AT_ONCE runs at a time; record each ending as soon as it is
        known, those that end together in one transaction, so a slow post (a 429 being
        waited out) never holds back the record of posts that already went out."""
        finished: list[Finish] = []
        waiting: list[Finish] = []
        slots, recording = asyncio.Semaphore(_POST_AT_ONCE), asyncio.Lock()

        async def post(run: JobRun, result: Built) -> None:
            async with slots:
                ending = await log_run(self._deliver(run, result))
            finished.append(ending)
            waiting.append(ending)
            async with recording:  # one write at a time, taking everything that waits
                if waiting:
                    endings = waiting.copy()
                    waiting.clear()
                    await self._finish_many(endings)

        await asyncio.gather(*(post(run, result) for run, result in built))
        return finished

    async def _deliver(self, run: JobRun, built: Built) -> Finish:
        """Post one built run; how it ended, to be recorded with its batch."""
        club = run.club
        key = ClaimKey(club_id=club.id, kind=run.kind, occurrence=run.occurrence)
        if isinstance(built, SkipRun):
            return Finish(key=key, status=SKIPPED, error=built.reason)
        if isinstance(built, PostFailed):  # a passing reason, e.g. waiting for another post
            return Finish(key=key, status=FAILED, error=str(built))
        if isinstance(built, Exception):
            log.error("scheduled %s for club %s failed", run.kind, club.id, exc_info=built)
            return Finish(key=key, status=FAILED, error=f"{type(built).__name__}: {built}")
        if built is None:
            return Finish(key=key, status=SKIPPED, error="nothing to post")
        channel = club.channels.get(built.purpose)
        if channel is None:
            return Finish(key=key, status=SKIPPED, error=f"no {built.purpose} channel set")
        if channel.broken_reason:
            return Finish(key=key, status=SKIPPED, error=f"#{channel.name} refuses posts")
        try:
            ref = await self.poster.post(place_of(club, channel.id), built.message)
        except PostRefused as error:
            await self._refused(club, built.purpose, str(error))
            return Finish(key=key, status=SKIPPED, error=f"#{channel.name}: {error}")
        except PostFailed as error:
            return Finish(key=key, status=FAILED, error=str(error))
        except Exception as error:  # an adapter's bug must not stop the other clubs
            log.exception("posting %s for club %s failed", run.kind, club.id)
            return Finish(key=key, status=FAILED, error=f"{type(error).__name__}: {error}")
        return Finish(key=key, status=POSTED, message_ref=ref)

    async def _finish_many(self, finished: Sequence[Finish]) -> None:
        try:
            await self.store.claims.finish_many(finished, now=self.clock.now())
        except (SQLAlchemyError, OSError) as error:
            # The posts went out; their claims stay `claimed` until the lease runs out.
            log.warning("could not record %d finished runs: %s", len(finished), error)

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
        # Batches by kind, each club at most once per batch (it may have two occurrences).
        batches: dict[str, list[dict[int, datetime]]] = {}
        for claim in retryable:
            if claim.key.kind not in self.jobs:
                continue
            batch = batches.setdefault(claim.key.kind, [])
            free = next((b for b in batch if claim.key.club_id not in b), None)
            if free is None:
                batch.append(free := {})
            free[claim.key.club_id] = claim.due_at
        for kind, due_batches in batches.items():
            for due in due_batches:
                await self.run_many(self.jobs[kind], due)
        if self._unclaimed:
            self._unclaimed = False
            try:
                await self.catch_up()
            except (SQLAlchemyError, OSError) as error:
                log.warning("retry: the database is still away: %s", error)
                self._unclaimed = True

    async def catch_up(self, clubs: Sequence[Club] | None = None) -> list[tuple[Job, Outcome]]:
        """On start: post each job's latest missed occurrence within the grace window, once
        (for `clubs`, read from the store unless given)."""
        now, outcomes = self.clock.now(), []
        listed = clubs if clubs is not None else await self.store.clubs.all()
        by_id = {club.id: club for club in listed}
        for job in self.jobs.values():
            due = self._due(job, by_id.values(), now)
            ran = await self.run_many(job, due, by_id)
            outcomes += [(job, ran[c]) for c in sorted(ran)]
        return outcomes

    def _due(self, job: Job, clubs: Iterable[Club], now: datetime) -> dict[int, datetime]:
        """Each club's latest occurrence of `job` inside the grace window, if any."""
        due, start = {}, self._grace_start(now)
        missed: dict[ForwardCron | None, list[datetime]] = {}  # clubs share triggers
        for club in clubs:
            trigger = self.trigger(job, club)
            if trigger not in missed:
                missed[trigger] = self.fire_times(job, club, start, now)
            if missed[trigger]:
                due[club.id] = missed[trigger][-1]
        return due

    def _grace_start(self, now: datetime) -> datetime:
        """Just before the grace window opens, since `fire_times` excludes its start."""
        return now - self.grace - timedelta(microseconds=1)

    async def _fire(self, group: Group) -> None:
        """APScheduler's entry: the clubs of `group` are due; run them as one batch."""
        await self.fire_due(group[0], set(self._groups.get(group, ())))

    async def fire_due(self, kind: str, club_ids: Iterable[int]) -> dict[int, Outcome]:
        """Run `kind` for each of `club_ids` whose occurrence is due now (within the grace)."""
        job, now = self.jobs[kind], self.clock.now()
        try:
            clubs = await self.store.clubs.get_many(club_ids)
        except (SQLAlchemyError, OSError) as error:
            log.warning("the database is away at %s's time: %s", kind, error)
            self._unclaimed = True
            return {}
        return await self.run_many(job, self._due(job, clubs.values(), now), clubs)

    # --- the APScheduler side ----------------------------------------------

    async def start(self) -> None:
        clubs = await self.store.clubs.all()
        for club in clubs:
            self._schedule(club)
        await self.catch_up(clubs)
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
        club = (await self.store.clubs.get_many([club_id])).get(club_id)
        if club is not None:
            self._schedule(club)
            return
        for kind in self.jobs:  # the club is gone: out of every schedule
            group = self._group_of.pop((club_id, kind), None)
            if group is not None:
                self._leave(group, club_id)

    def _schedule(self, club: Club) -> None:
        """Put the club into the APScheduler job of each of its schedules. Clubs that post
        at the same time in the same zone share one job, which runs them as one batch:
        a handful of jobs for thousands of clubs."""
        for job in self.jobs.values():
            when = job.when(club)
            group = None if when is None else (job.kind, when, club.timezone)
            old = self._group_of.pop((club.id, job.kind), None)
            if old is not None and old != group:
                self._leave(old, club.id)
            if group is None or when is None:
                continue
            self._group_of[(club.id, job.kind)] = group
            if group not in self._groups:
                self._groups[group] = set()
                self._aps.add_job(
                    self._fire,
                    _cron(when, club.timezone),
                    args=(group,),
                    id=_group_id(group),
                    replace_existing=True,
                )
            self._groups[group].add(club.id)

    def _leave(self, group: Group, club_id: int) -> None:
        members = self._groups[group]
        members.discard(club_id)
        if not members:
            del self._groups[group]
            self._aps.remove_job(_group_id(group))

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
        batches: dict[tuple[datetime, str], dict[int, datetime]] = {}
        for at, club_id, kind in due:
            batches.setdefault((at, kind), {})[club_id] = at
        for (at, kind), clubs in batches.items():
            await self._retry_until(clock, at)
            clock.set(at)
            await self.run_many(self.jobs[kind], clubs)
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
