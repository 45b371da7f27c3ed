"""The mock-interview pairing engine, pure: participants and history in, groups out.

Two people can be paired only in the same track, with at least one common half hour,
and not both interviewees (nobody would ask). Their fit:

    100                              being able to meet at all
    - 12 x |level difference|        similar levels learn most from each other
    + 25 interviewer with interviewee, + 12 if either says "both", 0 for two of a kind
    + 2 x common hours (up to 8)     more slots, easier to schedule
    - 20 x (2 - priorities)          repeated no-shows lower a member's priority
    (floored at 1)

The matching is lexicographic (`Tiers`, sized to the track so that each tier outweighs
everything below it added up over a whole matching): as many members seated as the
track allows; the members who waited seated first (4 tiers of waiting rounds); then as
few former partners as possible; then as few of last week's partners; then the best total
fit, with a little for seating in pairs those who have been in more trios. So the number
of repeats is the minimum any maximum matching allows, and last week's partner is the
dearest repeat. `pair_score` is the fit plus 1,000 for a new partner (less for one met
before, nothing for last week's), as the preview shows it.

Each track is matched on its own. A track of up to 400 members is matched exactly on
every pair that can meet (rustworkx's maximum-weight matching). A larger one is split at
random into chunks of about 500; in each chunk every member keeps its best candidates,
its best of each role, and a few at random (ties broken differently for each member, so
identical members do not all crowd onto the same few), and the chunk is matched exactly
on those. The members the chunks leave over are matched together, and a last pass looks
for augmenting paths on the full graph, so no pair that could be made is lost.

A track with members over afterwards makes at most one trio, the fairest that keeps the
seating (bot/pairing/trios.py); failing that, the member who waited longest, then who has
been in fewest trios, joins the pair they share an hour with whose members have been in
fewest trios. Anyone still over is told why.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from bot.model import plural
from bot.pairing.hours import SLOTS_PER_HOUR, WEEK_SLOTS
from bot.pairing.trios import Trio, best_trio

if TYPE_CHECKING:  # numpy and rustworkx load when a round is matched, not at start-up
    import numpy as np

Role = Literal["interviewer", "interviewee", "both"]
TRACKS: Final = ("coding", "ml-fundamentals", "ml-system-design", "behavioral")
ROLES: Final[tuple[Role, ...]] = ("interviewer", "interviewee", "both")
FRESH = 1000  # what a new partner adds to a pair's score, as the preview shows it
# A seated member's trio turns, in the fit tier (see the module docstring).
TRIO_TURN = 40
# The fit tier of one edge: a pair's fit (at most 141) plus both members' trio turns.
_FIT_TIER = 400
FULL_GRAPH_UP_TO = 400  # tracks up to this size: every pair that can meet is a candidate
CHUNK = 500  # larger tracks are matched in random chunks of about this size...
BEST = 10  # ...where each member keeps its best candidates,
PER_ROLE = 4  # its best of each role (so no role crowds another out),
AT_RANDOM = 2  # and a few at random among those it can meet
AUGMENT_BUDGET = 400  # vertices one augmenting-path search may expand
_WORDS = -(-WEEK_SLOTS // 64)  # the week's slots in 64-bit words


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    id: str
    track: str
    level: int  # 1 (just starting) .. 5 (interview-ready)
    role: Role
    hours: int  # bitset of UTC hours of the week (see bot.pairing.hours)
    priority: float = 1.0  # lowered by repeated no-shows
    trio_count: int = 0
    waited: int = 0  # rounds in a row this member was left out; the engine seats them first


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    members: tuple[str, ...]
    hours: int  # the hours all members share
    score: int  # the pair's score (for a trio: of the pair the third member joined)
    why: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unpaired:
    id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Round:
    groups: tuple[Group, ...]
    unpaired: tuple[Unpaired, ...]
    total_score: int = field(default=0)


History = Mapping[frozenset[str], int]  # a past pair -> how many rounds ago (1 = last round)


def pair_score(a: Participant, b: Participant, history: History) -> int:
    """The pair's score as the preview shows it: its fit plus 1,000 for a new partner
    (less for one met before, nothing for last week's); 0 when the two cannot be paired."""
    fit = pair_fit(a, b)
    return fit + _freshness(history.get(frozenset((a.id, b.id)))) if fit else 0


def pair_fit(a: Participant, b: Participant) -> int:
    """How well two members suit each other (1 and up), or 0 when they cannot meet: other
    tracks, no common half hour, or two interviewees (nobody would ask)."""
    common = a.hours & b.hours
    if a.track != b.track or not common or a.id == b.id or a.role == b.role == "interviewee":
        return 0
    score = 100.0 - 12 * abs(a.level - b.level) + _roles(a.role, b.role)
    common_hours = common.bit_count() // SLOTS_PER_HOUR
    score += 2 * min(common_hours, 8) - 20 * (2 - a.priority - b.priority)
    return max(1, int(score))


def _freshness(ago: int | None) -> int:
    return FRESH if ago is None else int(FRESH // 2 * (1 - 0.5 ** (ago - 1)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Tiers:
    """The weights that make a matching of `pairs` pairs at most lexicographic: each tier
    outweighs everything below it added up over the whole matching."""

    not_last_week: int
    fresh: int
    waited: int

    @classmethod
    def for_pool(cls, size: int) -> Tiers:
        pairs = size // 2 + 1
        not_last_week = _FIT_TIER * pairs
        fresh = (not_last_week + _FIT_TIER) * pairs
        return cls(not_last_week=not_last_week, fresh=fresh, waited=(fresh + not_last_week) * pairs)


def edge_weight(a: Participant, b: Participant, history: History, tiers: Tiers) -> int:
    """What seating `a` with `b` is worth to the matching (0 if they cannot meet)."""
    fit = pair_fit(a, b)
    if not fit:
        return 0
    ago = history.get(frozenset((a.id, b.id)))
    repeat = tiers.not_last_week * (ago != 1) + tiers.fresh * (ago is None)
    return fit + repeat + seat_weight(a, tiers) + seat_weight(b, tiers)


def _roles(a: Role, b: Role) -> int:
    if {a, b} == {"interviewer", "interviewee"}:
        return 25
    return 12 if "both" in (a, b) else 0


def pair_round(participants: Sequence[Participant], history: History, *, seed: str) -> Round:
    groups: list[Group] = []
    unpaired: list[Unpaired] = []
    by_track: dict[str, list[Participant]] = {}
    for p in sorted(participants, key=lambda p: p.id):
        by_track.setdefault(p.track, []).append(p)
    for track, members in sorted(by_track.items()):
        made, left = _pair_track(track, members, history, seed)
        groups += made
        unpaired += left
    total = sum(g.score for g in groups)
    return Round(groups=tuple(groups), unpaired=tuple(unpaired), total_score=total)


def _pair_track(
    track: str, members: list[Participant], history: History, seed: str
) -> tuple[list[Group], list[Unpaired]]:
    if len(members) == 1:
        return [], [Unpaired(id=members[0].id, reason=f"nobody else is in the {track} track")]
    exact = _TrackScores(members, history) if len(members) <= FULL_GRAPH_UP_TO else None
    pairs = exact.match(range(len(members))) if exact else match(members, history, seed=seed)
    trio = best_trio(
        members,
        pairs,
        history,
        seed=seed,
        rematch=_rematch(members, history, seed, pairs, exact),
        fit=exact.pair_fit if exact else lambda a, b: pair_fit(members[a], members[b]),
    )
    if trio is not None:
        return _with_trio(track, members, history, trio)
    pairs = _room_for_a_trio(members, pairs)
    groups = [_group(members[i], members[j], history) for i, j in pairs]
    paired = {i for pair in pairs for i in pair}
    left = sorted((m for i, m in enumerate(members) if i not in paired), key=_trio_order(seed))
    unpaired, joined = [], False
    for member in left:
        if not joined and _join_trio(member, groups, members, history) is not None:
            joined = True
        else:
            unpaired.append(Unpaired(id=member.id, reason=_why_alone(member, members)))
    return groups, unpaired


def _rematch(
    pool: list[Participant],
    history: History,
    seed: str,
    pairs: list[tuple[int, int]],
    exact: _TrackScores | None,
) -> Callable[[list[int]], list[tuple[int, int]]]:
    """How a trio's rest is matched: exactly in a track the engine matches exactly (from
    the track's `exact` scores), else by repairing the track's matching along augmenting
    paths (a full re-match of a big track per candidate trio would cost seconds)."""

    def rematch(rest: list[int]) -> list[tuple[int, int]]:
        sub = [pool[i] for i in rest]
        if exact is not None:
            got = exact.match(rest)
        else:
            at = {x: k for k, x in enumerate(rest)}
            got = [(at[i], at[j]) for i, j in pairs if i in at and j in at]
            if len(got) < len(pairs) - 1:  # the trio broke two pairs: mend one
                got = _augment(sub, got)
        return [(rest[a], rest[b]) for a, b in got]

    return rematch


def _with_trio(
    track: str, members: list[Participant], history: History, trio: Trio
) -> tuple[list[Group], list[Unpaired]]:
    groups = [_group(members[i], members[j], history) for i, j in trio.pairs]
    a, b, c = (members[i] for i in trio.members)
    pair = max(((a, b), (a, c), (b, c)), key=lambda two: pair_fit(*two))
    groups.append(
        Group(
            members=(a.id, b.id, c.id),
            hours=a.hours & b.hours & c.hours,
            score=pair_score(*pair, history),
            why=TRIO_WHY,
        )
    )
    seated = {i for pair in trio.pairs for i in pair} | set(trio.members)
    unpaired = [
        Unpaired(id=m.id, reason=_why_alone(m, members))
        for i, m in enumerate(members)
        if i not in seated
    ]
    return groups, unpaired


TRIO_WHY = (
    "The track had an odd number of members this round, so this group is a trio; "
    "the turns above say who interviews whom."
)


def seat_weight(p: Participant, tiers: Tiers) -> int:
    """What seating `p` adds to a matching: waiting rounds first, then trio turns."""
    return tiers.waited * min(p.waited, 3) + TRIO_TURN * min(p.trio_count, 3)


def _trio_order(seed: str) -> Callable[[Participant], tuple[int, int, str]]:
    """Who over joins the trio first: longest waiting, fewest trios, then a fair draw."""

    def order(p: Participant) -> tuple[int, int, str]:
        draw = hashlib.sha256(f"{seed}|{p.id}".encode()).hexdigest()
        return -p.waited, p.trio_count, draw

    return order


def _join_trio(
    member: Participant, groups: list[Group], pool: list[Participant], history: History
) -> Group | None:
    """Put `member` into the best pair they share an hour with; None if there is none."""
    people = {p.id: p for p in pool}
    best: tuple[int, int, int] | None = None
    for index, group in enumerate(groups):
        if len(group.members) != 2 or not group.hours & member.hours:
            continue
        fit = sum(pair_score(member, people[m], history) for m in group.members)
        # The pair whose members have been in the fewest trios, then the best fit.
        key = (-sum(people[m].trio_count for m in group.members), fit, index)
        if fit and (best is None or key[:2] > best[:2]):
            best = key
    if best is None:
        return None
    old = groups[best[2]]
    groups[best[2]] = Group(
        members=(*old.members, member.id),
        hours=old.hours & member.hours,
        score=old.score,
        why=TRIO_WHY,
    )
    return groups[best[2]]


def _why_alone(member: Participant, members: list[Participant]) -> str:
    others = [m for m in members if m.id != member.id and member.hours & m.hours]
    if not others:
        return (
            f"no common hour with anyone else in the {member.track} track this week; "
            "widen your availability with /mockpair join"
        )
    if not any(pair_fit(member, m) for m in others):
        return (
            f"everyone in the {member.track} track who shares an hour with you only wants to "
            "be interviewed, as you do; `role:both` in /mockpair join lets you ask as well"
        )
    if member.role == "interviewee":
        return (
            "the members who interview and share an hour with you were all paired (too few "
            "interviewers this round); you're first next round, and `role:both` helps"
        )
    return "everyone who shares an hour with you was already paired; you're first next round"


def _group(a: Participant, b: Participant, history: History) -> Group:
    ago = history.get(frozenset((a.id, b.id)))
    why = (
        ""
        if ago is None
        else f"You two met {plural(ago, 'round')} ago. This round no other pairing seats "
        "everyone in your track who shares your hours, so you meet again; wider hours "
        "(`/mockpair join availability:...`) bring new partners."
    )
    return Group(
        members=(a.id, b.id), hours=a.hours & b.hours, score=pair_score(a, b, history), why=why
    )


# --- the matching ---------------------------------------------------------------


def match(
    pool: Sequence[Participant], history: History, *, seed: str = ""
) -> list[tuple[int, int]]:
    """Index pairs of a maximum-cardinality matching of one track's `pool` with (nearly)
    the highest total of pair scores and seat weights."""
    n = len(pool)
    if n < 2:
        return []
    if n <= FULL_GRAPH_UP_TO:
        return _exact(n, candidate_edges(pool, history, neighbours=n))
    pairs: list[tuple[int, int]] = []
    left: list[int] = []
    for chunk in _chunks(pool, seed):
        sub = [pool[i] for i in chunk]
        got = _exact(len(sub), candidate_edges(sub, history, seed=seed))
        pairs += [(chunk[a], chunk[b]) for a, b in got]
        seated = {x for pair in got for x in pair}
        left += [chunk[k] for k in range(len(chunk)) if k not in seated]
    if len(left) > 1:  # what the chunks left over, matched together
        sub = [pool[i] for i in left]
        full = len(sub) if len(sub) <= FULL_GRAPH_UP_TO else None
        got = _exact(len(sub), candidate_edges(sub, history, neighbours=full, seed=seed))
        pairs += [(left[a], left[b]) for a, b in got]
    pairs = _augment(pool, pairs)
    return sorted((min(i, j), max(i, j)) for i, j in pairs)


class _TrackScores:
    """A track's fits and history, worked out once for the exact matching of the track and
    of each candidate trio's rest (up to 40 per track). `match(rest)` is `match` of the
    members at `rest`: the same edges, weighed with the tiers of the rest's own size, in
    the same order, so the same matching.

    Worked out per matching, the history alone was most of a round: every matching went
    through all of the club's past pairs (thousands) for a track of a few dozen."""

    def __init__(self, pool: Sequence[Participant], history: History) -> None:
        import numpy as np

        # `_bulk_scores` without tiers is the fit, 0 where two cannot be paired.
        self.fit = _bulk_scores(pool, Tiers(not_last_week=0, fresh=0, waited=0))
        unmet = np.ones_like(self.fit)  # 1 where the two never met (in the history)
        not_last = np.ones_like(self.fit)  # 1 where they were not last round's pair
        for i, j, ago in _past_pairs(pool, history):
            unmet[i, j] = unmet[j, i] = 0
            not_last[i, j] = not_last[j, i] = ago != 1
        self.unmet, self.not_last = unmet, not_last
        self.fits: list[list[int]] = self.fit.tolist()
        self.waited = np.array([min(p.waited, 3) for p in pool], dtype=np.int64)
        self.turns = np.array([TRIO_TURN * min(p.trio_count, 3) for p in pool], dtype=np.int64)

    def pair_fit(self, a: int, b: int) -> int:
        """`pair_fit(pool[a], pool[b])`."""
        return self.fits[a][b]

    def match(self, rest: Sequence[int]) -> list[tuple[int, int]]:
        """`match([pool[i] for i in rest], history)`, as index pairs into `rest` (ascending)."""
        return _exact(len(rest), self.edges(rest)) if len(rest) >= 2 else []

    def edges(self, rest: Sequence[int]) -> list[tuple[int, int, int]]:
        """`candidate_edges([pool[i] for i in rest], history, neighbours=len(rest))`."""
        import numpy as np

        at = np.asarray(rest, dtype=np.intp)
        block = np.ix_(at, at)
        fit = self.fit[block]
        tiers = Tiers.for_pool(len(at))
        scores = np.where(
            fit > 0,
            fit + tiers.fresh * self.unmet[block] + tiers.not_last_week * self.not_last[block],
            0,
        )
        rows, cols = np.nonzero(np.triu(scores))
        seats = tiers.waited * self.waited[at] + self.turns[at]
        weights = scores[rows, cols] + seats[rows] + seats[cols]
        return list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True))


def _past_pairs(pool: Sequence[Participant], history: History) -> list[tuple[int, int, int]]:
    """(i, j, rounds ago) for the pairs of `pool` in `history`, each once (i < j). Looked
    up pair by pair when the pool has fewer pairs than the history (a track of a club with
    months of rounds), else by going through the history."""
    index = {p.id: i for i, p in enumerate(pool)}
    n = len(pool)
    if len(index) == n and n * (n - 1) // 2 <= len(history):
        found = []
        for i, j in itertools.combinations(range(n), 2):
            met = history.get(frozenset((pool[i].id, pool[j].id)))
            if met is not None:
                found.append((i, j, met))
        return found
    by_index: dict[tuple[int, int], int] = {}
    for pair, ago in history.items():
        if len(pair) != 2:
            continue
        a, b = pair
        x, y = index.get(a), index.get(b)
        if x is not None and y is not None:
            by_index[min(x, y), max(x, y)] = ago
    return [(x, y, ago) for (x, y), ago in by_index.items()]


def _exact(n: int, edges: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """rustworkx's exact maximum-cardinality, maximum-weight matching on `edges`."""
    import rustworkx as rx

    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return sorted((min(i, j), max(i, j)) for i, j in matched)


def _chunks(pool: Sequence[Participant], seed: str) -> list[list[int]]:
    """range(len(pool)) split into chunks of about CHUNK, members with similar hours
    together (so each finds partners it shares many hours with), in a seeded order."""
    import numpy as np

    n = len(pool)
    count = -(-n // CHUNK)
    draw = _rng(seed, "chunks").random(n)
    first = np.array([(p.hours & -p.hours).bit_length() for p in pool])
    level = np.array([p.level for p in pool])
    order = np.lexsort((draw, level, first // (24 * SLOTS_PER_HOUR)))
    return [sorted(part.tolist()) for part in np.array_split(order, count)]


def _rng(seed: str, purpose: str) -> np.random.Generator:
    import numpy as np

    digest = hashlib.sha256(f"{seed}|{purpose}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def candidate_edges(
    pool: Sequence[Participant],
    history: History,
    *,
    neighbours: int | None = None,
    seed: str = "",
) -> list[tuple[int, int, int]]:
    """(i, j, weight) for pairs that can meet: every such pair when `neighbours` covers
    the pool, else each member's diverse candidates (see the module docstring). The
    weight is `edge_weight`'s, in bulk."""
    import numpy as np

    n = len(pool)
    tiers = Tiers.for_pool(n)
    scores = _bulk_scores(pool, tiers)
    _apply_history(scores, pool, history, tiers)
    if neighbours is not None and neighbours >= n - 1:
        rows, cols = np.nonzero(np.triu(scores))
    else:
        rows, cols = _diverse(scores, pool, _rng(seed, "ties"))
    seats = np.array([seat_weight(p, tiers) for p in pool], dtype=np.int64)
    weights = scores[rows, cols] + seats[rows] + seats[cols]
    return list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True))


def _diverse(
    scores: np.ndarray, pool: Sequence[Participant], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's best candidates, best of each role and a few at random, as the
    (row, col) pairs of an upper triangle without repeats."""
    import numpy as np

    n = len(pool)
    can_meet = scores > 0
    # Scores are whole numbers: noise below 1 only breaks ties, differently per member.
    rank = np.where(can_meet, scores + rng.random((n, n)), -np.inf)
    picks = [_top(rank, BEST)]
    role = np.array([ROLES.index(p.role) for p in pool])
    by_role = np.argsort(role, kind="stable")
    bounds = np.searchsorted(role[by_role], np.arange(len(ROLES) + 1))
    ranked_by_role = rank[:, by_role]
    for low, high in itertools.pairwise(bounds):
        if high > low:
            picks.append(by_role[low + _top(ranked_by_role[:, low:high], PER_ROLE)])
    picks.append(rng.integers(0, n, size=(n, AT_RANDOM)))
    cols = np.concatenate(picks, axis=1)
    rows = np.repeat(np.arange(n)[:, None], cols.shape[1], axis=1)
    rows, cols = rows.ravel(), cols.ravel()
    keep = can_meet[rows, cols]
    low, high = np.minimum(rows, cols)[keep], np.maximum(rows, cols)[keep]
    unique = np.unique(low * n + high)
    return unique // n, unique % n


def _top(rank: np.ndarray, k: int) -> np.ndarray:
    """The column indices of each row's `k` highest ranks (some may be -inf: dropped later)."""
    import numpy as np

    if rank.shape[1] <= k:
        return np.broadcast_to(np.arange(rank.shape[1]), rank.shape)
    return np.argpartition(-rank, k, axis=1)[:, :k]


def _augment(pool: Sequence[Participant], pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Grow `pairs` along augmenting paths of the full graph (members who share an hour),
    so no pair that could be made is lost to the chunks or the candidate lists."""
    mate: dict[int, int] = {}
    for i, j in pairs:
        mate[i], mate[j] = j, i
    free = [i for i in range(len(pool)) if i not in mate]
    if len(free) < 2:
        return pairs
    words, answers_only = _words(pool), _answers_only(pool)
    tiers = Tiers.for_pool(len(pool))
    for root in sorted(free, key=lambda i: -seat_weight(pool[i], tiers)):
        if root not in mate:
            _flip(_augmenting_path(root, mate, words, answers_only), mate)
    return sorted({(min(i, j), max(i, j)) for i, j in mate.items()})


def _augmenting_path(
    root: int, mate: dict[int, int], words: np.ndarray, answers_only: np.ndarray
) -> list[int]:
    """An alternating path from the free `root` to another free member, as the list
    [root, y1, z1, y2, ..., yk] (yi-zi matched), or [] if none is found in the budget.

    Edmonds' search: a breadth-first alternating tree whose odd cycles (blossoms) are
    contracted as they close, so a path that runs through one is found too (a plain
    alternating tree misses those, and with them a pair the full graph allows)."""
    import numpy as np

    tree = _Blossoms(root, mate)
    queue, expanded = [root], 0
    while queue and expanded < AUGMENT_BUDGET:
        x = queue.pop(0)
        expanded += 1
        for y in np.flatnonzero(_meets(x, words, answers_only)).tolist():
            if y == x or tree.base(x) == tree.base(y) or mate.get(x) == y:
                continue
            if tree.is_outer(y):  # an odd cycle closes: contract it, its new outers queued
                queue += tree.contract(x, y)
            elif y not in tree.parent:
                tree.parent[y] = x
                if y not in mate:
                    return tree.path_to(y)
                tree.outer.add(mate[y])
                queue.append(mate[y])
    return []


class _Blossoms:
    """The alternating tree of one augmenting-path search, with its contracted blossoms."""

    def __init__(self, root: int, mate: dict[int, int]) -> None:
        self.root, self.mate = root, mate
        self.parent: dict[int, int] = {}  # a vertex reached across an unmatched edge -> from
        self.bases: dict[int, int] = {}  # a vertex in a blossom -> the blossom's base
        self.outer: set[int] = {root}

    def base(self, x: int) -> int:
        return self.bases.get(x, x)

    def is_outer(self, y: int) -> bool:
        return y == self.root or (y in self.mate and self.mate[y] in self.parent)

    def contract(self, x: int, y: int) -> list[int]:
        """Contract the blossom closed by the edge x-y; the vertices that became outer."""
        top = self._common_base(x, y)
        inside: set[int] = set()
        self._mark(x, top, y, inside)
        self._mark(y, top, x, inside)
        became = []
        for v in {*self.outer, *self.parent, *self.bases}:
            if self.base(v) in inside:
                self.bases[v] = top
                if v not in self.outer:
                    self.outer.add(v)
                    became.append(v)
        return became

    def _common_base(self, a: int, b: int) -> int:
        """The base of the blossom x-y closes: where their paths to the root meet."""
        seen = set()
        while True:
            a = self.base(a)
            seen.add(a)
            if a not in self.mate:  # the root
                break
            a = self.parent[self.mate[a]]
        while True:
            b = self.base(b)
            if b in seen:
                return b
            b = self.parent[self.mate[b]]

    def _mark(self, v: int, top: int, child: int, inside: set[int]) -> None:
        """Walk from `v` up to the base `top`, marking the blossom and re-pointing parents
        so the path can later be walked through the cycle either way."""
        while self.base(v) != top:
            inside.add(self.base(v))
            inside.add(self.base(self.mate[v]))
            self.parent[v] = child
            child = self.mate[v]
            v = self.parent[self.mate[v]]

    def path_to(self, end: int) -> list[int]:
        """[root, y1, z1, ..., end]: back from the free `end` along parents and mates."""
        path, y = [end], end
        while True:
            x = self.parent[y]
            path.append(x)
            if x == self.root:
                return path[::-1]
            y = self.mate[x]
            path.append(y)


def _path_to(end: int, parent: dict[int, int], inner: dict[int, int]) -> list[int]:
    path = [end]
    x = inner[end]
    while True:
        path.append(x)
        if parent[x] == -1:
            return path[::-1]
        path.append(parent[x])
        x = inner[parent[x]]


def _flip(path: list[int], mate: dict[int, int]) -> None:
    """Swap matched and unmatched edges along an augmenting path."""
    for a, b in zip(path[::2], path[1::2], strict=True):
        mate[a], mate[b] = b, a


def _room_for_a_trio(
    pool: Sequence[Participant], pairs: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`pairs`, or as many other pairs, such that a member left over can join a pair.

    The matching may leave over only members who share no hour with any pair, while
    another matching of the same size would free a member who does: walking an even
    alternating path from a leftover (it takes a partner, whose old partner takes
    another, ...) frees the member at its end. The first such member found who shares
    an hour with a pair off the path is freed, so the track seats one more."""
    import numpy as np

    seated = {i for pair in pairs for i in pair}
    left = [i for i in range(len(pool)) if i not in seated]
    if not left or not pairs:
        return pairs
    words, answers_only = _words(pool), _answers_only(pool)
    pair_hours = np.array([words[i] & words[j] for i, j in pairs], dtype=np.uint64)
    pair_of = {x: k for k, pair in enumerate(pairs) for x in pair}
    mate = dict(pairs) | {j: i for i, j in pairs}
    for root in left:
        path = _path_to_a_joiner(root, mate, pair_of, (words, answers_only), pair_hours)
        if path:
            freed = mate[path[-1]]
            _flip(path, mate)
            del mate[freed]
            return sorted({(min(i, j), max(i, j)) for i, j in mate.items()})
    return pairs


def _path_to_a_joiner(
    root: int,
    mate: dict[int, int],
    pair_of: dict[int, int],
    graph: tuple[np.ndarray, np.ndarray],
    pair_hours: np.ndarray,
) -> list[int]:
    """[root, y1, w1, ..., yk] such that flipping it frees w_k = mate[yk], who shares an
    hour with a pair that is not on the path; [] if the budget finds none (or root
    itself can already join a pair)."""
    import numpy as np

    words, answers_only = graph
    parent: dict[int, int] = {root: -1}  # freed (even) vertex -> the partner it gives up
    inner: dict[int, int] = {}  # partner taken (odd) -> the freed vertex that takes it
    queue, expanded = [root], 0
    while queue and expanded < AUGMENT_BUDGET:
        x = queue.pop(0)
        expanded += 1
        on_path = _pairs_on_path(x, parent, inner, pair_of)
        joinable = np.flatnonzero((pair_hours & words[x]).any(axis=1)).tolist()
        if any(k not in on_path for k in joinable):
            return [] if x == root else _path_to(parent[x], parent, inner)
        # A member reached as a freed one on another branch may still be taken here
        # (p0 takes p2, freeing p1, after p0 taking p1 freed p2): only the members on
        # x's own path, and partners already taken, are out.
        mine = _on_path(x, parent, inner)
        for y in np.flatnonzero(_meets(x, words, answers_only)).tolist():
            if y in mine or y in inner or y not in mate or mate[y] in parent:
                continue
            inner[y] = x
            parent[mate[y]] = y
            queue.append(mate[y])
    return []


def _on_path(x: int, parent: dict[int, int], inner: dict[int, int]) -> set[int]:
    """The members on the path from the root to the freed member `x`, `x` included."""
    members = {x}
    while parent[x] != -1:
        members.add(parent[x])
        x = inner[parent[x]]
        members.add(x)
    return members


def _pairs_on_path(
    x: int, parent: dict[int, int], inner: dict[int, int], pair_of: dict[int, int]
) -> set[int]:
    """The pairs the path from the root to the freed vertex `x` breaks."""
    broken = set()
    while parent[x] != -1:
        broken.add(pair_of[parent[x]])
        x = inner[parent[x]]
    return broken


def _words(pool: Sequence[Participant]) -> np.ndarray:
    import numpy as np

    return np.array(
        [[(p.hours >> (64 * w)) & (2**64 - 1) for w in range(_WORDS)] for p in pool],
        dtype=np.uint64,
    ).reshape(len(pool), _WORDS)


def _answers_only(pool: Sequence[Participant]) -> np.ndarray:
    import numpy as np

    return np.array([p.role == "interviewee" for p in pool], dtype=bool)


def _meets(x: int, words: np.ndarray, answers_only: np.ndarray) -> np.ndarray:
    """Who `x` can be paired with: a common half hour, and not two interviewees."""
    import numpy as np

    common: np.ndarray = np.bitwise_and(words, words[x]).any(axis=1)
    return common & ~answers_only if answers_only[x] else common


def _bulk_scores(pool: Sequence[Participant], tiers: Tiers) -> np.ndarray:
    """`edge_weight` without history and seats, in bulk: 0 where two cannot be paired."""
    import numpy as np

    words = _words(pool)
    common = np.zeros((len(pool), len(pool)), dtype=np.int64)
    for w in range(_WORDS):
        common += np.bitwise_count(words[:, w][:, None] & words[:, w][None, :]).astype(np.int64)
    level = np.array([p.level for p in pool], dtype=np.int64)
    priority = np.array([p.priority for p in pool])
    role = np.array([ROLES.index(p.role) for p in pool])
    role_bonus = np.array([[0, 25, 12], [25, 0, 12], [12, 12, 12]])[role[:, None], role[None, :]]
    track = np.array([hash(p.track) for p in pool])
    score = (
        100.0
        - 12 * np.abs(level[:, None] - level[None, :])
        + role_bonus
        + 2 * np.minimum(common // SLOTS_PER_HOUR, 8)
        - 20 * (2 - priority[:, None] - priority[None, :])
    )
    result: np.ndarray = np.maximum(1, score.astype(np.int64)) + tiers.fresh + tiers.not_last_week
    answers = _answers_only(pool)
    result[(common == 0) | (track[:, None] != track[None, :])] = 0
    result[answers[:, None] & answers[None, :]] = 0
    np.fill_diagonal(result, 0)
    return result


def _apply_history(
    scores: np.ndarray, pool: Sequence[Participant], history: History, tiers: Tiers
) -> None:
    """Lower the (symmetric) scores of the pairs in `history` that can meet: by the fresh
    tier, and the last-week tier too for last round's pairs. In bulk: a club's history is
    hundreds of pairs, and each chunk of each track applies it."""
    import numpy as np

    found = _past_pairs(pool, history)
    if not found:
        return
    rows, cols, agos = zip(*found, strict=True)
    costs = [tiers.fresh + (tiers.not_last_week if ago == 1 else 0) for ago in agos]
    r, c, cost = np.array(rows), np.array(cols), np.array(costs, dtype=scores.dtype)
    meet = scores[r, c] != 0  # each pair once: history's keys are unordered pairs
    r, c, cost = r[meet], c[meet], cost[meet]
    scores[r, c] -= cost
    scores[c, r] = scores[r, c]
