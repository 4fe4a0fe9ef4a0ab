"""Phones the guard holds are left out of attribution, on a simulated estate (issue 14).

A held staff, visitor or contractor phone is never the prisoner-user: nothing of it is
scored, linked or attributed, and EM is not fitted on its pairs. Round 5
(docs/attribution.md) measured fitting EM with them as known non-matches, labelled 0
as an analyst's rejection is, and did not keep it; the property below is that label's.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import window
from cellwatch.attribution.em import PRIOR_PAIRS, Estimate, _starts, estimate_assigned
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import build_features, fit, score
from cellwatch.attribution.sources import open_engine
from cellwatch.guard.detect import excluded_identifiers
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake import AnalyticEngine
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store
from cellwatch.tro.materialise import refresh

# Half the staff phones unlisted and managed access in every wing: the guard holds some.
SCENARIO = {
    "run": {"days": 28, "chunk_days": 7, "rows_per_part": 20000},
    "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.2,
               "managed_access_fraction": 1.0},
    "detection": {"staff_allow_listed_fraction": 0.5, "staff_phones_per_establishment": 15},
}
FIELDS = {"placed": (0, 1), "pin": (0, 1, 2)}


@pytest.fixture
def estate(settings: Settings, store: Store, tmp_path: Path
           ) -> Iterator[tuple[AnalyticEngine, set[str]]]:
    """A simulated estate, ingested, the guard's queue refreshed, features built; the
    engine and the estate's staff identifiers (truth)."""
    out = simulate(scenario_from_mapping(SCENARIO), 11, tmp_path / "sim", progress=False).out_dir
    ctx = IngestContext(store, settings, "system")
    load_prisons(ctx)
    for f in json.loads((out / "manifest.json").read_text())["files"]:
        ingest_file(ctx, f["kind"], out / f["path"])
    refresh(settings, store)
    with (out / "truth" / "staff_identifiers.csv").open() as fh:
        staff = {r["identifier"] for r in csv.DictReader(fh)}
    engine = open_engine(settings, store)
    build_features(engine, RunParams())
    try:
        yield engine, staff
    finally:
        engine.close()


def _ids(engine: AnalyticEngine, table: str) -> set[str]:
    rows = engine.run(f"SELECT DISTINCT identifier FROM {table}").column(0)
    return {str(v) for v in rows.to_pylist()}


@pytest.mark.slow
def test_held_phones_are_never_fitted_scored_linked_or_attributed(
        estate: tuple[AnalyticEngine, set[str]], store: Store) -> None:
    engine, staff = estate
    held = excluded_identifiers(store)
    assert held, "the estate should give the guard staff phones to hold"
    assert held <= staff
    # Seen by the sensors (the guard held them from their detections) ...
    heard = engine.run("SELECT DISTINCT imei FROM detections UNION "
                       "SELECT DISTINCT imsi FROM detections").column(0).to_pylist()
    assert held <= {str(v) for v in heard}
    # ... but no pair of theirs reaches EM, scoring, the day's attributions or a link.
    est = fit(engine, RunParams())
    score(engine, est, RunParams())
    for table in ("cw_f_det", "cw_f_vec", "cw_f_score", "cw_f_daily"):
        assert not _ids(engine, table) & held, table
    links = engine.run("SELECT a, b FROM cw_links").to_pylist()
    assert not {str(r[k]) for r in links for k in ("a", "b")} & held
    rows = engine.run(window.assigned_rows_sql(engine.dialect))
    assert len(rows) == int(engine.run("SELECT count(*) FROM cw_f_vec").column(0)[0].as_py())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 1), st.integers(-1, 2)), min_size=1, max_size=40))
def test_labelled_non_matches_count_in_u_at_full_weight_and_never_in_m(
        levels: list[tuple[int, int]]) -> None:
    """Pairs labelled 0 (an analyst's rejection; round 5 labelled held phones' pairs so)
    are non-matches EM does not infer: with only such pairs m stays at its start and u is
    their level counts plus the Dirichlet prior's pseudo-pairs, whatever the data."""
    codes = np.array([(a + 1) + ((b + 1) << 3) for a, b in levels], dtype=np.int64)
    groups = np.arange(len(codes), dtype=np.int64) // 3
    est: Estimate = estimate_assigned(codes, groups, np.zeros(len(codes), dtype=np.int64),
                                      FIELDS, iterations=20)
    m0, u0 = _starts(FIELDS, {})
    for k, (f, lv) in enumerate(FIELDS.items()):
        seen = np.array([lev[k] for lev in levels])
        known = int((seen >= 0).sum())
        for j, level in enumerate(lv):
            assert est.m[f][level] == pytest.approx(m0[f][j])
            want = (int((seen == level).sum()) + PRIOR_PAIRS * u0[f][j]) / (known + PRIOR_PAIRS)
            assert est.u[f][level] == pytest.approx(want)
    assert est.converged
