"""EM with one user per identifier-day: candidates compete, labels are fixed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import window
from cellwatch.attribution.em import decode, estimate_assigned
from cellwatch.lake import DuckDBEngine

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


def _vec_engine() -> DuckDBEngine:
    """Two handsets seen on ten days each, two candidates a day; an analyst confirmed
    one pair of the first handset (which labels all its days)."""
    engine = DuckDBEngine()
    levels = ", ".join(f"0 AS l_{f}" for f in window.FIELDS)
    engine.run(
        "CREATE TABLE cw_f_vec AS SELECT 'IMEI' AS identifier_type, i AS identifier, "
        f"DATE '2026-01-01' + CAST(d AS INTEGER) AS eday, p AS prison_number, {levels} "
        "FROM range(10) t(d) CROSS JOIN (VALUES ('A1234BC'), ('B2345CD')) q(p) "
        "CROSS JOIN (VALUES ('1'), ('2')) h(i)")
    engine.run(
        "CREATE TABLE cw_judgements AS SELECT 'ATTRIBUTION' AS target, 'IMEI' AS subject_type, "
        "'1' AS subject, 'A1234BC' AS object, 'CONFIRMED' AS verdict, "
        "CAST(NULL AS TIMESTAMP) AS undone_at")
    return engine


def test_em_sample_keeps_whole_days_and_every_labelled_day() -> None:
    engine = _vec_engine()
    everything = engine.run(window.assigned_rows_sql(engine.dialect)).to_pydict()
    sample = engine.run(window.assigned_rows_sql(engine.dialect, every=3)).to_pydict()
    assert len(everything["g"]) == 40
    assert int(engine.run(window.days_sql(engine.dialect)).column("n")[0].as_py()) == 20
    kept = sorted(set(sample["g"]))
    # All ten labelled days of handset 1 (g 1-10), and every third day of handset 2
    # (g 12, 15, 18), each day with both its candidates.
    assert kept == [*range(1, 11), 12, 15, 18]
    assert all(sample["g"].count(g) == 2 for g in kept)
    assert sample["label"].count(1) == 10
