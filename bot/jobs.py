"""What a scheduled job is: when it runs for a club, and what one run of it posts.

Features declare their `Job`s (each feature's `JOBS`); `bot/scheduler.py` decides when
they run and `bot/delivery.py` claims, posts and records each run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias, cast

from bot.app import Run
from bot.club_time import local
from bot.model import Message, Place, Platform
from bot.store.clubs import Club
from bot.store.store import Store

if TYPE_CHECKING:
    from bot.delivery import Deliverer

# "hour" is for runs started by a sweep (below), several a day: its key is the UTC hour.
Period = Literal["day", "week", "hour"]
Outcome = Literal["posted", "skipped", "failed", "build failed", "taken", "too late", "unscheduled"]


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


class Timetable(Protocol):
    """What a run may ask of the timing side: the club's next runs (for the digest)."""

    def next_runs(self, club: Club, after: datetime) -> list[Run]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRun:
    kind: str
    club: Club
    due_at: datetime
    occurrence: str
    now: datetime
    store: Store
    timetable: Timetable
    deliverer: Deliverer

    async def dm(
        self,
        user_id: str,
        message: Message,
        *,
        about: str,
        once_ever: bool = False,
        refusing: set[str] | None = None,
    ) -> Outcome:
        """DM a member at most once for this occurrence and `about` (e.g. a window and a lead);
        with `once_ever`, at most once for `about` whichever occurrence sends it (news that
        several runs may find, e.g. new postings). A run that DMs many members passes
        `refusing` (from `refusing_dms`): one read for them all instead of one per DM."""
        return await self.deliverer.dm_once(
            self.club,
            kind=self.kind,
            occurrence=about if once_ever else f"{self.occurrence}:{about}",
            user_id=user_id,
            message=message,
            refusing=refusing,
        )

    async def refusing_dms(self, user_ids: Iterable[str]) -> set[str]:
        """Those of `user_ids` whose DMs the platform refused (closed DMs), in one read;
        `dm` adds those refused as it goes."""
        return await self.deliverer.learned.refusing_dms(self.club.id, user_ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class Late:
    """How long a run missed by more than the grace (the bot or its database was down) is
    still worth posting, late and saying so: until the club's next run of `until_next` (a
    job kind; the job's own next run when None) is due, never more than `at_most` after
    the run was due, and with `same_period` only within the day or week it belongs to.
    docs/architecture.md says what each job's lateness is and why."""

    until_next: str | None = None
    at_most: timedelta = timedelta(days=1)
    same_period: bool = False


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
    # The club-local date a run due at an instant is claimed by, when it is not the date it
    # runs on: a daily problem's hint is claimed by the post's day, so a hint delay moved
    # across midnight never posts one post's hint twice.
    day_of: Callable[[Club, datetime], date] | None = None
    # Posted late past the grace while it still matters; None: never past the grace.
    late: Late | None = None

    def reach(self, grace: timedelta) -> timedelta:
        """How long after its due time a run may still go out."""
        return grace if self.late is None else max(grace, self.late.at_most)

    def __post_init__(self) -> None:
        if (self.build is None) == (self.build_many is None):
            raise ValueError(f"job {self.kind}: give build or build_many, not both or neither")

    def occurrence(self, club: Club, due_at: datetime) -> str:
        """The claim key of the run of `club` due at `due_at`."""
        if self.day_of is not None:
            return self.day_of(club, due_at).isoformat()
        return occurrence_of(self.period, local(due_at, club.timezone))

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


def occurrence_of(period: Period, local_due: datetime) -> str:
    """The claim key: the club-local date, or ISO week, or UTC hour the run belongs to."""
    if period == "hour":
        return local_due.astimezone(UTC).strftime("%Y-%m-%dT%HZ")
    if period == "day":
        return local_due.date().isoformat()
    year, week, _ = local_due.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepRun:
    """One run of a deployment-wide sweep: not any club's, e.g. fetching a shared source.

    `slot` names the run (its due time in UTC) so the sweep can claim what it does once
    for the deployment in its own tables; `deliver` runs a per-club job now for the clubs
    given, claimed and posted like any scheduled run."""

    kind: str
    slot: str
    due_at: datetime
    now: datetime
    store: Store
    owner: str
    deliver: Callable[[Job, Sequence[int]], Awaitable[Mapping[int, Outcome]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A deployment-wide task run every `every` (aligned on the epoch), by every process;
    what it does once for the deployment it claims itself."""

    kind: str
    description: str
    every: timedelta
    run: Callable[[SweepRun], Awaitable[None]]


def place_of(club: Club, channel_id: str) -> Place:
    return Place(
        platform=cast(Platform, club.platform),
        workspace_id=club.workspace_id,
        channel_id=channel_id,
    )
