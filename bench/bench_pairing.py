"""Pairing benchmark: speed at 100 / 1,000 / 10,000 members, quality against the exact
optimum, and repeat partners over 20 weekly rounds of a 60-member club.

    .venv/bin/python bench/bench_pairing.py [--json]

Members are random but realistic: four tracks, levels 1-5, zones spread over the US,
Europe and India, and two to four evening blocks of availability each. Speed is
end to end (scoring included). Quality compares the engine's total score (which
keeps each member's best candidates when a track is large) with rustworkx's exact
maximum-weight matching on the full candidate graph of the same instance.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

import rustworkx as rx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.pairing.hours import parse_week
from bot.pairing.matching import ROLES, TRACKS, Participant, candidate_edges, pair_round

WEEK = date(2026, 11, 16)
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon-fri", "weekends"]


def members(n: int, rng: random.Random) -> list[Participant]:
    hours_cache: dict[tuple[str, str], int] = {}
    made = []
    for i in range(n):
        zone = rng.choice(ZONES)
        blocks = ", ".join(
            f"{rng.choice(DAYS)} {start}-{start + rng.choice((2, 3))}"
            for start in rng.sample(range(17, 21), rng.randint(2, 4))
        )
        key = (blocks, zone)
        if key not in hours_cache:
            hours_cache[key] = parse_week(blocks, zone, WEEK)
        made.append(
            Participant(
                id=f"m{i:05d}",
                track=rng.choice(TRACKS),
                level=rng.randint(1, 5),
                role=rng.choice(ROLES),
                hours=hours_cache[key],
            )
        )
    return made


def optimum(people: list[Participant]) -> int:
    """Exact maximum-cardinality maximum-weight matching on the full candidate graph."""
    total = 0
    for track in TRACKS:
        pool = [p for p in people if p.track == track]
        graph = rx.PyGraph()
        graph.add_nodes_from(range(len(pool)))
        graph.add_edges_from(candidate_edges(pool, {}, neighbours=len(pool)))
        matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
        weights = {(i, j): w for i, j, w in graph.weighted_edge_list()}
        total += sum(weights.get((i, j), weights.get((j, i), 0)) for i, j in matched)
    return total


def repeat_rate(rng: random.Random, rounds: int = 20, size: int = 60) -> tuple[int, int]:
    people = members(size, rng)
    people = [
        Participant(id=p.id, track="coding", level=p.level, role=p.role, hours=(1 << 168) - 1)
        for p in people
    ]
    history: dict[frozenset[str], int] = {}
    repeats = meetings = 0
    for week in range(rounds):
        result = pair_round(people, history, seed=f"week-{week}")
        history = {pair: ago + 1 for pair, ago in history.items()}
        for group in result.groups:
            for a in group.members:
                for b in group.members:
                    if a < b:
                        pair = frozenset((a, b))
                        meetings += 1
                        repeats += pair in history
                        history[pair] = 1
    return repeats, meetings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    rng = random.Random(2026)
    # numpy and rustworkx load on the first round a process matches; time the matching.
    pair_round(members(4, random.Random(1)), {}, seed="warm-up")
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        people = members(n, rng)
        started = time.perf_counter()
        result = pair_round(people, {}, seed="bench")
        seconds = time.perf_counter() - started
        row = {
            "members": n,
            "seconds": round(seconds, 3),
            "groups": len(result.groups),
            "unpaired": len(result.unpaired),
        }
        if n <= 1000:
            best = optimum(people)
            row["quality_pct"] = round(100 * result.total_score / best, 2) if best else None
        rows.append(row)
    repeats, meetings = repeat_rate(random.Random(7))
    report = {
        "rows": rows,
        "repeat": {"club": 60, "rounds": 20, "meetings": meetings, "repeats": repeats},
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'members':>8} {'seconds':>9} {'groups':>7} {'unpaired':>9} {'% of optimum':>13}")
    for r in rows:
        quality = f"{r['quality_pct']:.2f}" if r.get("quality_pct") is not None else "-"
        print(
            f"{r['members']:>8} {r['seconds']:>9} {r['groups']:>7} {r['unpaired']:>9} {quality:>13}"
        )
    print(f"repeat partners over 20 weekly rounds of a 60-member club: {repeats} of {meetings}")


if __name__ == "__main__":
    main()
