"""Scoring invariants over arbitrary comparison vectors, run in DuckDB as in production."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import calibration
from cellwatch.attribution.em import estimate
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.scoring import score_sql
from cellwatch.attribution.window import FIELDS
from cellwatch.lake import DuckDBEngine

ROW = st.fixed_dictionaries({
    "identifier": st.sampled_from(["I1", "I2"]),
    "day": st.integers(0, 2),
    "prison_number": st.sampled_from(["A0000AA", "B0000BB", "C0000CC", "D0000DD"]),
    "placed_tonight": st.integers(0, 1), "pin_today": st.integers(0, 2),
    "pin_today_shared": st.integers(0, 1), "calls_today": st.integers(0, 2),
    **{f"l_{f}": st.integers(-1, max(levels)) for f, levels in FIELDS.items()},
})


def _engine(rows: list[dict[str, object]]) -> DuckDBEngine:
    engine = DuckDBEngine(duckdb.connect())
    seen = {}
    for r in rows:  # one row per identifier, day and prisoner
        seen[(r["identifier"], r["day"], r["prison_number"])] = r
    table = pa.Table.from_pylist([{**r, "identifier_type": "IMEI"} for r in seen.values()])
    engine.register("vec_in", table)
    engine.run("CREATE TABLE cw_f_vec AS SELECT *, "
               "DATE '2024-02-01' + CAST(day AS INTEGER) AS eday FROM vec_in")
    engine.run("CREATE TABLE cw_judgements (target VARCHAR, subject_type VARCHAR, "
               "subject VARCHAR, object_type VARCHAR, object VARCHAR, verdict VARCHAR, "
               "\"at\" TIMESTAMPTZ, undone_at TIMESTAMPTZ)")
    return engine


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=30))
def test_probabilities_are_bounded_and_sum_to_at_most_one(rows: list[dict[str, object]]) -> None:
    engine = _engine(rows)
    pats = {f: [int(r[f"l_{f}"]) for r in rows] for f in FIELDS}  # type: ignore[call-overload]
    est = estimate(pats, [1] * len(rows), FIELDS, iterations=20)
    params = RunParams(min_probability=0.0)
    out = engine.run(score_sql(engine.dialect, est, params)).to_pylist()
    totals: dict[tuple[str, object], float] = {}
    cal = calibration.load()
    for r in out:
        assert 0.0 <= r["probability"] <= 1.0
        assert 1 <= r["rank"] <= params.top_k
        # The shipped map, by the night's class; nothing lifted to or past 0.9.
        assert r["probability"] == pytest.approx(cal.apply(r["night"], r["raw_p"]), abs=1e-9)
        assert r["probability"] <= max(r["raw_p"], calibration.LIFT_CAP) + 1e-12
        if r["pin_today"] > 0 and r["pin_today_shared"] == 0:
            # He called his own PIN numbers that night: he used it, whoever else did.
            assert r["night"] == "own"
            assert r["probability"] == r["raw_p"] >= r["model_p"] - 1e-12
            continue
        # The others share one night (and keep only 1 - handover of it).
        assert r["raw_p"] <= r["model_p"] + 1e-12
        key = (r["identifier"], r["eday"])
        totals[key] = totals.get(key, 0.0) + r["raw_p"]
    assert all(t <= 1.0 + 1e-9 for t in totals.values())
