"""Live postings benchmark: diffing a 10,000-entry list against what is known, 1,000
clubs' filters over one poll's new postings, and a 15,000-entry list polled end to end.

    .venv/bin/python bench/bench_postings.py [--json]

The list is the real 451-entry sample grown to 10,000 entries (ids, urls and titles made
unique per copy); what is known is the same list before an update of 50 new, 200 changed
and 30 removed entries, read back from a SQLite store. Memory is tracemalloc's peak while
diffing (the index of what is known, and the changes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web

from bot.config import sqlite_url
from bot.postings.diff import diff
from bot.postings.filters import CATEGORIES, SPONSORSHIP, Filter
from bot.postings.listing import read_community_list
from bot.postings.news import Candidates, news_for
from bot.postings.places import country, place_words
from bot.postings.poll import refresh
from bot.postings.sources import Source
from bot.postings.store import PostingStore, StoredPosting
from bot.postings.urls import job_ref, url_key
from bot.store.store import Store

SAMPLE = (
    Path(__file__).resolve().parents[1] / "tests/postings/fixtures/listings-summer2025-sample.json"
)
SOURCE = "SimplifyJobs/Summer2027-Internships"
NOW = datetime(2026, 11, 16, 15, tzinfo=UTC)


def grown(n: int) -> list[dict[str, Any]]:
    base = json.loads(SAMPLE.read_text())
    entries = []
    for i in range(n):
        entry = dict(base[i % len(base)])
        copy = i // len(base)
        entry["id"] = f"{entry['id']}-{copy}"
        entry["url"] = _copied(entry["url"], copy)
        entry["title"] = f"{entry['title']} {copy}"
        entries.append(entry)
    return entries


def _copied(url: str, copy: int) -> str:
    """Another job at a board of the same kind: the job id the address carries made unique
    (a `?copy=` alone would be one job at two addresses, which the diff reads as one)."""
    ref = job_ref(url) if url and copy else None
    if ref is None:
        return f"{url}?copy={copy}" if url and copy else url
    old = ref[1]
    at = url.lower().rfind(old.lower())
    if at < 0:
        return f"{url}?copy={copy}"
    new = f"{old[:-3]}{copy:03d}" if len(old) == 36 else f"{old}{copy:03d}"  # a UUID stays one
    return f"{url[:at]}{new}{url[at + len(old) :]}"


def updated(entries: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    after = [dict(e) for e in entries[30:]]  # 30 removed
    for entry in rng.sample(after, 200):
        entry["locations"] = ["Remote in USA"]
    for i in range(50):
        after.append(
            {**entries[i], "id": f"new-{i}", "url": f"https://x.org/{i}", "title": f"New {i}"}
        )
    return after


def timed(fn: Callable[[], Any], repeat: int = 7) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def known_from_store(postings: list[Any]) -> tuple[float, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(sqlite_url(Path(folder) / "bench.db"))
        repo = store.repo(PostingStore)
        await repo.apply(diff(SOURCE, postings, await repo.known()), now=NOW)
        start = time.perf_counter()
        known = await repo.known()
        elapsed = time.perf_counter() - start
        await store.close()
    return elapsed, known


def random_filter(rng: random.Random) -> Filter:
    def pick(xs: list[str], k: int) -> tuple[str, ...]:
        return tuple(rng.sample(xs, k))

    return Filter(
        enabled=True,
        categories=pick(list(CATEGORIES), rng.randint(0, 3)),
        terms=pick(["summer", "summer 2025", "fall", "winter"], rng.randint(0, 1)),
        sponsorship=rng.choice(SPONSORSHIP),
        locations=pick(["new york", "remote", "ca", "seattle", "tx", "toronto"], rng.randint(0, 3)),
        exclude=pick(["amazon", "meta", "google"], rng.randint(0, 2)),
        keywords=pick(["software", "data", "machine learning", "quant"], rng.randint(0, 2)),
    )


def clubs_news(new: list[StoredPosting], filters: list[Filter]) -> int:
    candidates = Candidates.of(new, NOW)
    follows = {"stripe": ["U1"]}
    return sum(
        bool(news_for(candidates, club_filter=f, follows=follows, told={}, occurrence=None))
        for f in filters
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    before_entries = grown(10_000)
    after_entries = updated(before_entries, rng)
    read_s, after = timed(lambda: read_community_list(SOURCE, after_entries))
    before = read_community_list(SOURCE, before_entries)
    load_s, known = asyncio.run(known_from_store(before))
    cold_s, _ = timed(lambda: _cold(lambda: diff(SOURCE, after, known)), repeat=3)
    diff_s, changes = timed(lambda: diff(SOURCE, after, known))
    tracemalloc.start()
    diff(SOURCE, after, known)
    _, diff_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    new = [
        StoredPosting(
            id=i,
            posting=p,
            first_seen_at=NOW,
            closed_at=None,
        )
        for i, p in enumerate(read_community_list(SOURCE, grown(200)))
    ]
    new = [
        StoredPosting(
            id=s.id,
            posting=type(s.posting)(
                **{**_fields(s.posting), "posted_at": NOW - timedelta(hours=2)}
            ),
            first_seen_at=NOW,
            closed_at=None,
        )
        for s in new
    ]
    filters = [random_filter(rng) for _ in range(1000)]
    clubs_s, clubs_told = timed(lambda: clubs_news(new, filters), repeat=3)
    first_poll_s, second_poll_s, polled = asyncio.run(full_polls(15_000, rng))
    calibration_s, _ = timed(lambda: sum(1 for _ in range(1_000_000)), repeat=3)
    rows = {
        "machine speed: a 1,000,000-step Python loop": f"{calibration_s * 1000:.0f} ms",
        "diff 10,000 entries (goal < 100 ms)": f"{diff_s * 1000:.1f} ms",
        "  changes found": f"{len(changes.new)} new, {len(changes.changed)} changed, "
        f"{len(changes.gone)} gone, {changes.duplicates} duplicates",
        "  peak memory while diffing": f"{diff_peak / 2**20:.1f} MiB",
        "  the same, addresses and places not read before (a process's first poll)": (
            f"{cold_s * 1000:.1f} ms"
        ),
        "read 10,000 entries from JSON values": f"{read_s * 1000:.1f} ms",
        "load what is known from SQLite (10,000 rows)": f"{load_s * 1000:.1f} ms",
        "1,000 clubs' filters over 200 new postings (goal < 1 s)": f"{clubs_s * 1000:.0f} ms",
        "  clubs with news": str(clubs_told),
        "a 15,000-entry list polled over HTTP into SQLite, first time": f"{first_poll_s:.1f} s",
        "  the next poll (50 new, 200 changed, 30 gone)": f"{second_poll_s:.1f} s",
        "  outcomes": polled,
    }
    if args.json:
        print(json.dumps(rows))
        return
    width = max(map(len, rows))
    for name, value in rows.items():
        print(f"{name:<{width}}  {value}")


def _cold(run: Callable[[], Any]) -> Any:
    """`run` with the caches of addresses and places emptied first."""
    for cached in (url_key, job_ref, place_words, country):
        cached.cache_clear()
    return run()


async def full_polls(n: int, rng: random.Random) -> tuple[float, float, str]:
    """A list of `n` entries served on 127.0.0.1 and polled twice end to end (fetch, parse,
    diff, store), the second time after an update: what one hourly poll costs."""
    entries = grown(n)
    bodies = [json.dumps(entries).encode(), json.dumps(updated(entries, rng)).encode()]
    app = web.Application()
    app.router.add_get("/listings.json", lambda request: web.Response(body=bodies[0]))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/listings.json"
    source = Source(kind="list", name=SOURCE, url=url)
    times, outcomes = [], []
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(sqlite_url(Path(folder) / "poll.db"))
        repo = store.repo(PostingStore)
        async with aiohttp.ClientSession() as http:
            for round_ in range(2):
                start = time.perf_counter()
                polled = await refresh(repo, http, source, NOW, timedelta(seconds=60))
                times.append(time.perf_counter() - start)
                outcomes.append(polled.outcome)
                bodies.pop(0) if round_ == 0 else None
        await store.close()
    await runner.cleanup()
    return times[0], times[1], " / ".join(outcomes)


def _fields(posting: Any) -> dict[str, Any]:
    return {name: getattr(posting, name) for name in posting.__dataclass_fields__}


if __name__ == "__main__":
    main()
