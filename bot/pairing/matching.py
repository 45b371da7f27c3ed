"""The mock-interview pairing engine, pure: participants and history in, groups out.

The score of a pair (only for two people in the same track with at least one
common hour of the week; otherwise they cannot be paired):

    100                              being able to meet at all
    - 12 x |level difference|        similar levels learn most from each other
    + 25 interviewer with interviewee, + 12 if either says "both", 0 for two of a kind
    + 2 x common hours (up to 8)     more slots, easier to schedule
    - 20 x (2 - priorities)          repeated no-shows lower a member's priority
    (this fit is floored at 1), then
    + 1000                           a new partner...
    - 1000 x 0.9^(rounds ago - 1)    ...or less, the more recently the two were paired

The 1,000 puts every new pair above every repeat: a repeat happens only when no
alternative exists, and the penalty fades over about half a year (after 20 rounds
it still outweighs any difference in fit). The matching maximises the number of
pairs first, then the total score (rustworkx's exact maximum-weight matching on
the candidate graph).
Each track is matched on its own, since pairs never cross tracks. Large tracks
keep each member's best `NEIGHBOURS` candidates (scored in bulk with numpy),
which in the benchmark loses well under 1% of the optimum.

An odd track leaves one member over: they join the pair that suits them best as
a trio. Who is over is rotated: members who have been in a trio least often are
asked first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from bot.pairing.hours import SLOTS_PER_HOUR, WEEK_SLOTS

if TYPE_CHECKING:  # numpy and rustworkx load when a round is matched, not at start-up
    import numpy as np

Role = Literal["interviewer", "interviewee", "both"]
TRACKS: Final = ("coding", "ml-fundamentals", "ml-system-design", "behavioral")
ROLES: Final[tuple[Role, ...]] = ("interviewer", "interviewee", "both")
NEIGHBOURS = 16
FULL_GRAPH_UP_TO = 400
FRESH = 1000
REPEAT_DECAY = 0.9
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
    """The documented score, or 0 when the two cannot be paired."""
    common = a.hours & b.hours
    if a.track != b.track or not common or a.id == b.id:
        return 0
    score = 100.0 - 12 * abs(a.level - b.level) + _roles(a.role, b.role)
    common_hours = common.bit_count() // SLOTS_PER_HOUR
    score += 2 * min(common_hours, 8) - 20 * (2 - a.priority - b.priority)
    return max(1, int(score)) + _freshness(history.get(frozenset((a.id, b.id))))


def _freshness(ago: int | None) -> int:
    return FRESH if ago is None else int(FRESH - FRESH * REPEAT_DECAY ** (ago - 1))


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
    pool, left, pairs = _best_pool(members, history, seed)
    groups = [_group(pool[i], pool[j], history) for i, j in pairs]
    paired = {m for g in groups for m in g.members}
    left += [m for m in pool if m.id not in paired]
    unpaired = []
    for member in left:
        if _join_trio(member, groups, pool, history) is None:
            unpaired.append(Unpaired(id=member.id, reason=_why_alone(member, members)))
    return groups, unpaired


Pool = tuple[list[Participant], list[Participant], list[tuple[int, int]]]


def _best_pool(members: list[Participant], history: History, seed: str) -> Pool:
    """Who is matched, and who waits for a trio. With an odd count, the member the best
    matching leaves over joins a trio if they are among those with the fewest trios so
    far; otherwise the next in the trio rotation sits out the matching instead."""
    pairs = match(members, history)
    if len(members) % 2 == 0:
        return members, [], pairs
    pairable = [m for m in members if any(pair_score(m, o, history) for o in members)]
    if not pairable:
        return members, [], pairs
    fewest = min(m.trio_count for m in pairable)
    matched = {i for pair in pairs for i in pair}
    over = [m for i, m in enumerate(members) if i not in matched]
    if any(m.trio_count == fewest for m in over if m in pairable):
        return members, [], pairs
    spare = _spare(pairable, history, seed)
    pool = [m for m in members if m is not spare]
    return pool, [spare], match(pool, history)


def _spare(members: list[Participant], history: History, seed: str) -> Participant:
    """Who sits out the pairing to join a trio: fewest trios so far, then a fair draw."""

    def order(p: Participant) -> tuple[int, str]:
        return p.trio_count, hashlib.sha256(f"{seed}|{p.id}".encode()).hexdigest()

    for candidate in sorted(members, key=order):
        if any(pair_score(candidate, other, history) for other in members):
            return candidate
    return min(members, key=order)


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
        why="The track had an odd number of members this round, so this group is a trio: "
        "rotate so each of you interviews and is interviewed once.",
    )
    return groups[best[2]]


def _why_alone(member: Participant, members: list[Participant]) -> str:
    others = [m for m in members if m.id != member.id]
    if not any(member.hours & m.hours for m in others):
        return (
            f"no common hour with anyone else in the {member.track} track this week; "
            "widen your availability with /mockpair join"
        )
    return "everyone who shares an hour with you was already paired; you're first next round"


def _group(a: Participant, b: Participant, history: History) -> Group:
    return Group(members=(a.id, b.id), hours=a.hours & b.hours, score=pair_score(a, b, history))


# --- the matching ---------------------------------------------------------------


def match(pool: Sequence[Participant], history: History) -> list[tuple[int, int]]:
    """Index pairs of a maximum-cardinality, maximum-score matching of `pool`."""
    n = len(pool)
    if n < 2:
        return []
    import rustworkx as rx

    edges = candidate_edges(pool, history)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return sorted((min(i, j), max(i, j)) for i, j in matched)


def candidate_edges(
    pool: Sequence[Participant], history: History, *, neighbours: int | None = None
) -> list[tuple[int, int, int]]:
    """(i, j, score) for pairs that can meet: all of them for small pools, else each
    member's best `neighbours`, scored in bulk."""
    import numpy as np

    n = len(pool)
    keep = neighbours if neighbours is not None else (n if n <= FULL_GRAPH_UP_TO else NEIGHBOURS)
    scores = _bulk_scores(pool)
    _apply_history(scores, pool, history)
    edges: dict[tuple[int, int], int] = {}
    for i in range(n):
        row = scores[i]
        candidates = np.flatnonzero(row > 0)
        if len(candidates) > keep:
            candidates = candidates[np.argpartition(-row[candidates], keep - 1)[:keep]]
        for j in candidates.tolist():
            edges[(min(i, j), max(i, j))] = int(row[j])
    return [(i, j, w) for (i, j), w in sorted(edges.items())]


def _bulk_scores(pool: Sequence[Participant]) -> np.ndarray:
    """The score matrix without history, 0 where two cannot be paired."""
    import numpy as np

    words = np.array(
        [[(p.hours >> (64 * w)) & (2**64 - 1) for w in range(_WORDS)] for p in pool],
        dtype=np.uint64,
    )
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
    result: np.ndarray = np.maximum(1, score.astype(np.int64)) + FRESH
    result[(common == 0) | (track[:, None] != track[None, :])] = 0
    np.fill_diagonal(result, 0)
    return result


def _apply_history(scores: np.ndarray, pool: Sequence[Participant], history: History) -> None:
    if not history:
        return
    index = {p.id: i for i, p in enumerate(pool)}
    for pair, ago in history.items():
        if len(pair) != 2:
            continue
        a, b = (index.get(x) for x in pair)
        if a is None or b is None or scores[a, b] == 0:
            continue
        scores[a, b] = scores[b, a] = scores[a, b] - FRESH + _freshness(ago)
