"""Two processes starting on one fresh SQLite file at once, again and again (issue #18).

Each round runs `clubbot db upgrade --db fresh.db` twice at the same moment and counts the
processes that exit non-zero. Before the migration lock, 18 of 60 processes crashed
("table clubs already exists", "database is locked"); with this script's synchronised
starts, 10 of 20 in 10 pairs. With the lock, 2 December 2026 on the 2-core CI machine
(shared, load about 11): 0 of 200 processes in 100 pairs. Prints the figure; --json too.

    .venv/bin/python bench/bench_paired_starts.py            # 100 pairs, about 5 minutes
    .venv/bin/python bench/bench_paired_starts.py --pairs 10
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Each process loads the bot, then waits for the same instant to run `clubbot db upgrade`,
# so the two really start together (imports alone take a second and vary by tens of ms).
CHILD = """
import sys, time
from adapters.cli.main import main
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.exit(main(["db", "upgrade", "--db", sys.argv[2]]))
"""


def paired_start(folder: Path, round_number: int) -> list[str]:
    """Start two migrations of one new file together; the stderr of each that failed."""
    database = folder / f"fresh-{round_number}.db"
    start = str(time.time() + 2.5)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, start, str(database)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    failures = []
    for process in processes:
        _, err = process.communicate(timeout=120)
        if process.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines()
            failures.append(next((x for x in reversed(lines) if not x.startswith("(")), ""))
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clubbot-pairs-") as folder:
        for n in range(args.pairs):
            failures += paired_start(Path(folder), n)
    result = {
        "pairs": args.pairs,
        "processes": 2 * args.pairs,
        "crashed": len(failures),
        "seconds": round(time.perf_counter() - started, 1),
        "errors": sorted(set(failures)),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['crashed']} of {result['processes']} processes crashed "
            f"in {args.pairs} paired starts ({result['seconds']} s)"
        )
        for error in result["errors"]:
            print(f"  {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
