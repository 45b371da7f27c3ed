"""Issue #18: two processes starting on one fresh SQLite file at the same moment both
come up. bench/bench_paired_starts.py runs the full 100 pairs, one process per start."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.ops.conftest import ROOT

PAIRS = 10
SPACING = 0.6  # seconds between rounds: longer than one migration of a fresh file
# Both processes load the bot once, then migrate file i at start + i * SPACING, so each
# round is two starts within a millisecond or so (separate processes take a second or
# more to load, and rarely collide on their own).
CHILD = """
import asyncio, sys, time
from bot.config import sqlite_url
from bot.store.db import make_engine, upgrade

async def migrate(path):
    engine = make_engine(sqlite_url(path))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()

folder, start, spacing = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
pairs = int(sys.argv[4])
crashed = 0
for n in range(pairs):
    time.sleep(max(0.0, start + n * spacing - time.time()))
    try:
        asyncio.run(migrate(f"{folder}/fresh-{n}.db"))
    except Exception as error:
        crashed += 1
        print(f"{n}: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
print(crashed)
"""


def test_ten_paired_starts_on_fresh_sqlite_files_all_succeed(tmp_path: Path) -> None:
    start = time.time() + 3.0  # both processes loaded by then
    args = [str(tmp_path), str(start), str(SPACING), str(PAIRS)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [out.strip() for out, _ in results] == ["0", "0"], [err for _, err in results]
    assert len(list(tmp_path.glob("fresh-*.db"))) == PAIRS
