"""Crash trials at full size: three bot processes share one daily fan-out on PostgreSQL,
one is SIGKILLed at a random moment of it, a fourth starts after its lease; what the
platform made is counted: clubs that got nothing (lost), messages made twice (doubled).

    TEST_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python bench/bench_crash.py
    ... bench/bench_crash.py --trials 2 --clubs 300      # a quick run
    ... bench/bench_crash.py --json

Posts go through the real Discord and Slack adapters to the mocks of
tests/adapters/idempotent_mocks.py (Discord's nonce, Slack's message metadata, as
documented), and to a file for a platform with neither. The database named by
TEST_DATABASE_URL (or DATABASE_URL) is emptied before every trial: use a scratch one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.adapters.crash.trials import PLATFORMS, Trial, run_trial  # noqa: E402
from tests.conftest import _fresh_postgres  # noqa: E402


async def _run(args: argparse.Namespace, url: str) -> list[Trial]:
    rng = random.Random(args.seed)
    trials = []
    with tempfile.TemporaryDirectory(prefix="clubbot-crash-") as folder:
        for platform in PLATFORMS:
            for latency in (0.0, 0.05):
                for _ in range(args.trials):
                    trial = await run_trial(
                        url,
                        platform,
                        clubs=args.clubs,
                        latency=latency,
                        rng=rng,
                        workdir=Path(folder),
                        fresh=_fresh_postgres,
                    )
                    trials.append(trial)
                    print(trial, file=sys.stderr, flush=True)
    return trials


def _table(trials: list[Trial]) -> str:
    lines = [f"{'platform':<10}{'post':>8}{'trials':>8}{'lost':>8}{'doubled (max)':>16}"]
    for platform in PLATFORMS:
        for latency in (0.0, 0.05):
            runs = [t for t in trials if t.platform == platform and t.latency == latency]
            if runs:
                lines.append(
                    f"{platform:<10}{f'{latency * 1000:.0f} ms':>8}{len(runs):>8}"
                    f"{sum(t.lost for t in runs):>8}"
                    f"{sum(t.doubled for t in runs):>10} ({max(t.doubled for t in runs)})"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10, help="per platform and post speed")
    parser.add_argument("--clubs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("bench_crash.py needs a scratch PostgreSQL database in TEST_DATABASE_URL")
    trials = asyncio.run(_run(args, url))
    result: Any = [asdict(t) for t in trials]
    print(json.dumps(result, indent=2) if args.json else _table(trials))


if __name__ == "__main__":
    main()
