"""/metrics for Prometheus. Posts are counted from the claims table and source fetches
from the fetch claims when scraped (every process's, since each one is claimed there), so
the bot's core needs no hooks; the web side counts its own feeds and the commands run
through it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from bot.clock import Clock
from bot.postings import PostingStore
from bot.store.models import ClaimRow
from bot.store.store import Store


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.feeds = Counter(
            "clubbot_feed_requests",
            "Calendar feed requests by outcome (sent, not_modified, unknown token)",
            ["outcome"],
            registry=self.registry,
        )
        self.commands = Histogram(
            "clubbot_command_seconds",
            "Time to answer a command run from the dashboard",
            ["command"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.signins = Counter(
            "clubbot_signins",
            "Dashboard sign-in attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )

    def watch_posts(self, store: Store, clock: Clock) -> None:
        self.registry.register(_Posts(store, clock))
        self.registry.register(_Sources(store, clock))

    async def scrape(self) -> bytes:
        for collector in self._database_collectors():
            await collector.refresh()
        return generate_latest(self.registry)

    def _database_collectors(self) -> list[_Posts | _Sources]:
        collectors = getattr(self.registry, "_collector_to_names", {})
        return [c for c in collectors if isinstance(c, _Posts | _Sources)]


class _Posts:
    """Gauges read from the claims table: posts by kind and outcome, refusals (403) and
    rate limits (429) recorded in their errors, how late the oldest waiting post is."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._by_outcome: list[tuple[str, str, int]] = []
        self._errors: dict[str, int] = {"403": 0, "429": 0}
        self._lag = 0.0
        self._last_post: datetime | None = None

    async def refresh(self) -> None:
        now = self.clock.now()
        async with self.store.sessions() as session:
            counts = await session.execute(
                select(ClaimRow.kind, ClaimRow.status, func.count()).group_by(
                    ClaimRow.kind, ClaimRow.status
                )
            )
            self._by_outcome = [(k, s, int(n)) for k, s, n in counts]
            for code in self._errors:
                found = await session.execute(
                    select(func.count()).where(ClaimRow.error.like(f"%{code}%"))
                )
                self._errors[code] = int(found.scalar_one())
            waiting = await session.execute(
                select(func.min(ClaimRow.due_at)).where(ClaimRow.status.in_(("claimed", "failed")))
            )
            oldest = waiting.scalar_one()
            last = await session.execute(select(func.max(ClaimRow.posted_at)))
            self._last_post = last.scalar_one()
        self._lag = 0.0 if oldest is None else max(0.0, (now - _aware(oldest)).total_seconds())

    def collect(self) -> Iterable[Metric]:
        posts = GaugeMetricFamily(
            "clubbot_posts", "Scheduled posts by kind and outcome", labels=["kind", "outcome"]
        )
        for kind, outcome, count in self._by_outcome:
            posts.add_metric([kind, outcome], count)
        yield posts
        refused = GaugeMetricFamily(
            "clubbot_post_errors", "Posts whose last error was a 403 or a 429", labels=["code"]
        )
        for code, count in self._errors.items():
            refused.add_metric([code], count)
        yield refused
        yield GaugeMetricFamily(
            "clubbot_scheduler_lag_seconds",
            "How long the oldest post still waiting (claimed or failed) is overdue",
            value=self._lag,
        )
        last = 0.0 if self._last_post is None else _aware(self._last_post).timestamp()
        yield GaugeMetricFamily(
            "clubbot_last_post_timestamp_seconds", "When the last post went out", value=last
        )


# The window of the fetch counts: a day holds every source's polls many times over.
FETCH_WINDOW = timedelta(hours=24)


class _Sources:
    """Gauges of the postings sources, read from their fetch claims and last answers:
    fetches in the last day by outcome, whether each source answers now, when it last
    did, and how many entries its last answer held."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._fetches: list[tuple[str, str, int]] = []
        self._health: list[tuple[str, bool, datetime | None, int]] = []

    async def refresh(self) -> None:
        repo = self.store.repo(PostingStore)
        self._fetches = await repo.fetch_counts(since=self.clock.now() - FETCH_WINDOW)
        self._health = [
            (h.name, h.failing_since is None, h.last_ok_at, h.entries) for h in await repo.health()
        ]

    def collect(self) -> Iterable[Metric]:
        fetches = GaugeMetricFamily(
            "clubbot_source_fetches",
            "Fetches of each postings source in the last 24 hours, by outcome "
            "(ok, unchanged = 304, failed, unknown = its process died or it runs now)",
            labels=["source", "outcome"],
        )
        for source, outcome, count in self._fetches:
            fetches.add_metric([source, outcome], count)
        yield fetches
        up = GaugeMetricFamily(
            "clubbot_source_up", "1 if the source's last fetch succeeded", labels=["source"]
        )
        last_ok = GaugeMetricFamily(
            "clubbot_source_last_ok_timestamp_seconds",
            "When the source last answered (0: never)",
            labels=["source"],
        )
        entries = GaugeMetricFamily(
            "clubbot_source_entries", "Entries in the source's last answer", labels=["source"]
        )
        for name, answers, ok_at, count in self._health:
            up.add_metric([name], 1.0 if answers else 0.0)
            last_ok.add_metric([name], 0.0 if ok_at is None else _aware(ok_at).timestamp())
            entries.add_metric([name], count)
        yield from (up, last_ok, entries)


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
