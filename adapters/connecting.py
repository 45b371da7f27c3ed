"""Reaching the platform at start: say what failed, try again with backoff for a bounded
time, then give up with an error, so the process exits non-zero and systemd starts it
again (deploy/clubbot.service). Retrying forever would hide the outage from systemd and
the operator; exiting at the first failure would turn a network blip into a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0


class GaveUp(Exception):
    """Connecting failed for the whole time allowed; the last failure is its cause."""

    def __init__(self, what: str, tries: int, seconds: float) -> None:
        super().__init__(f"{what}: gave up after {tries} tries in {seconds:.0f} s")
        self.what, self.tries, self.seconds = what, tries, seconds


async def with_retries(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    passing: Callable[[Exception], bool],
    within: timedelta,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`await attempt()` until it succeeds; a failure `passing` says will pass (no
    network, a 5xx) is logged and tried again after 1, 2, 4… up to 30 seconds, for at most
    `within`; then GaveUp (from the last failure). Any other failure is raised at once."""
    started, wait, tries = clock(), FIRST_WAIT, 0
    while True:
        tries += 1
        try:
            return await attempt()
        except Exception as error:
            if not passing(error):
                raise
            spent = clock() - started
            left = within.total_seconds() - spent
            if left <= 0:
                log.error("%s failed %d times in %.0f s; giving up: %s", what, tries, spent, error)
                raise GaveUp(what, tries, spent) from error
            pause = min(wait, LONGEST_WAIT, left)
            log.warning("%s failed (%s); trying again in %.0f s", what, _said(error), pause)
            await sleep(pause)
            wait *= 2


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
