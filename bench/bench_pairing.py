"""Pairing benchmark: speed, pairs lost and quality against the exact optimum.

    .venv/bin/python bench/bench_pairing.py [--json] [--quick]

Realistic members are random: four tracks, levels 1-5, zones over the US, Europe and
India, two to four evening blocks of availability each. Adversarial instances are the
ones that broke candidate pruning before: identical members, everyone with the same
hours, everyone sharing a single hour, a few interviewers among many interviewees, and
one track of 10,000 members. Every timing is end to end: availability parsed (each
member's text, no cache), scored, matched.

"pairs lost" is the maximum number of pairs on the full graph (every two members of a
track who can meet) minus the pairs the engine made; "% of optimum" compares the total fit
of the engine's pairs (a trio counted by its best pair) with that of rustworkx's exact
matching on that full graph with the engine's own weights (computed up to 1,000 members).
"Repeats" plays ten weekly rounds of clubs whose hours overlap little and compares the
former partners the engine's matchings meet with networkx's exact minimum.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import networkx as nx
import rustworkx as rx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.pairing import matching
from bot.pairing.hours import WEEK_SLOTS, parse_week
from bot.pairing.matching import ROLES, TRACKS, Participant, candidate_edges, pair_fit, pair_round

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


@dataclass(frozen=True)
class Member:
    """A member as the round sees them before parsing: words and a zone."""

    id: str
    track: str
    level: int
    role: str
    availability: str
    zone: str


def realistic(n: int, rng: random.Random, tracks: tuple[str, ...] = TRACKS) -> list[Member]:
    made = []
    for i in range(n):
        blocks = ", ".join(
            f"{rng.choice(DAYS)} {start}-{start + rng.choice((2, 3))}"
            for start in rng.sample(range(17, 21), rng.randint(2, 4))
        )
        made.append(
            Member(
                id=f"m{i:05d}",
                track=rng.choice(tracks),
                level=rng.randint(1, 5),
                role=rng.choice(ROLES),
                availability=blocks,
                zone=rng.choice(ZONES),
            )
        )
    return made


def same_hours(n: int, rng: random.Random, availability: str, **fixed: object) -> list[Member]:
    return [
        Member(
            id=f"m{i:05d}",
            track="coding",
            level=int(fixed.get("level", rng.randint(1, 5))),  # type: ignore[call-overload]
            role=str(fixed.get("role", rng.choice(ROLES))),
            availability=availability,
            zone="America/New_York",
        )
        for i in range(n)
    ]


def interviewers_and_interviewees(rng: random.Random) -> list[Member]:
    people = same_hours(440, rng, "daily 9-22")
    return [
        Member(**{**m.__dict__, "role": "interviewer" if i < 20 else "interviewee"})
        for i, m in enumerate(people)
    ]


INSTANCES: dict[str, Callable[[random.Random], list[Member]]] = {
    "realistic 100": lambda rng: realistic(100, rng),
    "realistic 1,000": lambda rng: realistic(1_000, rng),
    "realistic 10,000": lambda rng: realistic(10_000, rng),
    "401 identical": lambda rng: same_hours(401, rng, "daily 9-22", level=3, role="both"),
    "600 all daily 9-22": lambda rng: same_hours(600, rng, "daily 9-22"),
    "600 one shared hour": lambda rng: same_hours(600, rng, "mon 18-19"),
    "20 interviewers + 420 interviewees": interviewers_and_interviewees,
    "one track of 1,000": lambda rng: realistic(1_000, rng, tracks=("coding",)),
    "one track of 10,000": lambda rng: realistic(10_000, rng, tracks=("coding",)),
}
QUICK = ("realistic 100", "realistic 1,000", "401 identical", "20 interviewers + 420 interviewees")


def parse(members: list[Member]) -> list[Participant]:
    return [
        Participant(
            id=m.id,
            track=m.track,
            level=m.level,
            role=m.role,  # type: ignore[arg-type]
            hours=parse_week(m.availability, m.zone, WEEK),
        )
        for m in members
    ]


def full_graph(people: list[Participant]) -> tuple[int, int]:
    """(pairs, total fit) of the exact matching on every pair that can meet."""
    pairs = total = 0
    for track in TRACKS:
        pool = [p for p in people if p.track == track]
        graph = rx.PyGraph()
        graph.add_nodes_from(range(len(pool)))
        if len(pool) > 1:
            graph.add_edges_from(candidate_edges(pool, {}, neighbours=len(pool)))
        matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
        pairs += len(matched)
        total += sum(pair_fit(pool[i], pool[j]) for i, j in matched)
    return pairs, total


def engine_fit(people: list[Participant], groups: tuple[matching.Group, ...]) -> int:
    """The total fit of the engine's groups, a trio by its best pair."""
    by_id = {p.id: p for p in people}
    return sum(
        max(pair_fit(by_id[a], by_id[b]) for a, b in itertools.combinations(g.members, 2))
        for g in groups
    )


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str) -> dict[str, object]:
    """One instance, in a fresh child process so its memory peak is its own."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_measure, (name,))


def _measure(name: str) -> dict[str, object]:
    members = INSTANCES[name](random.Random(2026))
    before = _peak_mb()
    started = time.perf_counter()
    people = parse(members)
    result = pair_round(people, {}, seed="bench")
    seconds = time.perf_counter() - started
    row: dict[str, object] = {
        "instance": name,
        "members": len(members),
        "seconds": round(seconds, 3),
        "peak_mb": round(_peak_mb() - before, 1),
        "groups": len(result.groups),
        "unpaired": len(result.unpaired),
    }
    if len(members) <= 1_000:
        pairs, best = full_graph(people)
        row["pairs_lost"] = pairs - len(result.groups)
        row["quality_pct"] = (
            round(100 * engine_fit(people, result.groups) / best, 3) if best else None
        )
    return row


def repeat_rate(rng: random.Random, rounds: int = 20, size: int = 60) -> tuple[int, int]:
    people = [
        Participant(
            id=p.id, track="coding", level=p.level, role=p.role, hours=(1 << WEEK_SLOTS) - 1
        )
        for p in parse(realistic(size, rng))
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


def repeats_against_minimum(clubs: int = 20, rounds: int = 10) -> tuple[int, int, int, int]:
    """(engine's repeats, of them last week's, networkx's minimum, its last week's) over
    `rounds` rounds of `clubs` clubs of 12 to 40 members whose hours overlap little."""
    totals = [0, 0, 0, 0]
    for club in range(clubs):
        rng = random.Random(club)
        slots = [1 << rng.randrange(10) for _ in range(8)]
        people = [
            Participant(
                id=f"m{i:02d}",
                track="coding",
                level=rng.randint(1, 5),
                role=rng.choice(ROLES),
                hours=rng.choice(slots) | rng.choice(slots),
            )
            for i in range(rng.randrange(12, 41))
        ]
        history: dict[frozenset[str], int] = {}
        for week in range(rounds):
            made = [
                frozenset((people[i].id, people[j].id))
                for i, j in matching.match(people, history, seed=str(week))
            ]
            for k, pairs in ((0, made), (2, _fewest_repeats(people, history))):
                agos = [history.get(pair) for pair in pairs]
                totals[k] += sum(ago is not None for ago in agos)
                totals[k + 1] += sum(ago == 1 for ago in agos)
            history = {pair: ago + 1 for pair, ago in history.items()} | dict.fromkeys(made, 1)
    return totals[0], totals[1], totals[2], totals[3]


def _fewest_repeats(
    people: list[Participant], history: dict[frozenset[str], int]
) -> list[frozenset[str]]:
    """networkx's exact matching that seats the most, then meets the fewest former
    partners, then the fewest of last week's."""
    graph = nx.Graph()
    for a, b in itertools.combinations(people, 2):
        if pair_fit(a, b):
            ago = history.get(frozenset((a.id, b.id)))
            graph.add_edge(a.id, b.id, weight=10_000 * (ago is None) + 100 * (ago != 1))
    return [frozenset(pair) for pair in nx.max_weight_matching(graph, maxcardinality=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="only the small instances")
    args = parser.parse_args()
    # numpy and rustworkx load on the first round a process matches; time the matching.
    pair_round(parse(realistic(4, random.Random(1))), {}, seed="warm-up")
    names = QUICK if args.quick else tuple(INSTANCES)
    rows = [measure(name) for name in names]
    repeats, meetings = repeat_rate(random.Random(7))
    made, made_last, fewest, fewest_last = repeats_against_minimum()
    report = {
        "rows": rows,
        "repeat": {"club": 60, "rounds": 20, "meetings": meetings, "repeats": repeats},
        "repeats_against_minimum": {
            "clubs": 20,
            "rounds": 10,
            "engine": made,
            "engine_last_week": made_last,
            "minimum": fewest,
            "minimum_last_week": fewest_last,
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    head = f"{'instance':<36} {'members':>8} {'seconds':>8} {'+MB':>8} {'groups':>7}"
    print(f"{head} {'unpaired':>9} {'pairs lost':>11} {'% of optimum':>13}")
    for r in rows:
        lost = str(r.get("pairs_lost", "-"))
        quality = f"{r['quality_pct']:.3f}" if r.get("quality_pct") is not None else "-"
        print(
            f"{r['instance']:<36} {r['members']:>8} {r['seconds']:>8} {r['peak_mb']:>8} "
            f"{r['groups']:>7} {r['unpaired']:>9} {lost:>11} {quality:>13}"
        )
    print(f"repeat partners over 20 weekly rounds of a 60-member club: {repeats} of {meetings}")
    print(
        f"repeats over 10 rounds of 20 clubs with little overlap: {made} ({made_last} of last "
        f"week's partner); networkx's minimum {fewest} ({fewest_last})"
    )


if __name__ == "__main__":
    main()
