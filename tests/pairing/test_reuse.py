"""The engine's work done once per track, against the computation it replaces.

A track's fits and history are worked out once and read by its matching and by each
candidate trio's rest (`_TrackScores`); the trios are found without trying the ones that
share no half hour, and only the fairest few are ranked to the end (`_ranked`). Each must
give exactly what the per-matching computation gave: the same edges in the same order
(so rustworkx finds the same matching), the same trios in the same order.
"""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.pairing import matching, trios
from bot.pairing.matching import ROLES, Participant, candidate_edges, pair_fit
from tests.pairing.test_engine import person

# Few slots, so that many pairs and trios share none and many share some.
HOURS = st.integers(0, (1 << 5) - 1).map(lambda bits: bits << 60)
MEMBER = st.tuples(
    HOURS,
    st.integers(1, 5),
    st.sampled_from(ROLES),
    st.integers(0, 4),  # waited
    st.integers(0, 4),  # trio_count
    st.sampled_from(["coding", "coding", "coding", "behavioral"]),  # some cannot meet
)


def _pool(rows) -> list[Participant]:
    return [
        person(f"p{i}", hours, level=level, role=role, waited=waited, trio_count=turns, track=track)
        for i, (hours, level, role, waited, turns, track) in enumerate(rows)
    ]


@st.composite
def histories(draw, pool):
    """Past pairs of the pool, some with members who left it and a few odd keys, each
    some rounds ago; sometimes more pairs than the pool has (looked up pair by pair),
    sometimes fewer (the history gone through)."""
    ids = [p.id for p in pool] + ["gone", "left"]
    keys = draw(st.lists(st.sets(st.sampled_from(ids), min_size=1, max_size=2), max_size=60))
    return {frozenset(key): draw(st.integers(1, 12)) for key in keys}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(MEMBER, min_size=2, max_size=16), data=st.data())
def test_a_tracks_scores_give_each_rest_the_edges_it_would_get_alone(rows, data):
    pool = _pool(rows)
    history = data.draw(histories(pool))
    scores = matching._TrackScores(pool, history)
    whole = list(range(len(pool)))
    rests = [whole, *data.draw(st.lists(st.sets(st.sampled_from(whole)), max_size=4))]
    for rest in map(sorted, rests):
        sub = [pool[i] for i in rest]
        if len(sub) >= 2:  # match asks for the edges of two or more
            assert scores.edges(rest) == candidate_edges(sub, history, neighbours=len(sub))
        assert scores.match(rest) == matching.match(sub, history)
    for a, b in itertools.combinations(whole, 2):
        assert scores.pair_fit(a, b) == pair_fit(pool[a], pool[b])


def _ranked_as_before(pool, over, spare, history, seed):
    """`_ranked` as it was first written: every trio of a spare member, all ranked."""
    people = trios._considered(pool, over, seed)
    fits = {(a, b): pair_fit(pool[a], pool[b]) for a, b in itertools.combinations(people, 2)}

    def key(trio):
        members = [pool[i] for i in trio]
        turns = sum(p.trio_count for p in members)
        met = [history.get(frozenset((a.id, b.id))) for a, b in itertools.combinations(members, 2)]
        recent = sum(10 - min(ago, 10) for ago in met if ago is not None)
        fit_sum = sum(fits[pair] for pair in itertools.combinations(trio, 2))
        ids = sorted(p.id for p in members)
        draw = hashlib.sha256("|".join((seed, *ids)).encode()).hexdigest()
        return turns, recent, -fit_sum, draw

    def can_meet(trio):
        a, b, c = (pool[i] for i in trio)
        asks = any(p.role != "interviewee" for p in (a, b, c))
        return asks and bool(a.hours & b.hours & c.hours)

    found = set()
    for k in spare.intersection(people):
        for i, j in itertools.combinations([p for p in people if p != k], 2):
            found.add(tuple(sorted((k, i, j))))
    return sorted((t for t in found if can_meet(t)), key=key)


# Tracks up to EVERY_TRIO_UP_TO consider everyone; larger ones the fewest trios and the over.
BIG = st.lists(MEMBER, min_size=41, max_size=48)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.one_of(st.lists(MEMBER, min_size=3, max_size=14), BIG),
    limit=st.sampled_from([1, 3, 12, 40, 10_000]),
    data=st.data(),
)
@example(  # ties in every fairness: the draw decides, across the limit
    rows=[((1 << 60), 3, "both", 0, 0, "coding")] * 7, limit=3, data=None
).via("the draw orders ties")
def test_the_ranked_trios_are_the_first_of_all_trios_ranked(rows, limit, data):
    pool = _pool(rows)
    if data is None:
        over, spare, history, seed = [6], {0, 6}, {}, "s"
    else:
        everyone = list(range(len(pool)))
        over = sorted(data.draw(st.sets(st.sampled_from(everyone), min_size=1, max_size=12)))
        spare = set(over) | data.draw(st.sets(st.sampled_from(everyone)))
        history = data.draw(histories(pool))
        seed = data.draw(st.sampled_from(["2026-11-16", "7:2026-11-23"]))
    expected = _ranked_as_before(pool, over, spare, history, seed)

    def fit(a: int, b: int) -> int:
        return pair_fit(pool[a], pool[b])

    assert trios._ranked(pool, over, spare, history, seed, fit, limit) == expected[:limit]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=3).map(tuple)))
def test_stats_count_seats_and_repeats_as_every_pair_listed(groups):
    from bot.pairing.commands import seats_and_repeats

    pairs = [frozenset((a, b)) for group in groups for a in group for b in group if a < b]
    expected = (sum(len(g) for g in groups), len(pairs), len(pairs) - len(set(pairs)))
    assert seats_and_repeats(groups) == expected


def _spare_by_matching(pool, pairs):
    """`_spare` as it was first written: each seated member checked by matching the track
    without them."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(pool)))
    graph.add_edges_from(
        (a, b) for a, b in itertools.combinations(range(len(pool)), 2) if pair_fit(pool[a], pool[b])
    )
    seated = {i for pair in pairs for i in pair}
    spare = set(range(len(pool))) - seated
    for member in seated:
        without = graph.copy()
        without.remove_node(member)
        if len(nx.max_weight_matching(without, maxcardinality=True)) == len(pairs):
            spare.add(member)
    return spare


@st.composite
def sparse_tracks(draw):
    """A track whose members meet as any graph drawn: each pair that meets shares a half
    hour of its own. Sparse graphs have the odd cycles (a trio that met, a member hanging
    off it) that an alternating path alone would get wrong."""
    n = draw(st.integers(1, 12))
    pairs = list(itertools.combinations(range(n), 2))
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2 * n)) if pairs else []
    hours = [0] * n
    for slot, (a, b) in enumerate(edges):
        hours[a] |= 1 << slot
        hours[b] |= 1 << slot
    return [person(f"p{i:02d}", hours[i]) for i in range(n)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=st.one_of(st.lists(MEMBER, min_size=1, max_size=14).map(_pool), sparse_tracks()),
    data=st.data(),
)
def test_the_spare_members_are_those_a_maximum_matching_can_leave_over(pool, data):
    # A history the matching avoids, so that it is any of the track's maximum matchings.
    history = data.draw(histories(pool))
    pairs = matching.match(pool, history)

    def fit(a: int, b: int) -> int:
        return pair_fit(pool[a], pool[b])

    assert trios._spare(pool, pairs, fit) == _spare_by_matching(pool, pairs)


def test_a_path_around_an_odd_cycle_frees_nobody():
    """p0 is over; p1-p2 and p3-p4 are pairs, p2, p3 and p4 a triangle. Walking from p0
    to p2's pair frees p2, then p3 or p4; walking on from p4 back to p2 would claim p1 is
    spare, but p1 is p0's only partner: no maximum matching leaves p1 over."""
    edges = [(0, 1), (1, 2), (2, 3), (2, 4), (3, 4)]
    pool = [
        person(f"p{i}", sum(1 << k for k, edge in enumerate(edges) if i in edge)) for i in range(5)
    ]
    pairs = [(1, 2), (3, 4)]

    def fit(a: int, b: int) -> int:
        return pair_fit(pool[a], pool[b])

    assert trios._spare(pool, pairs, fit) == _spare_by_matching(pool, pairs) == {0, 2, 3, 4}


def _best_trio_as_before(pool, pairs, history, *, seed, rematch, fit):
    """`best_trio` as it was first written: every ranked trio tried until a fair one."""
    seated = {i for pair in pairs for i in pair}
    over = [i for i in range(len(pool)) if i not in seated]
    if not over or len(pool) < 3:
        return None
    waited_needed = trios._waited(pool, seated) + max(min(pool[i].waited, 3) for i in over)
    small = len(pool) <= trios.EVERY_TRIO_UP_TO
    spare = trios._spare(pool, pairs, fit) if small else set(over)
    unfair = None
    for trio in trios._ranked(pool, over, spare, history, seed, fit, trios.CHECKS[small]):
        rest = [i for i in range(len(pool)) if i not in trio]
        others = rematch(rest)
        if len(others) != len(pairs) - 1:
            continue
        now_seated = {i for pair in others for i in pair} | set(trio)
        if trios._waited(pool, now_seated) >= waited_needed:
            return trios.Trio(members=trio, pairs=others)
        unfair = unfair or trios.Trio(members=trio, pairs=others)
    return unfair


# Members who waited, some sharing no half hour with anyone (hours 0): no trio seats them.
WAITING = st.tuples(
    st.one_of(st.just(0), HOURS),
    st.integers(1, 5),
    st.sampled_from(ROLES),
    st.integers(0, 4),
    st.integers(0, 2),
    st.just("coding"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(WAITING, min_size=3, max_size=15), data=st.data())
@example(  # p3 waited and shares no hour: no trio can be fair, the first that seats wins
    rows=[(1 << 60, 3, "both", 0, 0, "coding")] * 3 + [(0, 3, "both", 2, 0, "coding")],
    data=None,
).via("the member who waited can never be seated")
@example(  # p6 waited and meets only p0: the first trio (p0's) leaves p6 out, a later one not
    rows=[((3 << 60), 3, "both", 0, 0, "coding")]
    + [((1 << 60), 3, "both", 0, 0 if i < 2 else 1, "coding") for i in range(5)]
    + [((2 << 60), 3, "both", 2, 0, "coding")],
    data=None,
).via("a fair trio after an unfair one")
def test_the_trio_is_the_one_trying_every_ranked_trio_finds(rows, data):
    pool = _pool(rows)
    history = {} if data is None else data.draw(histories(pool))
    pairs = matching.match(pool, history)
    scores = matching._TrackScores(pool, history)
    rematch = matching._rematch(pool, history, "s", pairs, scores)
    fit = scores.pair_fit
    got = trios.best_trio(pool, pairs, history, seed="s", rematch=rematch, fit=fit)
    assert got == _best_trio_as_before(pool, pairs, history, seed="s", rematch=rematch, fit=fit)
