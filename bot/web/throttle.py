"""Failed sign-ins counted per client address: past a few, the address waits (429 with
Retry-After) before the database is asked again. In memory, per process: it slows a
guesser down (a link is 128 random bits and HMAC-signed: guessing is hopeless anyway) and
keeps a flood of bad links from costing a query each."""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict, deque
from datetime import datetime, timedelta

from aiohttp import web

FAILURES = 10  # allowed per address within WITHIN
WITHIN = timedelta(minutes=10)
# Addresses remembered at most: a flood from many addresses can't grow the process.
ADDRESSES = 10_000


class Throttle:
    def __init__(self, *, failures: int = FAILURES, within: timedelta = WITHIN) -> None:
        self.failures, self.within = failures, within
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def wait(self, address: str, now: datetime) -> int:
        """Seconds `address` must wait before trying again; 0 when it may try now."""
        recent = self._seen.get(address)
        if recent is None:
            return 0
        self._expire(recent, now)
        if len(recent) < self.failures:
            return 0
        return max(1, math.ceil((recent[0] + self.within - now).total_seconds()))

    def failed(self, address: str, now: datetime) -> None:
        recent = self._seen.setdefault(address, deque(maxlen=self.failures))
        self._expire(recent, now)
        recent.append(now)
        self._seen.move_to_end(address)
        while len(self._seen) > ADDRESSES:
            self._seen.popitem(last=False)

    def _expire(self, recent: deque[datetime], now: datetime) -> None:
        while recent and recent[0] <= now - self.within:
            recent.popleft()


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or, when the peer is a proxy on this host (Caddy
    or nginx on loopback), the last address it added to X-Forwarded-For."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _loopback(peer):
        return forwarded.rsplit(",", 1)[-1].strip() or peer
    return peer


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
