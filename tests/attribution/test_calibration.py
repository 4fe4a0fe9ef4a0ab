"""The calibration map by night class: how it is fitted, its guards, SQL equal to Python,
and the shipped map's provenance (development worlds only)."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import calibration
from cellwatch.attribution.calibration import Calibration, fit, fit_class, load
from cellwatch.errors import ConfigError

ROWS = st.lists(st.tuples(st.sampled_from(calibration.MAPPED),
                          st.floats(0.01, 1.0, allow_nan=False), st.booleans()),
                min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(ROWS, st.floats(0.0, 1.0, allow_nan=False))
def test_a_fitted_map_is_monotone_in_range_and_never_lifts_to_confident(
        rows: list[tuple[str, float, bool]], p: float) -> None:
    cal = Calibration(fit(rows))
    for pts in cal.knots.values():
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        assert xs == sorted(xs)
        assert len(set(xs)) == len(xs)
        assert ys == sorted(ys)
        assert all(0.0 <= v <= 1.0 for v in xs + ys)
    for cls in calibration.CLASSES:
        q = cal.apply(cls, p)
        assert 0.0 <= q <= 1.0
        if p >= calibration.CONFIDENT:
            # Nothing confident is made more confident, nor pushed out of the confident set.
            assert calibration.CONFIDENT <= q <= p
        else:
            assert q < calibration.CONFIDENT or q <= p
    assert cal.apply("own", p) == p


def test_nights_that_are_always_wrong_are_pushed_down() -> None:
    knots = fit_class([(0.8, False)] * 200)
    assert Calibration({"calls": knots}).apply("calls", 0.8) < 0.1


def test_a_lift_is_cautious_and_stops_below_confident() -> None:
    cal = Calibration({"placed": fit_class([(0.5, True)] * 1000)})
    assert 0.5 < cal.apply("placed", 0.5) <= calibration.LIFT_CAP
    # A handful of rows barely move a bin (shrunk towards what the model said).
    few = Calibration({"window": fit_class([(0.75, False)] * 2)})
    assert few.apply("window", 0.75) > 0.6


@settings(max_examples=40, deadline=None)
@given(ROWS, st.lists(st.tuples(st.sampled_from(calibration.CLASSES),
                                st.floats(0.0, 1.0, allow_nan=False)), min_size=1, max_size=30))
def test_the_sql_gives_the_python_map(rows: list[tuple[str, float, bool]],
                                      probes: list[tuple[str, float]]) -> None:
    for cal in (Calibration(fit(rows)), load()):
        con = duckdb.connect()
        con.execute("CREATE TABLE t (cls VARCHAR, p DOUBLE)")
        con.executemany("INSERT INTO t VALUES (?, ?)", probes)
        got = con.execute(f"SELECT cls, p, {calibration.calibrated_sql(cal, 'cls', 'p')} "
                          "FROM t").fetchall()
        for cls, p, q in got:
            assert q == pytest.approx(cal.apply(cls, p), abs=1e-9)


def test_the_shipped_map_was_fitted_on_development_worlds_only() -> None:
    cal = load()
    assert set(cal.knots) == set(calibration.MAPPED)
    worlds = re.findall(r"world-(\d+)-seed-(\d+)", cal.provenance["fitted_on"])
    assert worlds
    # Development worlds 1001-1006 x seeds 1, 2; the held-out 2001-2012 x 71, 72 never.
    assert all(1001 <= int(w) <= 1006 and int(s) in (1, 2) for w, s in worlds)


@pytest.mark.parametrize(("text", "reason"), [
    ("[classes.own]\nx = [0.0, 1.0]\ny = [0.0, 1.0]\n", "unknown class"),
    ("[classes.calls]\nx = [0.5, 0.2]\ny = [0.1, 0.2]\n", "not increasing"),
    ("[classes.calls]\nx = [0.0, 1.0]\ny = [0.0, 1.5]\n", "outside 0-1"),
    ("[classes.calls]\nx = [0.0, 1.0]\n", "calibration map"),
    ("[classes.calls\n", "calibration map"),
])
def test_a_bad_map_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        load(text)
