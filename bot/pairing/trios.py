"""Which trio a track with a member over makes: the fairest of all that seat the most.

A track whose maximum matching leaves someone over seats one more member in a trio:
three members who share a half hour and among whom someone can ask (not three
interviewees). Seating the trio and a maximum matching of everyone else must seat as
many as the track allows (the trio's pair plus the others' pairs is itself a maximum
matching), and the members who waited should be seated as before (a trio that leaves one
of them out is taken only when no trio keeps them: seating one more comes first). Among
the trios that do, the one whose members have sat in the fewest trios is chosen; then the
one whose members met least recently (so the same three are not the trio week after week
while another fits), then the best fit, then a draw.

A trio can keep the seating only if one of its members is left over by some maximum
matching (the other two are then a pair of it), so only such trios are checked. In a
track of up to `EVERY_TRIO_UP_TO` members those members are found exactly (a member is
one when the track without them still has as many pairs) and every trio is considered,
each checked by matching the rest exactly; in a larger one, the trios of a member the
matching left over with members who have the fewest trios.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.pairing.matching import History, Participant

EVERY_TRIO_UP_TO = 40
# Trios whose rest is re-matched before falling back to the simple join (a match of 40
# members takes about a millisecond).
CHECKS = {True: 40, False: 12}

Pairs = list[tuple[int, int]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Trio:
    members: tuple[int, int, int]  # pool indices, in pool order
    pairs: Pairs  # everyone else's pairs


def best_trio(
    pool: Sequence[Participant],
    pairs: Pairs,
    history: History,
    *,
    seed: str,
    rematch: Callable[[list[int]], Pairs],
    fit: Callable[[int, int], int],
) -> Trio | None:
    """The fairest trio that keeps the track's seating (see the module docstring), with
    the rest re-matched by `rematch` and `fit(a, b)` the fit of pool[a] and pool[b]; None
    when nobody is over or no trio qualifies."""
    seated = {i for pair in pairs for i in pair}
    over = [i for i in range(len(pool)) if i not in seated]
    if not over or len(pool) < 3:
        return None
    waited_needed = _waited(pool, seated) + max(min(pool[i].waited, 3) for i in over)
    small = len(pool) <= EVERY_TRIO_UP_TO
    spare = _spare(pool, pairs, fit) if small else set(over)
    # When even seating everyone who shares a half hour with someone would not seat enough
    # of those who waited, no trio is fair: the first that seats as many is the one.
    fair_possible = _seatable_waited(pool) >= waited_needed
    unfair: Trio | None = None  # seats as many, but leaves out someone who waited
    for trio in _ranked(pool, over, spare, history, seed, fit, CHECKS[small]):
        rest = [i for i in range(len(pool)) if i not in trio]
        others = rematch(rest)
        if len(others) != len(pairs) - 1:
            continue
        now_seated = {i for pair in others for i in pair} | set(trio)
        if _waited(pool, now_seated) >= waited_needed:
            return Trio(members=trio, pairs=others)
        unfair = unfair or Trio(members=trio, pairs=others)
        if not fair_possible:
            return unfair
    # One more member seated comes first: a member who waited and is left out by the only
    # trios there are is first again next round (their wait counts on).
    return unfair


def _spare(pool: Sequence[Participant], pairs: Pairs, fit: Callable[[int, int], int]) -> set[int]:
    """The members some maximum matching leaves over: those the track can do without and
    still make as many pairs.

    Most are found by an alternating path from a member over (the path taken in turn
    frees the member at its end); those it does not reach (past an odd cycle) are each
    checked by matching the track without them."""
    import rustworkx as rx

    n = len(pool)
    edges = [(a, b) for a, b in itertools.combinations(range(n), 2) if fit(a, b)]
    meets: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        meets[a].append(b)
        meets[b].append(a)
    mate = dict(pairs) | {j: i for i, j in pairs}
    spare = {i for i in range(n) if i not in mate}
    # A freed member's path, so a path never runs through itself (it would not be one).
    paths: dict[int, frozenset[int]] = {i: frozenset((i,)) for i in spare}
    queue = list(spare)
    while queue:
        x = queue.pop()
        for y in meets[x]:
            z = mate.get(y)
            if z is not None and z not in paths and y not in paths[x]:
                paths[z] = paths[x] | {y, z}
                queue.append(z)
    spare |= paths.keys()
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data(edges)
    for member in mate.keys() - spare:
        without = graph.copy()
        without.remove_node(member)
        if len(rx.max_weight_matching(without, max_cardinality=True)) == len(pairs):
            spare.add(member)
    return spare


def _waited(pool: Sequence[Participant], seated: set[int]) -> int:
    return sum(min(pool[i].waited, 3) for i in seated)


def _seatable_waited(pool: Sequence[Participant]) -> int:
    """The most waiting any seating can seat: that of the members who share a half hour
    with someone (nobody else is in a pair or a trio)."""
    return sum(
        min(p.waited, 3)
        for i, p in enumerate(pool)
        if p.waited and any(p.hours & q.hours for j, q in enumerate(pool) if j != i)
    )


def _ranked(
    pool: Sequence[Participant],
    over: list[int],
    spare: set[int],
    history: History,
    seed: str,
    fit: Callable[[int, int], int],
    limit: int,
) -> list[tuple[int, int, int]]:
    """The `limit` fairest trios with a spare member that can meet, fairest first."""
    people = _considered(pool, over, seed)
    # A pair's fit and how recently its two met, asked only of the pairs of trios that can
    # meet (a track of 40 has 780 pairs, and most trios share no half hour).
    pairs: dict[tuple[int, int], tuple[int, int]] = {}

    def pair(a: int, b: int) -> tuple[int, int]:
        found = pairs.get((a, b))
        if found is None:
            ago = history.get(frozenset((pool[a].id, pool[b].id)))
            recent = 0 if ago is None else _RECENT - min(ago, _RECENT)
            found = pairs[a, b] = (fit(a, b), recent)
        return found

    def fairness(trio: tuple[int, int, int]) -> tuple[int, int, int]:
        a, b, c = trio
        ab, ac, bc = pair(a, b), pair(a, c), pair(b, c)
        turns = pool[a].trio_count + pool[b].trio_count + pool[c].trio_count
        return turns, ab[1] + ac[1] + bc[1], -(ab[0] + ac[0] + bc[0])

    def draw(trio: tuple[int, int, int]) -> str:
        return _draw(seed, *(pool[i].id for i in trio))

    # Sorted by (fairness, draw), as a whole sort would, but with the draws (a hash each)
    # made only for the ties among the first `limit`.
    scored = sorted((fairness(t), t) for t in _meeting_trios(pool, people, spare))
    ranked: list[tuple[int, int, int]] = []
    start = 0
    while start < len(scored) and len(ranked) < limit:
        end = start + 1
        while end < len(scored) and scored[end][0] == scored[start][0]:
            end += 1
        ranked += sorted((t for _, t in scored[start:end]), key=draw)
        start = end
    return ranked[:limit]


def _meeting_trios(
    pool: Sequence[Participant], people: list[int], spare: set[int]
) -> list[tuple[int, int, int]]:
    """The trios of `people` (ascending) with a spare member that can meet (`_can_meet`),
    each in pool order. A pair that shares no half hour ends the search for its third
    member: in a big track that is most pairs."""
    hours = [pool[i].hours for i in people]
    asks = [pool[i].role != "interviewee" for i in people]
    is_spare = [i in spare for i in people]
    found: list[tuple[int, int, int]] = []
    n = len(people)
    for x in range(n):
        for y in range(x + 1, n):
            shared = hours[x] & hours[y]
            if not shared:
                continue
            spare_xy, asks_xy = is_spare[x] or is_spare[y], asks[x] or asks[y]
            for z in range(y + 1, n):
                if shared & hours[z] and (spare_xy or is_spare[z]) and (asks_xy or asks[z]):
                    found.append((people[x], people[y], people[z]))
    return found


_RECENT = 10  # rounds after which the three having met no longer counts against a trio


def _considered(pool: Sequence[Participant], over: list[int], seed: str) -> list[int]:
    """The members whose trios are looked at: everyone in a small track; else those with
    the fewest trios and the members the matching left over."""
    if len(pool) <= EVERY_TRIO_UP_TO:
        return list(range(len(pool)))
    fewest = sorted(range(len(pool)), key=lambda i: (pool[i].trio_count, _draw(seed, pool[i].id)))
    return sorted({*fewest[:EVERY_TRIO_UP_TO], *over[:10]})


def _can_meet(pool: Sequence[Participant], trio: tuple[int, int, int]) -> bool:
    # Written out rather than with generators: a big track asks it of thousands of trios.
    a, b, c = pool[trio[0]], pool[trio[1]], pool[trio[2]]
    asks = a.role != "interviewee" or b.role != "interviewee" or c.role != "interviewee"
    return asks and bool(a.hours & b.hours & c.hours)


def _draw(seed: str, *ids: str) -> str:
    return hashlib.sha256("|".join((seed, *sorted(ids))).encode()).hexdigest()
