"""The claims this process holds while it builds and posts them, and how each ended.

A held claim's lease is renewed in the background ten times per lease, so a batch that
posts slower than its lease (timeouts of 30 s, a long 429 being waited out) is never taken
over by another process while it still posts. A post goes out only on a lease renewed
within the last half lease: after a spell without the database, the lease is renewed first,
and a claim another process took over meanwhile is not posted again here.

How each run ended is written even when the database is away for a while: kept in memory
and written as soon as it answers, the claim held and renewed meanwhile, so a post that
went out is never taken over and posted a second time. The caller keeps the post's place
(see `Deliverer._post_all`) until its ending is written, so no more posts are in doubt than
are in flight.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, SQLAlchemyError

from bot.clock import Clock
from bot.store.claims import ClaimKey, Claims, Finish

log = logging.getLogger(__name__)

RENEWALS_PER_LEASE = 10
# Between tries of a write or renewal while the database is away: doubling up to the last.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.05, 2.0


def passing(error: BaseException) -> bool:
    """A database error that goes away by itself (a dropped connection, a restart, a full
    disk freed), as opposed to a statement that would fail the same way again."""
    if isinstance(error, DataError | IntegrityError | ProgrammingError):
        return False
    return isinstance(error, SQLAlchemyError | OSError)


class HeldClaims:
    def __init__(self, claims: Claims, *, owner: str, clock: Clock) -> None:
        self._claims, self._owner, self._clock = claims, owner, clock
        # Each held claim and the monotonic time its lease last (re)started.
        self._held: dict[ClaimKey, float] = {}
        # Held claims a renewal found taken over by another process: not to be posted.
        self._lost: set[ClaimKey] = set()
        self._renewing = asyncio.Lock()
        self._beat: asyncio.Task[None] | None = None

    def holds(self, key: ClaimKey) -> bool:
        return key in self._held

    def hold(self, keys: Iterable[ClaimKey], *, since: float) -> None:
        """Claims just won, whose leases started no earlier than `since` (time.monotonic(),
        read before the claim was sent)."""
        for key in keys:
            self._held[key] = since
            self._lost.discard(key)
        if self._held and (self._beat is None or self._beat.done()):
            self._beat = asyncio.get_running_loop().create_task(self._renew_while_held())

    def release(self, keys: Iterable[ClaimKey]) -> None:
        for key in keys:
            self._held.pop(key, None)
            self._lost.discard(key)

    async def may_post(self, key: ClaimKey) -> bool:
        """Whether this process still holds `key` on a fresh lease: renewed now if it is not
        fresh, after the database answers again if it is away. False once another process
        has taken it over."""
        pause = _FIRST_PAUSE
        while key in self._held and key not in self._lost:
            if time.monotonic() - self._held[key] < self._fresh_for:
                return True
            if not await self.renew():
                await asyncio.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
        return False

    async def renew(self) -> bool:
        """Renew every held lease not renewed lately, in one statement per 500; False if the
        database is away. Callers arriving during a renewal share it."""
        async with self._renewing:
            now = time.monotonic()
            keys = [
                k
                for k, since in self._held.items()
                if k not in self._lost and now - since >= self._renew_every
            ]
            if not keys:
                return True
            try:
                renewed = await self._claims.renew(keys, owner=self._owner, now=self._clock.now())
            except (SQLAlchemyError, OSError) as error:
                log.warning("could not renew %d claims' leases: %s", len(keys), error)
                return False
            for key in keys:
                if key not in self._held:
                    continue  # ended meanwhile
                if key in renewed:
                    self._held[key] = now
                else:
                    self._lost.add(key)
            return True

    async def record(self, finished: Sequence[Finish]) -> None:
        """Write how these runs ended. While the database is away, keep them and try again
        until it answers; the claims stay held (and renewed) until then. Only a statement
        that would fail the same way forever (a bug) gives up, leaving the claims to be
        taken over in doubt after their lease."""
        pause, tries = _FIRST_PAUSE, 0
        try:
            while True:
                try:
                    await self._claims.finish_many(
                        finished, now=self._clock.now(), owner=self._owner
                    )
                    break
                except (SQLAlchemyError, OSError) as error:
                    tries += 1
                    if not passing(error):
                        log.error(
                            "could not record %d finished runs", len(finished), exc_info=error
                        )
                        return
                    if tries == 1:
                        log.warning(
                            "could not record %d finished runs (%s); kept, trying again",
                            len(finished),
                            error,
                        )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _LONGEST_PAUSE)
            if tries:
                log.warning("recorded %d finished runs after %d tries", len(finished), tries + 1)
        finally:
            self.release(f.key for f in finished)

    def stop(self) -> None:
        if self._beat is not None:
            self._beat.cancel()

    @property
    def _renew_every(self) -> float:
        return self._claims.lease.total_seconds() / RENEWALS_PER_LEASE

    @property
    def _fresh_for(self) -> float:
        return self._claims.lease.total_seconds() / 2

    async def _renew_while_held(self) -> None:
        while self._held:
            await asyncio.sleep(self._renew_every)
            if self._held:
                await self.renew()
