"""EM over comparison-vector counts: valid probabilities, labels honoured."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution.em import estimate

FIELDS = {"a": (0, 1, 2), "b": (0, 1)}


@st.composite
def patterns(draw: st.DrawFn) -> tuple[dict[str, list[int]], list[int]]:
    n = draw(st.integers(1, 12))
    a = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(-1, 1), min_size=n, max_size=n))
    counts = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n))
    return {"a": a, "b": b}, counts


@settings(max_examples=60, deadline=None)
@given(patterns())
def test_estimates_are_probabilities(data: tuple[dict[str, list[int]], list[int]]) -> None:
    pats, counts = data
    est = estimate(pats, counts, FIELDS, iterations=50)
    assert 0.0 < est.prior < 1.0
    for f, levels in FIELDS.items():
        assert abs(sum(est.m[f].values()) - 1.0) < 1e-9
        assert abs(sum(est.u[f].values()) - 1.0) < 1e-9
        assert all(0.0 < est.m[f][lv] < 1.0 and 0.0 < est.u[f][lv] < 1.0 for lv in levels)
    assert est.weight("a", -1) == 0.0


def test_confirmed_labels_make_their_level_count_for_the_match() -> None:
    pats = {"a": [0, 2], "b": [0, 1]}
    est = estimate(pats, [1000, 50], FIELDS, n_match=[0, 50], n_nonmatch=[1000, 0])
    assert est.weight("a", 2) > 3.0
    assert est.weight("a", 0) < -3.0
    assert est.labelled == 1050


def test_no_pairs_keeps_the_starting_parameters_rather_than_a_nan_prior() -> None:
    # A new estate with no evidence yet: nothing to divide by. The parameters are saved
    # as JSON with the run, and JSON has no NaN.
    import math

    import numpy as np

    with np.errstate(all="raise"):
        est = estimate({"a": []}, [], {"a": (0, 1)})
    assert math.isfinite(est.prior)
    assert (est.pairs, est.iterations) == (0, 0)
    assert all(math.isfinite(w) for w in est.weights()["a"].values())
