"""ML model answers that state a checkable fact are held to it, computed independently."""

import math

from hypothesis import given
from hypothesis import strategies as st

from bot.problems.bank import load_bank

CALIBRATION = load_bank().by_id("ml-calibration")


def _softmax(logits: list[float], temperature: float) -> list[float]:
    top = max(v / temperature for v in logits)
    weights = [math.exp(v / temperature - top) for v in logits]
    return [w / sum(weights) for w in weights]


def _auc(scores: list[float], labels: list[bool]) -> float:
    """The Mann-Whitney AUC: the share of (positive, negative) pairs ranked right, ties half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _one_vs_rest(items: list[list[float]], labels: list[int], k: int, t: float) -> float:
    return _auc([_softmax(z, t)[k] for z in items], [y == k for y in labels])


@given(
    st.lists(
        st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.booleans()), min_size=2, max_size=12
    ).filter(lambda rows: len({y for _, _, y in rows}) == 2),
    st.sampled_from([0.5, 2.0, 3.0]),
)
def test_with_two_classes_temperature_scaling_keeps_the_auc(rows, temperature):
    # Softmax ignores a shift of all logits: each item as (0, its margin), so equal margins
    # stay exactly equal scores in floating point.
    items = [[0.0, float(b - a)] for a, b, _ in rows]
    labels = [int(y) for _, _, y in rows]
    assert _one_vs_rest(items, labels, 1, 1.0) == _one_vs_rest(items, labels, 1, temperature)


def test_with_three_classes_temperature_scaling_can_move_one_vs_rest_auc():
    items = [[1.0, 3.0, 3.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 3.0]]
    labels = [0, 1, 2]
    assert _one_vs_rest(items, labels, 0, 1.0) == 1.0
    assert _one_vs_rest(items, labels, 0, 4.0) == 0.5
    # The top class of every item stays: accuracy does not move.
    for z in items:
        before, after = _softmax(z, 1.0), _softmax(z, 4.0)
        assert before.index(max(before)) == after.index(max(after))


def test_the_calibration_answer_says_auc_is_kept_for_two_classes_only():
    answer = CALIBRATION.solution
    assert "With two classes, Platt scaling" in answer
    assert "temperature scaling are strictly increasing maps of the score" in answer
    assert "one-vs-rest AUC can move" in answer
    assert "keeps each item's top class" in answer
