"""Delivering scheduled runs: claim each occurrence, build its post, post it, record how it
ended; DMs at most once; a channel that refuses posts is paused and the officers told.

`bot/scheduler.py` decides *when* a run is due and hands the due runs here; nothing in this
module knows about triggers or clocks beyond asking the time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.club_time import local, moment
from bot.jobs import Built, Job, JobRun, Outcome, SkipRun, Timetable, place_of
from bot.leases import HeldClaims, passing
from bot.logs import log_run
from bot.model import MAX_TEXT, Message, clip
from bot.posting import CutOff, DmRefused, Poster, PostFailed, PostKey, PostRefused
from bot.store.away import away, last_absence, leave
from bot.store.batches import chunks
from bot.store.claims import BUILD_FAILED, FAILED, POSTED, SKIPPED, Claim, ClaimKey, Finish
from bot.store.clubs import Actor, Channel, Club, ClubChanges
from bot.store.learned import LearnedMembers
from bot.store.store import Store

log = logging.getLogger(__name__)

# Posts in flight at once within a batch (to many workspaces; each adapter paces its own).
POST_AT_ONCE = 50
# Why a DM was skipped or refused: the member does not take DMs from the bot.
DMS_CLOSED = "DMs closed"


class Deliverer:
    def __init__(
        self,
        *,
        store: Store,
        poster: Poster,
        clock: Clock,
        timetable: Timetable,
        grace: timedelta = timedelta(hours=1),
        owner: str | None = None,
    ) -> None:
        self.store, self.poster, self.clock, self.grace = store, poster, clock, grace
        self.timetable = timetable
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        # The claims this process is building and posting: renewed while held, and their
        # endings written even across a spell without the database (bot/leases.py).
        self.held = HeldClaims(store.claims, owner=self.owner, clock=clock)
        # Set when a run could not even claim its occurrence (the database was away):
        # the timing side then looks for unclaimed occurrences inside the grace window.
        self.unclaimed = False
        # Clubs whose platform cut the bot off, and when this process saw it: their other
        # posts and DMs stop at once, even those built from a snapshot read before.
        self._cut_off: dict[int, datetime] = {}

    async def run_many(
        self, job: Job, due: Mapping[int, datetime], clubs: Mapping[int, Club] | None = None
    ) -> dict[int, Outcome]:
        """Claim the occurrences due (club id -> due time) and post those this caller won.

        The clubs are read, claimed, built and finished in a few queries per batch, and
        posted concurrently, so ten thousand clubs due at 09:00 are not ten thousand
        rounds of transactions. One club's failure is its own.

        A batch is claimed only when the one before it is posted: processes sharing a
        database then share a fan-out (the others take the next batches while one posts),
        and a process that dies holds at most one batch's claims until its lease ends.
        """
        now, reach = self.clock.now(), job.reach(self.grace)
        outcomes: dict[int, Outcome] = {c: "too late" for c, at in due.items() if now - at > reach}
        live = {c: at for c, at in due.items() if c not in outcomes}
        try:
            if clubs is None:
                clubs = await self.store.clubs.get_many(live)
        except (SQLAlchemyError, OSError) as error:
            return {**outcomes, **self._unclaimed(job, live, error)}
        # The club is gone, or its platform cut the bot off (nothing would go through).
        outcomes.update((c, "unscheduled") for c in live if c not in clubs or self.paused(clubs[c]))
        keys = {
            c: ClaimKey(
                club_id=c,
                kind=job.kind,
                occurrence=job.occurrence(clubs[c], at),
            )
            for c, at in sorted(live.items())
            if c not in outcomes
        }
        # Occurrences this process already has in hand (a retry or a sync meeting a run still
        # posting) are not claimed again here: that would post them twice.
        outcomes.update((c, "taken") for c in keys if self.held.holds(keys[c]))
        for batch in chunks([c for c in keys if c not in outcomes]):
            started = time.monotonic()
            try:
                won = await self.store.claims.claim_each(
                    {keys[c]: live[c] for c in batch}, owner=self.owner, now=self.clock.now()
                )
            except (SQLAlchemyError, OSError) as error:
                left = {c: live[c] for c in keys if c not in outcomes}
                return {**outcomes, **self._unclaimed(job, left, error)}
            self.held.hold(won, since=started)
            outcomes.update((c, "taken") for c in batch if keys[c] not in won)
            runs = [
                JobRun(
                    kind=job.kind,
                    club=clubs[c],
                    due_at=live[c],
                    occurrence=keys[c].occurrence,
                    now=now,
                    store=self.store,
                    timetable=self.timetable,
                    deliverer=self,
                )
                for c in batch
                if keys[c] in won
            ]
            built = zip(runs, await job.build_all(runs), strict=True)
            finished = await self._post_all(
                (run, result, _post_key(keys[run.club.id], won[keys[run.club.id]], run.due_at))
                for run, result in built
            )
            outcomes.update((f.key.club_id, cast(Outcome, f.status)) for f in finished)
        return outcomes

    def _unclaimed(
        self, job: Job, live: Mapping[int, datetime], error: Exception
    ) -> dict[int, Outcome]:
        """The database is away: these runs failed, to be tried again soon."""
        log.warning("could not claim %s for %d clubs: %s", job.kind, len(live), error)
        self.unclaimed = True
        return dict.fromkeys(live, "failed")

    async def _post_all(self, built: Iterable[tuple[JobRun, Built, PostKey]]) -> list[Finish]:
        """Post up to POST_AT_ONCE runs at a time; record each ending as soon as it is
        known, those that end together in one transaction, so a slow post (a 429 being
        waited out) never holds back the record of posts that already went out.

        A post keeps its slot until its ending is recorded: were the slot freed first, new
        posts would go out while the record of earlier ones waits for the database, and a
        process killed then would leave any number of sent but unrecorded posts to be sent
        again. Held, at most POST_AT_ONCE posts can be in doubt.
        """
        finished: list[Finish] = []
        slots, writes = asyncio.Semaphore(POST_AT_ONCE), _GroupWrites(self._finish_many)

        async def post(run: JobRun, result: Built, key: PostKey) -> None:
            claim = ClaimKey(club_id=run.club.id, kind=run.kind, occurrence=run.occurrence)
            async with slots:
                try:
                    if not await self.held.may_post(claim):  # taken over while it waited
                        finished.append(Finish(key=claim, status="taken"))
                        return
                    ending = await log_run(self._deliver(run, result, key))
                    finished.append(ending)
                    await writes.record(ending)
                finally:
                    self.held.release([claim])

        await asyncio.gather(*(post(run, result, key) for run, result, key in built))
        return finished

    async def _deliver(self, run: JobRun, built: Built, post_key: PostKey) -> Finish:
        """Post one built run; how it ended, to be recorded with its batch."""
        club = run.club
        key = ClaimKey(club_id=club.id, kind=run.kind, occurrence=run.occurrence)
        if isinstance(built, SkipRun):
            return Finish(key=key, status=SKIPPED, error=built.reason)
        if isinstance(built, PostFailed):  # a passing reason, e.g. waiting for another post
            return Finish(key=key, status=FAILED, error=str(built))
        if isinstance(built, Exception) and passing(built):  # the database, not the build
            log.warning(
                "scheduled %s for club %s: the database is away: %s", run.kind, club.id, built
            )
            return Finish(key=key, status=FAILED, error=f"{type(built).__name__}: {built}")
        if isinstance(built, Exception):
            return await self._build_failed(run, key, built)
        if built is None:
            return Finish(key=key, status=SKIPPED, error="nothing to post")
        channel = club.channels.get(built.purpose)
        if channel is None:
            return Finish(key=key, status=SKIPPED, error=f"no {built.purpose} channel set")
        if self.paused(club):  # cut off while this run was built (e.g. at its DMs)
            return Finish(key=key, status=SKIPPED, error="cut off by the platform")
        # A paused channel is tried again at each of its scheduled posts (one request, not a
        # retry loop): when access is back the post goes out and the channel resumes.
        message = (
            _marked_late(run, built.message) if run.now - run.due_at > self.grace else built.message
        )
        try:
            ref = await self.poster.post(place_of(club, channel.id), message, key=post_key)
        except CutOff as error:
            await self.cut_off(club, str(error))
            return Finish(key=key, status=SKIPPED, error=f"cut off: {error}")
        except PostRefused as error:
            await self._refused(club, built.purpose, str(error))
            return Finish(key=key, status=SKIPPED, error=f"#{channel.name}: {error}")
        except PostFailed as error:
            return Finish(key=key, status=FAILED, error=str(error), in_doubt=error.maybe_posted)
        except Exception as error:
            # An error nobody expected would fail the same way on every retry: pause the
            # channel and tell the officers, as for a 403, instead of retrying blindly.
            log.exception("posting %s for club %s failed", run.kind, club.id)
            reason = f"{type(error).__name__}: {error}"
            await self._refused(club, built.purpose, reason)
            return Finish(key=key, status=SKIPPED, error=f"#{channel.name}: {reason}")
        # Only a post into the channel itself shows it takes posts again: a reply in a thread
        # opened earlier can go through while the channel still refuses new posts.
        if channel.broken_reason and built.message.thread_of is None:
            await self._resumed(club, built.purpose)
        return Finish(key=key, status=POSTED, message_ref=ref)

    async def _finish_many(self, finished: Sequence[Finish]) -> None:
        # Kept and written when the database answers again, the claims held meanwhile.
        await self.held.record([f for f in finished if f.status != "taken"])

    async def _build_failed(self, run: JobRun, key: ClaimKey, error: Exception) -> Finish:
        """A post that could not be built (a bug, bad data) would fail the same way each
        minute: it is not retried before its next occurrence, and the officers are told
        once, not at every occurrence that fails alike."""
        log.error(
            "scheduled %s for club %s: the post could not be built",
            run.kind,
            run.club.id,
            exc_info=error,
        )
        reason = f"{type(error).__name__}: {error}"
        try:
            before = (await self.store.claims.last_before([key])).get(key)
        except (SQLAlchemyError, OSError):
            before = None  # better told twice than never
        if before is None or before.status != BUILD_FAILED:
            await self._tell_officers(
                run.club,
                None,
                "A scheduled post failed",
                _build_failed_text(run, reason, self.timetable),
            )
        return Finish(key=key, status=BUILD_FAILED, error=reason)

    async def dm_once(
        self,
        club: Club,
        *,
        kind: str,
        occurrence: str,
        user_id: str,
        message: Message,
        refusing: set[str] | None = None,
    ) -> Outcome:
        """A DM claimed like a post, so restarts and retries never send it twice.
        `refusing`: the club's members whose DMs are refused, read once for a run's many
        DMs (`refusing_dms`) and kept current as refusals come; None: asked here."""
        if self.paused(club):
            return "unscheduled"
        key = ClaimKey(club_id=club.id, kind=f"{kind}:dm", occurrence=f"{occurrence}:{user_id}")
        now, started = self.clock.now(), time.monotonic()
        won = await self.store.claims.claim_each({key: now}, owner=self.owner, now=now)
        if key not in won:
            return "taken"
        if refusing is None:
            refused = bool(await self.learned.refusing_dms(club.id, [user_id]))
        else:
            refused = user_id in refusing
        if refused:
            # Refused before: not tried again until the member runs a command.
            return await self._finish(key, SKIPPED, error=DMS_CLOSED)
        self.held.hold([key], since=started)
        try:
            ending = await self._send_dm(club, user_id, message, key, in_doubt=won[key])
            if refusing is not None and (ending.error or "").startswith(DMS_CLOSED):
                refusing.add(user_id)
            # Recorded as soon as sent, kept until the database takes it: never sent twice.
            await self.held.record([ending])
        finally:
            self.held.release([key])
        return cast(Outcome, ending.status)

    async def _send_dm(
        self, club: Club, user_id: str, message: Message, key: ClaimKey, *, in_doubt: bool
    ) -> Finish:
        try:
            ref = await self.poster.dm(
                place_of(club, ""), user_id, message, key=_post_key(key, in_doubt, since=None)
            )
        except CutOff as error:
            await self.cut_off(club, str(error))
            return Finish(key=key, status=SKIPPED, error=f"cut off: {error}")
        except DmRefused as error:
            await self.learned.dm_refused(club.id, user_id, str(error), now=self.clock.now())
            return Finish(key=key, status=SKIPPED, error=f"{DMS_CLOSED}: {error}")
        except PostRefused as error:  # e.g. the member left: nothing to retry
            return Finish(key=key, status=SKIPPED, error=str(error))
        except PostFailed as error:
            return Finish(key=key, status=FAILED, error=str(error), in_doubt=error.maybe_posted)
        return Finish(key=key, status=POSTED, message_ref=ref)

    async def notify(self, club_id: int, user_id: str, message: Message) -> bool:
        """A DM a member's own action asked for: tried even if DMs to them were refused
        before (they may have opened them since)."""
        club = await self.store.clubs.get(club_id)
        if self.paused(club):
            return False
        try:
            await self.poster.dm(place_of(club, ""), user_id, message)
        except CutOff as error:
            await self.cut_off(club, str(error))
            return False
        except DmRefused as error:
            await self.learned.dm_refused(club_id, user_id, str(error), now=self.clock.now())
            return False
        except (PostRefused, PostFailed) as error:
            log.warning("club %s: a DM to a member failed: %s", club_id, error)
            return False
        return True

    @property
    def learned(self) -> LearnedMembers:
        return self.store.repo(LearnedMembers)

    def paused(self, club: Club) -> bool:
        """Whether the club's platform cut the bot off: nothing is posted or DMed for it."""
        if away(club) is not None:
            return True
        seen = self._cut_off.get(club.id)
        if seen is None:
            return False
        back = last_absence(club)
        if back is not None and back.until is not None and back.until >= seen:
            del self._cut_off[club.id]  # a snapshot from after its return
            return False
        return True  # a snapshot from before this process saw it cut off

    async def cut_off(self, club: Club, reason: str) -> None:
        """The platform answers that the bot lost the whole workspace: pause the club (every
        process reads it) until it is re-invited or reinstalled. Nobody can be told there."""
        self._cut_off[club.id] = self.clock.now()
        platform = Actor(id=club.platform, name=club.platform.title())
        why = f"{club.platform.title()} answered {reason}"
        if await leave(self.store.clubs, club.id, why=why, actor=platform, now=self.clock.now()):
            log.warning("club %s: the platform cut clubbot off (%s): paused", club.id, reason)

    async def probe(self, club_id: int, purpose: str) -> bool:
        """Post to a paused channel that looks open again; resume it only if the post went
        through (a permission check can look fine while posting is still refused)."""
        club = await self.store.clubs.get(club_id)
        channel = club.channels.get(purpose)
        if channel is None or not channel.broken_reason or self.paused(club):
            return False
        text = f"I can post here again: {purpose} posts resume."
        try:
            await self.poster.post(place_of(club, channel.id), Message(text=text))
        except CutOff as error:
            await self.cut_off(club, str(error))
            return False
        except (PostRefused, PostFailed) as error:
            log.info("club %s: #%s still refuses posts: %s", club_id, channel.name, error)
            return False
        await self._resumed(club, purpose)
        return True

    async def skip(self, club_id: int, job: Job) -> bool:
        """Mark the current occurrence of `job` skipped; False if it already ran."""
        club, now = await self.store.clubs.get(club_id), self.clock.now()
        key = ClaimKey(
            club_id=club_id,
            kind=job.kind,
            occurrence=job.occurrence(club, now),
        )
        if not await self.store.claims.claim(key, due_at=now, owner=self.owner, now=now):
            return False
        await self._finish(key, SKIPPED, error="skipped by an officer")
        return True

    async def retryable(self, now: datetime, reach: timedelta | None = None) -> list[Claim] | None:
        """Occurrences to retry (failed for a passing reason, or whose owner died) due within
        `reach` (the grace by default), leaving out those this process holds; None when the
        database is away."""
        try:
            found = await self.store.claims.retryable(
                now=now, grace=reach or self.grace, late_after=self.grace
            )
        except (SQLAlchemyError, OSError) as error:
            log.warning("retry: the database is away: %s", error)
            return None
        return [c for c in found if not self.held.holds(c.key)]

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
        """Pause a channel that refuses us, and tell the officers once (not at each try)."""
        channel = club.channels[purpose]
        if channel.broken_reason:
            return
        await self.store.clubs.mark_channel_broken(club.id, channel.id, reason, self.clock.now())
        if not await self._first_notice_today(club, purpose):
            return
        text = (
            f"I can no longer post in #{channel.name} ({reason[:200]}), so {purpose} posts "
            f"are paused. Give me access again and I'll resume by myself: I try again at "
            f"each {purpose} post, and `/admin status` checks at once. Or pick another "
            f"channel with `/admin setup {purpose}:#channel`."
        )
        await self._tell_officers(club, channel, "A channel refuses my posts", text)

    async def _resumed(self, club: Club, purpose: str) -> None:
        """A paused channel took a post again: mark it working and say so."""
        channel = club.channels[purpose]
        working = Channel(id=channel.id, name=channel.name)
        clubbot = Actor(id="clubbot", name="clubbot (access is back)")
        now = self.clock.now()
        await self.store.clubs.change(
            club.id, ClubChanges(channels={purpose: working}), actor=clubbot, now=now
        )
        if not await self._first_notice_today(club, purpose):
            return
        text = f"I can post in #{channel.name} again: {purpose} posts have resumed."
        await self._tell_officers(club, None, "A channel takes my posts again", text)

    async def _first_notice_today(self, club: Club, purpose: str) -> bool:
        """Officers hear about a channel pausing or resuming at most once a (club) day."""
        day = local(self.clock.now(), club.timezone).date()
        return await self.store.clubs.first_notice_today(club.id, purpose, day)

    async def _tell_officers(
        self, club: Club, broken: Channel | None, title: str, text: str
    ) -> None:
        alerts = club.channels.get("alerts")
        if alerts is None or alerts.broken_reason or (broken and alerts.id == broken.id):
            return
        try:
            await self.poster.post(place_of(club, alerts.id), Message(text=text, title=title))
        except Exception:  # the notice is best effort; the channel's state is recorded
            log.warning("club %s: the alerts channel refused the notice too", club.id)


def _marked_late(run: JobRun, message: Message) -> Message:
    """The post as it goes out past its grace (the bot was down, or the database): saying
    when it was due. Unchanged if the note would not fit."""
    note = f"Posted late: this was due {moment(run.due_at, run.club.timezone)}."
    try:
        return dataclasses.replace(message, text=clip(f"{note}\n\n{message.text}", MAX_TEXT))
    except ValueError:
        return message


def _build_failed_text(run: JobRun, reason: str, timetable: Timetable) -> str:
    runs = [r for r in timetable.next_runs(run.club, run.due_at) if r.kind == run.kind]
    what = runs[0].description if runs else run.kind.replace("_", " ")
    then = f" ({moment(runs[0].at, run.club.timezone)})" if runs else ""
    return (
        f"I couldn't build the {what.lower()} due {moment(run.due_at, run.club.timezone)} "
        f"({reason[:200]}), so it was not posted. I'll try again at its next time{then}, "
        "not every minute, and won't repeat this note while it keeps failing. The error is "
        "in the bot's log."
    )


def _post_key(key: ClaimKey, in_doubt: bool, since: datetime | None) -> PostKey:
    """The occurrence as the platform sees it: the same on every attempt."""
    return PostKey(key=f"{key.club_id}:{key.kind}:{key.occurrence}", in_doubt=in_doubt, since=since)


class _GroupWrites:
    """Endings written in groups, one write at a time: those that arrive while a write runs
    go together in the next. `record` returns once its ending is written."""

    def __init__(self, write: Callable[[Sequence[Finish]], Awaitable[None]]) -> None:
        self._write = write
        self._waiting: list[tuple[Finish, asyncio.Future[None]]] = []
        self._writing = False

    async def record(self, ending: Finish) -> None:
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((ending, written))
        if self._writing:
            await written
            return
        self._writing = True  # this caller writes until nothing waits
        try:
            await asyncio.sleep(0)  # posts ending at the same moment join the first write
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    await self._write([e for e, _ in group])
                finally:
                    for _, done in group:
                        done.set_result(None)
        finally:
            self._writing = False
