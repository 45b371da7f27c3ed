"""Growth benchmark: a year of claims for 10,000 clubs, with the daily retention sweep and,
for comparison, kept forever without the index `since()` now reads through (as before
issue 27). Prints the table's rows and the median time of `retryable()` and `since()`:
CPU time on SQLite (the query runs on the bot's thread), wall time on PostgreSQL.

    .venv/bin/python bench/bench_growth.py [--clubs 10000] [--days 365] [--before|--only-before]

SQLite in a temporary folder by default; TEST_DATABASE_URL (a scratch PostgreSQL database,
emptied first) to run there. Say the machine's load next to the figures (`uptime`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import sqlite_url
from bot.store.store import Store
from tests.conftest import _fresh_postgres
from tests.core.store.growth import Sample, drop_club_index, simulate


async def _run(args: argparse.Namespace, folder: str, before: bool) -> list[Sample]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        await _fresh_postgres(url)
    else:
        url = sqlite_url(Path(folder) / ("before.db" if before else "after.db"))
    store = await Store.open(url)
    try:
        if before:
            await drop_club_index(store)
        label = "kept forever, no club index" if before else "retention"
        return await simulate(
            store,
            clubs=args.clubs,
            days=args.days,
            retention=not before,
            sample_every=args.every,
            on_sample=lambda s: print(f"  {label}: day {s.day}: {s}", file=sys.stderr),
        )
    finally:
        await store.close()


def _table(runs: dict[str, list[Sample]]) -> str:
    lines = [f"{'':<30}{'day':>5}{'claims':>12}{'retryable() ms':>16}{'since() ms':>12}"]
    for label, samples in runs.items():
        for s in samples:
            lines.append(
                f"{label:<30}{s.day:>5}{s.rows:>12,}{s.retryable_ms:>16.2f}{s.since_ms:>12.2f}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clubs", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--every", type=int, default=30, help="days between samples")
    parser.add_argument("--before", action="store_true", help="also run as before issue 27")
    parser.add_argument("--only-before", action="store_true", help="only run as before")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs: dict[str, list[Sample]] = {}
    with tempfile.TemporaryDirectory() as folder:
        if not args.only_before:
            runs["retention (40 days)"] = asyncio.run(_run(args, folder, before=False))
        if args.before or args.only_before:
            runs["kept, no club index (before)"] = asyncio.run(_run(args, folder, before=True))
    if args.json:
        print(json.dumps({k: [asdict(s) for s in v] for k, v in runs.items()}, indent=2))
    else:
        print(_table(runs))


if __name__ == "__main__":
    main()
