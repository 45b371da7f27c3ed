"""When scheduled posts run. The only module that imports APScheduler.

Our tables are the source of truth: the in-memory APScheduler job store is
rebuilt from them at start and whenever a club's configuration changes. When a
run falls due, `bot/delivery.py` claims its occurrence (club, kind, club-local
date or ISO week) before it posts, so DST double-fires, restarts and several
processes post once. This module decides *when*; delivery decides nothing about time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Run
from bot.clock import Clock, ManualClock
from bot.club_time import WEEKDAYS, local, zone
from bot.delivery import Deliverer
from bot.jobs import Job, Outcome, Sweep, SweepRun, When, occurrence_of
from bot.model import Message
from bot.outage import OutageNotice
from bot.posting import Poster
from bot.store.away import away
from bot.store.claims import Claim
from bot.store.clubs import Club
from bot.store.store import Store

log = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Longer than any DST shift, so a step past the repeated hour of a fall-back clears it.
_PAST_THE_FOLD = timedelta(hours=3)
# How often a running scheduler looks for clubs another process changed (an officer on
# the dashboard of a `clubbot web` process, a command answered by another bot process).
SYNC_EVERY = timedelta(seconds=30)


class ForwardCron(BaseTrigger):  # type: ignore[misc]
    """A CronTrigger that always moves forward across a DST fall-back.

    APScheduler 3.11's CronTrigger, asked for the run after the second 01:30 of a
    fall-back night, answers that same 01:30 again; its own run loop would then
    spin. The claim key (the club-local date) already makes the two 01:30s one
    post; this makes sure time moves on after them.
    """

    def __init__(self, cron: CronTrigger) -> None:
        self.cron = cron
        # The last first-fire asked for: (asked at, the fire then). Every `now` from the
        # one asked until that fire has the same first fire: /admin status and the
        # commands that say "next run" ask it of the same few triggers all day, and
        # APScheduler takes about a millisecond to work each one out.
        self._first: tuple[datetime, datetime | None] | None = None

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            return self._first_fire(now)
        fire: datetime | None = self.cron.get_next_fire_time(previous_fire_time, now)
        if previous_fire_time is not None and fire is not None and fire <= previous_fire_time:
            fire = self.cron.get_next_fire_time(None, previous_fire_time + _PAST_THE_FOLD)
        return fire

    def _first_fire(self, now: datetime) -> datetime | None:
        """The first fire at or after `now`."""
        known = self._first
        if known is not None and known[1] is not None and known[0] <= now <= known[1]:
            return known[1]
        fire: datetime | None = self.cron.get_next_fire_time(None, now)
        self._first = (now, fire)
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
        sweeps: Sequence[Sweep] = (),
    ) -> None:
        self.store, self.clock, self.grace = store, clock, grace
        self.jobs = {job.kind: job for job in jobs}
        self.sweeps = tuple(sweeps)
        self.delivery = Deliverer(
            store=store, poster=poster, clock=clock, timetable=self, grace=grace, owner=owner
        )
        self.outage = OutageNotice(store=store, poster=poster, clock=clock)
        # The clubs of each schedule, and each club's schedule of each job kind.
        self._groups: dict[Group, set[int]] = {}
        self._group_of: dict[tuple[int, str], Group] = {}
        # The configuration version each club was scheduled at, and when that was checked.
        self._versions: dict[int, int] = {}
        # Each club as it was last scheduled (none while away): what a change moves it from.
        self._scheduled: dict[int, Club] = {}
        self._synced_at: datetime | None = None
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": int(grace.total_seconds()),
                "coalesce": True,
                "max_instances": 1,
            },
        )

    @property
    def owner(self) -> str:
        return self.delivery.owner

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
        """Each job's first run strictly after `after` (a run due right now has run); none
        while the club's platform has cut the bot off."""
        if away(club) is not None:
            return []
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

    def runs_between(self, club: Club, start: datetime, end: datetime) -> list[Run]:
        """Every scheduled run of the club in (start, end], in order: e.g. what a club
        missed while its platform had cut the bot off."""
        runs = [
            Run(kind=job.kind, description=job.description, at=at)
            for job in self.jobs.values()
            for at in self.fire_times(job, club, start, end)
        ]
        return sorted(runs, key=lambda r: r.at)

    # --- running (delivery does the posting) -----------------------------

    async def run(
        self, club_id: int, job: Job, due_at: datetime, *, club: Club | None = None
    ) -> Outcome:
        """Claim one occurrence and, if this caller won it, post it (for `club` when
        given, not read again)."""
        clubs = None if club is None else {club_id: club}
        return (await self.run_many(job, {club_id: due_at}, clubs))[club_id]

    async def run_many(
        self, job: Job, due: Mapping[int, datetime], clubs: Mapping[int, Club] | None = None
    ) -> dict[int, Outcome]:
        return await self.delivery.run_many(job, due, clubs)

    async def run_now(self, club_id: int, kind: str, *, club: Club | None = None) -> str:
        """An officer's "post now": the current occurrence, unless it already ran (of
        `club`, the command's, when given: not read again)."""
        return await self.run(club_id, self.jobs[kind], self.clock.now(), club=club)

    async def skip(self, club_id: int, kind: str) -> bool:
        return await self.delivery.skip(club_id, self.jobs[kind])

    async def notify(self, club_id: int, user_id: str, message: Message) -> bool:
        return await self.delivery.notify(club_id, user_id, message)

    async def probe(self, club_id: int, purpose: str) -> bool:
        return await self.delivery.probe(club_id, purpose)

    async def retry_failed(self) -> None:
        """Retry occurrences that failed for a passing reason, or whose owner died, and
        any that could not be claimed at all while the database was away."""
        if await self.outage.check() is not None:
            return  # nothing can be claimed; the officers know
        now = self.clock.now()
        reach = max((job.reach(self.grace) for job in self.jobs.values()), default=self.grace)
        retryable = await self._still_worth_it(await self.delivery.retryable(now, reach), now)
        if retryable is None:
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
        if self.delivery.unclaimed:
            self.delivery.unclaimed = False
            try:
                await self.catch_up()
            except (SQLAlchemyError, OSError) as error:
                log.warning("retry: the database is still away: %s", error)
                self.delivery.unclaimed = True

    async def catch_up(self, clubs: Sequence[Club] | None = None) -> list[tuple[Job, Outcome]]:
        """On start: post each job's latest missed occurrence within the grace window, once
        (for `clubs`, read from the store unless given)."""
        now, outcomes = self.clock.now(), []
        listed = clubs if clubs is not None else await self.store.clubs.all()
        by_id = {club.id: club for club in listed}
        configured: dict[int, datetime] | None = None
        for job in self.jobs.values():
            due = self._due(job, by_id.values(), now)
            late = [c for c, at in due.items() if now - at > self.grace]
            if late:  # a run due before its club was set up as it is now was never missed
                if configured is None:
                    configured = await self.store.clubs.configured_at(by_id)
                due = {c: at for c, at in due.items() if c not in late or at > configured[c]}
            ran = await self.run_many(job, due, by_id)
            outcomes += [(job, ran[c]) for c in sorted(ran)]
        return outcomes

    def _due(self, job: Job, clubs: Iterable[Club], now: datetime) -> dict[int, datetime]:
        """Each club's latest occurrence of `job` inside the grace window, or later than
        that while it still matters (`Job.late`), if any."""
        due, start = {}, now - job.reach(self.grace) - timedelta(microseconds=1)
        missed: dict[ForwardCron | None, list[datetime]] = {}  # clubs share triggers
        for club in clubs:
            trigger = self.trigger(job, club)
            if trigger not in missed:
                missed[trigger] = self.fire_times(job, club, start, now)
            if missed[trigger] and self.still_matters(job, club, missed[trigger][-1], now):
                due[club.id] = missed[trigger][-1]
        return due

    def left_behind(
        self, before: Club | None, club: Club, *, since: datetime, now: datetime
    ) -> dict[str, datetime]:
        """The runs a change of the club moved into the past, by job kind: each job's
        latest run as the club is now, due by `now` and still mattering, whose occurrence
        was still to come at `since` (when the change was made, or at the latest) as the
        club was `before`. The problem moved from 09:00 to 08:00 at 08:30: today's was not
        missed, the change took it away, so it goes out now, once (late past the grace).

        An occurrence the club did not have before (it was just set up, the job had no
        channel, the day was not one of its days), or whose run had passed already (posted,
        or missed for good), is not posted: a change never adds a run in the past."""
        if before is None or away(before) is not None or away(club) is not None:
            return {}
        left = {}
        for job in self.jobs.values():
            same_keys = job.day_of is None and before.timezone == club.timezone
            if same_keys and job.when(before) == job.when(club):
                continue  # the same runs as before: none moved
            due_at = self._due(job, [club], now).get(club.id)
            if due_at is None:
                continue
            if self._coming(job, before, job.occurrence(club, due_at), since):
                left[job.kind] = due_at
        return left

    def _coming(self, job: Job, club: Club, occurrence: str, since: datetime) -> bool:
        """Whether the club's run of `occurrence` is due at `since` or later. Occurrence
        keys (ISO dates, weeks, hours) sort as the runs they key do."""
        trigger = self.trigger(job, club)
        at = trigger.get_next_fire_time(None, since) if trigger else None
        while trigger is not None and at is not None:
            key = job.occurrence(club, at)
            if key >= occurrence:
                return key == occurrence
            at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))
        return False

    def still_matters(self, job: Job, club: Club, due_at: datetime, now: datetime) -> bool:
        """Whether a run due at `due_at` may still go out at `now`: inside the grace, or
        late while its `Job.late` allows."""
        late = job.late
        if now - due_at <= self.grace:
            return True
        if late is None or now - due_at > late.at_most:
            return False
        if late.same_period and occurrence_of(job.period, local(now, club.timezone)) != (
            occurrence_of(job.period, local(due_at, club.timezone))
        ):
            return False
        until = self.jobs.get(late.until_next or job.kind, job)
        trigger = self.trigger(until, club)
        following = (
            trigger.get_next_fire_time(None, due_at + timedelta(seconds=1)) if trigger else None
        )
        return following is None or following > now

    async def _still_worth_it(
        self, claims: list[Claim] | None, now: datetime
    ) -> list[Claim] | None:
        """Of claims to retry, those inside the grace, and the older ones that still matter."""
        if claims is None:
            return None
        late = {c.key.club_id for c in claims if now - c.due_at > self.grace}
        if not late:
            return claims
        try:
            clubs = await self.store.clubs.get_many(late)
        except (SQLAlchemyError, OSError) as error:
            log.warning("retry: the database is away: %s", error)
            return None
        return [
            c
            for c in claims
            if now - c.due_at <= self.grace
            or (
                c.key.kind in self.jobs
                and c.key.club_id in clubs
                and self.still_matters(self.jobs[c.key.kind], clubs[c.key.club_id], c.due_at, now)
            )
        ]

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
            self.delivery.unclaimed = True
            return {}
        return await self.run_many(job, self._due(job, clubs.values(), now), clubs)

    # --- deployment-wide sweeps --------------------------------------------

    def sweep_times(self, sweep: Sweep, start: datetime, end: datetime) -> list[datetime]:
        """The sweep's slots in (start, end]: multiples of `every` since the epoch."""
        first = (start - _EPOCH) // sweep.every + 1
        last = (end - _EPOCH) // sweep.every
        return [_EPOCH + n * sweep.every for n in range(first, last + 1)]

    async def _sweep_now(self, sweep: Sweep) -> None:
        now = self.clock.now()
        await self.run_sweep(sweep, _EPOCH + (now - _EPOCH) // sweep.every * sweep.every)

    async def run_sweep(self, sweep: Sweep, due_at: datetime) -> None:
        """One slot of a sweep; an error is logged, the next slot tries again."""
        run = SweepRun(
            kind=sweep.kind,
            slot=due_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
            due_at=due_at,
            now=self.clock.now(),
            store=self.store,
            owner=self.owner,
            deliver=lambda job, club_ids: self.run_many(job, dict.fromkeys(club_ids, due_at)),
        )
        try:
            await sweep.run(run)
        except Exception:
            log.exception("sweep %s at %s failed", sweep.kind, run.slot)

    # --- the APScheduler side ----------------------------------------------

    async def load(self) -> list[Club]:
        """Schedule every club as the database has it, without starting: what `start`
        does first, and all a console session needs (it runs time itself, `run_until`)
        to know what a change moves each club from. The clubs read."""
        # Versions first: a change landing between the two reads is read again at the sync.
        self._versions, self._synced_at = await self.store.clubs.versions(), self.clock.now()
        clubs = await self.store.clubs.all()
        for club in clubs:
            self._schedule(club)
        return clubs

    async def start(self) -> None:
        await self.catch_up(await self.load())
        self._aps.add_job(
            self.retry_failed,
            IntervalTrigger(seconds=self.store.claims.retry_after.total_seconds()),
            id="retry",
            replace_existing=True,
        )
        self._aps.add_job(
            self._sync_logged,
            IntervalTrigger(seconds=SYNC_EVERY.total_seconds()),
            id="sync",
            replace_existing=True,
        )
        for sweep in self.sweeps:
            self._aps.add_job(
                self._sweep_now,
                IntervalTrigger(seconds=sweep.every.total_seconds(), start_date=_EPOCH),
                args=(sweep,),
                id=f"sweep {sweep.kind}",
                replace_existing=True,
            )
        self._aps.start()

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def shutdown(self) -> None:
        self.delivery.held.stop()
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def club_changed(self, club_id: int, *, to: Club | None = None) -> list[Run]:
        """A command of this process changed the club: schedule it as it is now, and run
        what the change left behind (`left_behind`); the runs of those that went out.
        `to`, the club `Clubs.change` returned, is taken as it is with the version that
        change wrote (nothing is read); otherwise the version is read, and the snapshot
        `Clubs.change` left used when it is still the club's version. A later change by
        another process comes in at the next `sync`, as always."""
        written = None if to is None else self.store.clubs.written(to)
        version = (
            written
            if written is not None
            else (await self.store.clubs.versions([club_id])).get(club_id)
        )
        if version is not None and self._versions.get(club_id) == version:
            return []  # scheduled as it is already
        known = self.store.clubs.known(club_id)
        if known is not None and known[0] == version:
            club: Club | None = known[1]
        else:
            club = (await self.store.clubs.get_many([club_id])).get(club_id)
        if club is None or version is None:
            self._forget(club_id)
            return []
        now, before = self.clock.now(), self._scheduled.get(club_id)
        self._versions[club_id] = version
        self._schedule(club)
        went_out = []
        for kind, due_at in self.left_behind(before, club, since=now, now=now).items():
            job = self.jobs[kind]
            if (await self.run_many(job, {club.id: due_at}, {club.id: club}))[club.id] == "posted":
                went_out.append(Run(kind=kind, description=job.description, at=due_at))
        return went_out

    async def sync(self) -> list[tuple[Job, Outcome]]:
        """Take in what other processes changed since the last look: reschedule the clubs
        whose configuration version moved, add new clubs, drop deleted ones. A post that
        fell due under the new schedule while this process still ran the old one (the
        officer set the time to a few seconds ahead) runs now, once."""
        now, since = self.clock.now(), self._synced_at
        versions = await self.store.clubs.versions()
        changed = sorted(c for c, v in versions.items() if self._versions.get(c) != v)
        for club_id in [c for c in self._versions if c not in versions]:
            self._forget(club_id)
        if not changed:
            self._synced_at = now
            return []
        clubs = await self.store.clubs.get_many(changed)
        left = {
            club.id: self.left_behind(
                self._scheduled.get(club.id), club, since=since or now, now=now
            )
            for club in clubs.values()
        }
        for club in clubs.values():
            self._schedule(club)
        log.info("sync: %d club(s) changed elsewhere, rescheduled", len(clubs))
        outcomes: list[tuple[Job, Outcome]] = []
        for job in self.jobs.values():
            due = {}
            for club in clubs.values():
                # Before the first sync (start() sets the point) nothing was missed.
                missed = self.fire_times(job, club, since or now, now)
                if missed:
                    due[club.id] = missed[-1]
                elif job.kind in left[club.id]:
                    due[club.id] = left[club.id][job.kind]
            ran = await self.run_many(job, due, clubs)
            outcomes += [(job, ran[c]) for c in sorted(ran)]
        # Only now: a sync that fails on the way (the database away) looks again from
        # the same point next time, so a post that fell due meanwhile is not skipped.
        self._versions.update((c, versions[c]) for c in clubs)
        self._synced_at = now
        return outcomes

    async def _sync_logged(self) -> None:
        try:
            await self.sync()
        except (SQLAlchemyError, OSError) as error:
            log.warning("sync: the database is away: %s", error)

    def _forget(self, club_id: int) -> None:
        """The club is gone: out of every schedule."""
        self._versions.pop(club_id, None)
        self._unschedule(club_id)

    def _unschedule(self, club_id: int) -> None:
        self._scheduled.pop(club_id, None)
        for kind in self.jobs:
            group = self._group_of.pop((club_id, kind), None)
            if group is not None:
                self._leave(group, club_id)

    def _schedule(self, club: Club) -> None:
        """Put the club into the APScheduler job of each of its schedules. Clubs that post
        at the same time in the same zone share one job, which runs them as one batch:
        a handful of jobs for thousands of clubs. A club its platform cut the bot off from
        is in none until it is back (its configuration version moves then)."""
        if away(club) is not None:
            self._unschedule(club.id)
            return
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
        self._scheduled[club.id] = club

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
        # A sweep's slot runs before the clubs' posts due at the same time (sorted() is stable).
        steps: list[tuple[datetime, Callable[[], Awaitable[object]]]] = [
            (at, functools.partial(self.run_sweep, sweep, at))
            for sweep in self.sweeps
            for at in self.sweep_times(sweep, start, end)
        ]
        steps += [
            (at, functools.partial(self.run_many, self.jobs[kind], clubs))
            for (at, kind), clubs in batches.items()
        ]
        for at, step in sorted(steps, key=lambda s: s[0]):
            await self._retry_until(clock, at)
            clock.set(at)
            await step()
        await self._retry_until(clock, end)
        clock.set(end)

    async def _retry_until(self, clock: ManualClock, end: datetime) -> None:
        """The retry job's ticks up to `end`, for as long as something waits to be retried."""
        every = self.store.claims.retry_after
        tick = clock.now() + every
        while tick <= end and (
            self.delivery.unclaimed or await self.store.claims.retryable(now=tick, grace=self.grace)
        ):
            clock.set(tick)
            await self.retry_failed()
            tick += every
