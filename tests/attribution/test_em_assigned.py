"""EM with one user per identifier-day: candidates compete, labels are fixed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution.em import decode, estimate_assigned

FIELDS = {"placed": (0, 1), "pin": (0, 1)}


def _code(placed: int, pin: int) -> int:
    return (placed + 1) + ((pin + 1) << 3)


def _cellmate_days(n_days: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each day: the user and two cellmates, all placed; the user calls his PIN list
    on half the days (-1 "no calls" on the rest)."""
    codes, groups = [], []
    for g in range(n_days):
        calls = rng.random() < 0.5
        codes += [_code(1, 1 if calls else -1)] + [_code(1, 0 if calls else -1)] * 2
        groups += [g] * 3
    return np.array(codes, dtype=np.int64), np.array(groups, dtype=np.int64)


def test_what_tells_the_user_from_his_cellmates_gets_the_weight() -> None:
    codes, groups = _cellmate_days(400, np.random.default_rng(1))
    est = estimate_assigned(codes, groups, -np.ones(len(codes), dtype=np.int64), FIELDS)
    w = est.weights()
    # Being placed is shared by all three: it cannot be what marks the user out...
    assert abs(w["placed"][1]) < w["pin"][1]
    # ...a call to his own PIN numbers is, and a call to nobody's counts against.
    assert w["pin"][1] > 3.0
    assert w["pin"][0] < -1.0


def test_confirmed_and_rejected_labels_are_kept() -> None:
    codes = np.array([_code(1, -1), _code(1, -1)], dtype=np.int64)
    groups = np.array([0, 0], dtype=np.int64)
    labels = np.array([1, 0], dtype=np.int64)
    est = estimate_assigned(codes, groups, labels, FIELDS, iterations=5)
    assert est.labelled == 2
    assert est.pairs == 2


@settings(max_examples=50)
@given(st.lists(st.tuples(st.integers(-1, 1), st.integers(-1, 1)), min_size=1, max_size=30))
def test_codes_round_trip(levels: list[tuple[int, int]]) -> None:
    codes = np.array([_code(a, b) for a, b in levels], dtype=np.int64)
    back = decode(codes, FIELDS)
    assert back["placed"].tolist() == [a for a, _ in levels]
    assert back["pin"].tolist() == [b for _, b in levels]


def test_estimates_stay_probabilities() -> None:
    codes, groups = _cellmate_days(50, np.random.default_rng(2))
    est = estimate_assigned(codes, groups, -np.ones(len(codes), dtype=np.int64), FIELDS)
    assert 0 < est.prior < 1
    for f in FIELDS:
        assert abs(sum(est.m[f].values()) - 1) < 1e-9
        assert abs(sum(est.u[f].values()) - 1) < 1e-9
