"""Logging set-up: plain lines for a terminal, one JSON object a line for a log collector
(LOG_FORMAT=json), and the one line every scheduled run leaves behind.

Extra fields go in the standard library's way, `log.info(..., extra={"club": 7})`; the
JSON formatter writes them as keys of their own, so a collector can filter on them.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, Protocol, TypeVar

# Where the outcome of each scheduled run is logged (club, kind, occurrence, outcome, duration).
RUNS = "bot.runs"
_runs = logging.getLogger(RUNS)
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Libraries whose bookkeeping is noise at INFO; LOG_LEVEL=DEBUG still shows it.
_CHATTY = ("alembic", "apscheduler")
_OWN = ("bot", "adapters", "__main__")


def configure(level: str = "INFO", format: str = "text") -> None:
    """Send every log record to stderr as text or JSON, replacing earlier set-up."""
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if format == "json" else logging.Formatter(_TEXT))
    if level != "DEBUG":
        handler.addFilter(_expected_failures_briefly)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))


@contextmanager
def configured(level: str = "INFO", format: str = "text") -> Iterator[None]:
    """`configure` for the length of a command, then the set-up from before, levels too:
    `clubbot` called in-process (the tests) leaves no trace on the caller's logging."""
    root, loggers = logging.getLogger(), logging.Logger.manager.loggerDict
    handlers, root_level = root.handlers[:], root.level
    levels = {n: lg.level for n, lg in loggers.items() if isinstance(lg, logging.Logger)}
    configure(level, format)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(root_level)
        for name, logger in list(loggers.items()):
            if isinstance(logger, logging.Logger):
                logger.setLevel(levels.get(name, logging.NOTSET))


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (as logging's last resort does)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the extras, the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _expected_failures_briefly(record: logging.LogRecord) -> bool:
    """Below DEBUG, a library's traceback (a reconnect after a network error, say) becomes
    one line: what failed is all an operator can act on. Our own code keeps its
    tracebacks: those are bugs. discord.py's note that voice is unsupported is dropped."""
    if record.getMessage().endswith("voice will NOT be supported"):
        return False
    if record.exc_info and not record.name.startswith(_OWN):
        error = record.exc_info[1]
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
        record.args, record.exc_info, record.exc_text = None, None, None
    return True


class _Key(Protocol):
    @property
    def club_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def occurrence(self) -> str: ...


class _Ending(Protocol):
    """How a scheduled run ended (bot.store.claims.Finish)."""

    @property
    def key(self) -> _Key: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...


E = TypeVar("E", bound=_Ending)


async def log_run(delivery: Awaitable[E]) -> E:
    """Await one run's delivery and log how it ended and how long it took:
    `await log_run(self._deliver(run, built))`."""
    started = time.perf_counter()
    ending = await delivery
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    key = ending.key
    fields = {
        "club": key.club_id,
        "kind": key.kind,
        "occurrence": key.occurrence,
        "outcome": ending.status,
        "duration_ms": duration_ms,
    }
    if ending.error:
        fields["reason"] = ending.error
    level = logging.WARNING if ending.status == "failed" else logging.INFO
    _runs.log(
        level,
        "club %s %s %s: %s in %.0f ms%s",
        key.club_id,
        key.kind,
        key.occurrence,
        ending.status,
        duration_ms,
        f" ({ending.error})" if ending.error else "",
        extra=fields,
    )
    return ending
