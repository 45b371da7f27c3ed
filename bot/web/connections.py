"""How many connections the web server holds, and for how long.

aiohttp keeps an idle connection 75 s by default and has no cap on open ones: a client
holding a thousand idle sockets exhausts a process run under systemd's 1,024 open files,
and then the event loop logs "socket.accept() out of system resource" for every failed
accept. Here a connection must send its request's head within `head_timeout` of
connecting and is closed `keepalive_timeout` after its last answer; past the cap (kept
under the open-file limit) the connection idle the longest makes room for the new one,
so a new client is answered at once; and the accept failure is logged once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import resource
import socket
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

# Open files kept for what opens after the server starts: database connections, the
# platform's own (a Discord gateway, Slack's Web API), DNS, log files.
RESERVED_FILES = 64
ACCEPT_FAILED = "socket.accept() out of system resource"


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    head_timeout: float = 10.0  # seconds to send a request's head after connecting
    keepalive_timeout: float = 15.0  # an idle connection is closed this long after its answer
    connections: int = 1000  # open at once at most (fewer when the open-file limit is low)
    # Connections the kernel queues until they are accepted: a burst waits there instead
    # of being refused (a refused SYN is retried a second later).
    queue: int = 1024
    batch: int = 128  # connections the event loop accepts at once

    def cap(self) -> int:
        """`connections`, or fewer: what the process's open-file limit leaves for clients
        past the files open now, a burst of accepts (the loop accepts a `batch` at once, and
        a connection closed to make room frees its file a moment later) and
        RESERVED_FILES."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.connections
        room = soft - _open_files() - self.batch - RESERVED_FILES
        return max(16, min(self.connections, room))


def listening_socket(host: str, port: int, limits: Limits) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=limits.queue)


def long_queue(sock: socket.socket, limits: Limits) -> None:
    """The kernel's queue for `sock`: asyncio listens with its accept batch as the queue's
    length, so listen again once it has."""
    sock.listen(limits.queue)


def _open_files() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # no /proc (macOS): count on the reserve alone
        return RESERVED_FILES


@dataclass(slots=True)
class _Connection:
    requests: int = 0
    busy: int = 0  # requests being handled now


@dataclass(slots=True)
class ConnectionGuard:
    """Watches aiohttp's server: it knows each open connection's last activity (`live`,
    the least recently active first), closes the silent ones and makes room past the cap.
    It hooks the server's own connection and request callbacks (aiohttp has no other way
    in), before the server accepts anything."""

    server: web.Server
    cap: int
    head_timeout: float
    live: OrderedDict[web.RequestHandler, _Connection] = field(default_factory=OrderedDict)
    evicted: int = 0

    def __post_init__(self) -> None:
        server = self.server
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler: web.RequestHandler, transport: asyncio.Transport) -> None:
            made(handler, transport)
            self._opened(handler)

        def connection_lost(handler: web.RequestHandler, exc: BaseException | None = None) -> None:
            lost(handler, exc)
            self.live.pop(handler, None)

        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]
        # Each connection's handler takes the server's request handler when it is made.
        server.request_handler = self._watched(server.request_handler)

    def _opened(self, handler: web.RequestHandler) -> None:
        if len(self.live) >= self.cap:
            self._make_room()
        self.live[handler] = _Connection()
        asyncio.get_running_loop().call_later(self.head_timeout, self._head_due, handler)

    def _watched(self, handle: Callable[..., Any]) -> Callable[..., Any]:
        async def watched(request: web.BaseRequest) -> web.StreamResponse:
            handler = request.protocol
            connection = self.live.get(handler)
            if connection is None:  # closed to make room meanwhile: answer all the same
                return await handle(request)  # type: ignore[no-any-return]
            connection.requests += 1
            connection.busy += 1
            try:
                return await handle(request)  # type: ignore[no-any-return]
            finally:
                connection.busy -= 1
                if handler in self.live:
                    self.live.move_to_end(handler)

        return watched

    def _head_due(self, handler: web.RequestHandler) -> None:
        """A connection that sent no complete request head in time is closed (an idle
        socket, or one sending its headers a byte at a time)."""
        connection = self.live.get(handler)
        if connection is not None and connection.requests == 0:
            self._close(handler)

    def _make_room(self) -> None:
        """Close the connection idle the longest (one handling a request is left alone)."""
        for handler, connection in self.live.items():
            if not connection.busy:
                self._close(handler)
                self.evicted += 1
                return

    def _close(self, handler: web.RequestHandler) -> None:
        del self.live[handler]
        handler.force_close()


@dataclass(slots=True)
class AcceptErrors:
    """The event loop's exception handler while the server runs: "out of system
    resource" on accept is logged once a minute with a count, everything else goes
    where it went before."""

    loop: asyncio.AbstractEventLoop
    every: float = 60.0
    previous: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object] | None = None
    last: float = -math.inf
    missed: int = 0

    def install(self) -> AcceptErrors:
        self.previous = self.loop.get_exception_handler()
        self.loop.set_exception_handler(self)
        return self

    def uninstall(self) -> None:
        if self.loop.get_exception_handler() is self:
            self.loop.set_exception_handler(self.previous)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not str(context.get("message", "")).startswith(ACCEPT_FAILED):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        now = loop.time()
        if now - self.last < self.every:
            self.missed += 1
            return
        log.error(
            "web: can't accept connections (%s): out of open files; %d more such failures "
            "since the last report. Raise LimitNOFILE (deploy/clubbot.service) or put a "
            "proxy in front (docs/web.md).",
            context.get("exception"),
            self.missed,
        )
        self.last, self.missed = now, 0
