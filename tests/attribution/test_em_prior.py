"""EM's Dirichlet prior towards the development worlds' m and u (attribution.em_prior).

The MAP update is plain EM's at strength 0 and the prior's centre at infinite strength;
in between it is a distribution. On a small simulated estate, a strong prior holds the
fitted m and u at the shipped centre, and strength 0 is the EM without it. Scaled by
evidence (round 9), a field seen on few pairs is moved less towards the centre than one
seen on many, and the centre's mass on levels no row shows goes to the levels shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import em_prior
from cellwatch.attribution.em import (
    dirichlet_map,
    estimate_assigned,
    evidence_strength,
    observed_centre,
)
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import build_features, fit
from cellwatch.attribution.sources import open_engine
from cellwatch.attribution.window import FIELDS
from cellwatch.settings import Settings

from .tiny_estate import tiny_estate

counts_st = st.lists(st.floats(0.0, 1e6), min_size=2, max_size=6).filter(
    lambda c: sum(c) > 1e-3)


@st.composite
def counts_and_mean(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    counts = np.asarray(draw(counts_st))
    mean = np.asarray(draw(st.lists(st.floats(1e-4, 1.0), min_size=len(counts),
                                    max_size=len(counts))))
    return counts, mean / mean.sum()


@settings(max_examples=200, deadline=None)
@given(counts_and_mean(), st.floats(0.0, 1e9))
def test_map_update_is_a_distribution_between_the_data_and_the_prior(
        data: tuple[np.ndarray, np.ndarray], strength: float) -> None:
    counts, mean = data
    out = dirichlet_map(counts, mean, strength)
    assert abs(out.sum() - 1.0) < 1e-9
    assert (out >= 0).all()
    np.testing.assert_allclose(dirichlet_map(counts, mean, 0.0), counts / counts.sum())
    np.testing.assert_allclose(dirichlet_map(counts, mean, float("inf")), mean)
    # Each level lies between the data's share and the prior's.
    share = counts / counts.sum()
    lo, hi = np.minimum(share, mean) - 1e-9, np.maximum(share, mean) + 1e-9
    assert ((out >= lo) & (out <= hi)).all()


EM_FIELDS = {"a": (0, 1, 2), "b": (0, 1)}


@st.composite
def em_rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 40))
    a = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(-1, 1), min_size=n, max_size=n))
    codes = np.asarray([(x + 1) + (y + 1) * 8 for x, y in zip(a, b, strict=True)])
    groups = np.asarray(sorted(draw(st.lists(st.integers(0, n // 2), min_size=n,
                                             max_size=n))))
    return codes.astype(np.int64), np.unique(groups, return_inverse=True)[1].astype(np.int64)


CENTRE = ({"a": np.array([0.1, 0.3, 0.6]), "b": np.array([0.2, 0.8])},
          {"a": np.array([0.7, 0.2, 0.1]), "b": np.array([0.9, 0.1])})


@settings(max_examples=60, deadline=None)
@given(em_rows())
def test_map_em_at_zero_and_infinite_strength(data: tuple[np.ndarray, np.ndarray]) -> None:
    codes, groups = data
    labels = np.full(len(codes), -1, dtype=np.int64)
    plain = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=30)
    off = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=30,
                            centre=CENTRE, strength=0.0)
    held = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=30,
                             centre=CENTRE, strength=float("inf"))
    for f, levels in EM_FIELDS.items():
        for side_plain, side_off, side_held, c in ((plain.m, off.m, held.m, CENTRE[0]),
                                                   (plain.u, off.u, held.u, CENTRE[1])):
            assert [side_off[f][lv] for lv in levels] == [side_plain[f][lv] for lv in levels]
            np.testing.assert_allclose([side_held[f][lv] for lv in levels], c[f])
            assert abs(sum(side_off[f].values()) - 1.0) < 1e-9
    assert off.prior == plain.prior


def test_shipped_centre_is_from_development_worlds_only() -> None:
    m, u = em_prior.load()
    assert set(m) == set(FIELDS) == set(u)
    for f, levels in FIELDS.items():
        assert len(m[f]) == len(levels) == len(u[f])
    names = em_prior.provenance()["fitted_on"].split(", ")
    assert names
    assert all(int(n.split("-")[1]) in range(1001, 1007) for n in names)


def test_a_strong_prior_holds_a_small_estate_at_the_centre(
        sqlite_settings: Settings, tmp_path: Path) -> None:
    m0, u0 = em_prior.load()
    with tiny_estate(sqlite_settings, 11, tmp_path / "sim") as (_, store):
        engine = open_engine(sqlite_settings, store)
        try:
            build_features(engine, RunParams())
            off = fit(engine, replace(RunParams(), em_prior_strength=0.0))
            weak = fit(engine, replace(RunParams(), em_prior_strength=1e3))
            strong = fit(engine, replace(RunParams(), em_prior_strength=1e12))
        finally:
            engine.close()
    distance = {}
    for name, est in (("off", off), ("weak", weak), ("strong", strong)):
        distance[name] = max(abs(np.log2(est.m[f][lv] / est.u[f][lv])
                                 - np.log2(m0[f][j] / u0[f][j]))
                             for f, levels in FIELDS.items() for j, lv in enumerate(levels))
    # Bits from the centre's weights: none at a huge strength, and a weak prior lands
    # between the estate's own fit and the centre.
    assert distance["strong"] < 1e-3
    assert distance["off"] > 0.1
    assert distance["strong"] <= distance["weak"] <= distance["off"] + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 1e6), st.floats(0.0, 1e7),
       st.one_of(st.just(0.0), st.floats(1e-3, 1e5)))
def test_evidence_strength_rises_with_evidence_to_the_full_strength(
        strength: float, evidence: float, half_pairs: float) -> None:
    scaled = evidence_strength(strength, evidence, half_pairs)
    assert evidence_strength(strength, evidence, 0.0) == strength
    assert 0.0 <= scaled <= strength
    assert scaled <= evidence_strength(strength, evidence + 10.0, half_pairs) + 1e-9
    if half_pairs > 0:
        assert abs(evidence_strength(strength, half_pairs, half_pairs) - strength / 2) \
            <= 1e-9 * max(strength, 1.0)


def test_observed_centre_moves_the_mass_of_unseen_levels_to_the_seen() -> None:
    mean = np.array([0.1, 0.5, 0.3, 0.1])
    out = observed_centre(mean, np.array([True, False, True, False]))
    np.testing.assert_allclose(out, [0.25, 0.0, 0.75, 0.0])
    np.testing.assert_allclose(observed_centre(mean, np.zeros(4, dtype=bool)), mean)


def _rows(thin: int, rich: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of one candidate per identifier-day: field "a" known on ``thin`` of them,
    "b" on ``rich``; the first half of each are the user (level 2 / 1), the rest not."""
    rng = np.random.default_rng(seed)
    n = max(thin, rich)
    truth = rng.random(n) < 0.5
    a = np.where(truth, 2, rng.integers(0, 2, n))
    a[thin:] = -1
    b = np.where(truth, 1, 0)
    b[rich:] = -1
    codes = (a + 1) + (b + 1) * 8
    return (codes.astype(np.int64), np.arange(n, dtype=np.int64),
            np.full(n, -1, dtype=np.int64))


def _distance(est_side: dict[str, dict[int, float]], centre: dict[str, np.ndarray],
              f: str) -> float:
    return float(np.abs(np.array([est_side[f][lv] for lv in EM_FIELDS[f]])
                        - centre[f]).sum())


def test_a_thinly_seen_field_moves_less_towards_the_centre_than_a_rich_one() -> None:
    codes, groups, labels = _rows(thin=30, rich=3000, seed=5)
    fit = {name: estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=40,
                                   centre=CENTRE, strength=300.0, half_pairs=hp)
           for name, hp in (("fixed", 0.0), ("scaled", 200.0))}
    plain = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=40)
    # Field "a" rests on 30 pairs: at a fixed 300 pseudo-pairs the centre outweighs it;
    # scaled, it keeps most of its own fit (its m is nearer plain EM's than the centre's).
    assert _distance(fit["scaled"].m, CENTRE[0], "a") > 2 * _distance(fit["fixed"].m,
                                                                       CENTRE[0], "a")
    assert _distance(fit["scaled"].m, {"a": np.array([plain.m["a"][lv] for lv in (0, 1, 2)])},
                     "a") < _distance(fit["scaled"].m, CENTRE[0], "a")
    # Field "b" rests on 3,000 and keeps nearly the full strength: scaling moves it a
    # fraction of what it moves "a".
    moved_a = _distance(fit["scaled"].m, CENTRE[0], "a") - _distance(fit["fixed"].m,
                                                                      CENTRE[0], "a")
    for scaled, fixed, c in ((fit["scaled"].m, fit["fixed"].m, CENTRE[0]),
                             (fit["scaled"].u, fit["fixed"].u, CENTRE[1])):
        assert abs(_distance(scaled, c, "b") - _distance(fixed, c, "b")) < moved_a / 4


@settings(max_examples=40, deadline=None)
@given(em_rows(), st.floats(1.0, 1e4), st.booleans())
def test_strength_zero_is_plain_em_whatever_the_scaling(
        data: tuple[np.ndarray, np.ndarray], half_pairs: float, observed_only: bool) -> None:
    codes, groups = data
    labels = np.full(len(codes), -1, dtype=np.int64)
    plain = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=30)
    off = estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=30, centre=CENTRE,
                            strength=0.0, half_pairs=half_pairs, observed_only=observed_only)
    assert off.m == plain.m
    assert off.u == plain.u
    assert off.prior == plain.prior


def test_only_shown_levels_take_the_centre_s_mass() -> None:
    # No row has level 1 of "a"; the centre's 0.3 there goes to levels 0 and 2.
    codes, groups, labels = _rows(thin=400, rich=400, seed=7)
    keep = (codes & 7) != 2
    codes, groups, labels = codes[keep], np.arange(int(keep.sum()), dtype=np.int64), labels[keep]
    whole, shown = (estimate_assigned(codes, groups, labels, EM_FIELDS, iterations=40,
                                      centre=CENTRE, strength=1e5, observed_only=only)
                    for only in (False, True))
    assert whole.m["a"][1] > 0.25
    assert shown.m["a"][1] < 0.01
    np.testing.assert_allclose([shown.m["a"][0], shown.m["a"][2]], [1 / 7, 6 / 7], atol=0.01)
