"""TRO, reports and targeting analytics: one SQL text, DuckDB and Spark, the same answer.

Each test runs a package's own entry point (the function the CLI and API call, given an
engine) on both engines over one tiny simulated estate and compares the results. The
SparkSession and the estate come from :mod:`spark_support` (once per xdist worker).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark')")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on PATH", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from spark_support import assert_same, assert_same_rows, both_engines  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture
def store(estate: Settings) -> Iterator[Store]:
    """The estate's store (read only)."""
    opened = open_store(estate, migrate=False)
    yield opened
    opened.dispose()


@pytest.fixture
def engines(estate: Settings, spark: SparkSession) -> Iterator[dict[str, AnalyticEngine]]:
    """Both engines over the estate's lake, each with its own tables."""
    yield from both_engines(estate, spark)


def _last_day(engine: AnalyticEngine) -> date:
    found = engine.run("SELECT max(day) AS d FROM detections").column(0)[0].as_py()
    assert isinstance(found, date)
    return found


# --- TRO -----------------------------------------------------------------------------------


def test_tro_candidates_agree_per_establishment_and_with_cell_lists(
        engines: dict[str, AnalyticEngine], store: Store) -> None:
    """The whole candidate step, including both branches of the call -> prison join."""
    from cellwatch.tro.candidates import compute_candidates
    from cellwatch.tro.policy import default_policy

    base = default_policy()
    cells = engines["duckdb"].run(
        "SELECT cell_id FROM call_records WHERE cell_id IS NOT NULL "
        "GROUP BY cell_id ORDER BY count(*) DESC, cell_id LIMIT 4").column(0).to_pylist()
    # Cell lists for two prisons and a radius wide enough to reach calls too: cell-id
    # matches, distance matches and calls matching both (counted once) all occur.
    wide = base.model_copy(update={"calls": base.calls.model_copy(update={
        "cell_ids": {"HEI": tuple(cells), "MDI": tuple(cells[:2])}, "radius_m": 10_000.0})})
    for policy, establishment in ((base, "HEI"), (wide, None)):
        got = {k: compute_candidates(e, store, policy, establishment)
               for k, e in engines.items()}
        assert got["duckdb"], "the estate should give candidates"
        assert_same_rows([c.evidence() for c in got["duckdb"]],
                         [c.evidence() for c in got["spark"]])
    assert any(c.call_days > 0 for c in got["duckdb"])  # calls took part


# --- reports ---------------------------------------------------------------------------------


def test_monthly_statistics_agree(engines: dict[str, AnalyticEngine], store: Store) -> None:
    from cellwatch.reports.stats import _load, run_statistics

    present = {k: _load(e, store) for k, e in engines.items()}
    assert present["duckdb"] == present["spark"]
    for by in ("establishment", "region"):
        # The window found from the data, then an explicit one over a month boundary.
        auto = {k: run_statistics(e, present[k], by, None, None) for k, e in engines.items()}
        assert (auto["duckdb"].start, auto["duckdb"].end) == (
            auto["spark"].start, auto["spark"].end)
        assert_same_rows(auto["duckdb"].rows, auto["spark"].rows)
        assert auto["duckdb"].totals()["detections"] > 0
        window = (auto["duckdb"].start - timedelta(days=40), auto["duckdb"].end)
        fixed = {k: run_statistics(e, present[k], by, *window) for k, e in engines.items()}
        assert_same_rows(fixed["duckdb"].rows, fixed["spark"].rows)
        assert len(fixed["duckdb"].rows) > len(auto["duckdb"].rows)  # zero-filled months


# --- targeting -------------------------------------------------------------------------------


def _targeting_engines(engines: dict[str, AnalyticEngine], store: Store) -> None:
    from cellwatch.reports.tables import load_store_tables
    from cellwatch.targeting.rank import STORE_TABLES

    for engine in engines.values():
        assert load_store_tables(engine, store, STORE_TABLES) == set(STORE_TABLES)


def test_cell_and_landing_rankings_agree(engines: dict[str, AnalyticEngine],
                                         store: Store) -> None:
    from cellwatch.targeting.params import default_params
    from cellwatch.targeting.rank import rank_with

    _targeting_engines(engines, store)
    params = default_params()
    day = _last_day(engines["duckdb"])
    for establishment in (None, "HEI"):
        for level in ("CELL", "LANDING"):
            got: dict[str, list[dict[str, Any]]] = {
                k: rank_with(e, params, day, establishment, level).rows
                for k, e in engines.items()}
            assert got["duckdb"]
            assert_same_rows(got["duckdb"], got["spark"])
    # The raw scores, before Python rounds them, agree too.
    query = "SELECT * FROM tg_cells"
    assert_same(engines["duckdb"].run(query), engines["spark"].run(query))
    assert engines["duckdb"].run("SELECT max(detection) AS m FROM tg_cells").column(0)[0].as_py()


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def test_ranking_evaluation_agrees(engines: dict[str, AnalyticEngine], store: Store) -> None:
    from cellwatch.targeting.evaluate import evaluate_with
    from cellwatch.targeting.params import default_params

    _targeting_engines(engines, store)
    end = _last_day(engines["duckdb"])
    got = {k: evaluate_with(e, default_params(), end - timedelta(days=7), end, top=5,
                            every_days=4) for k, e in engines.items()}
    assert got["duckdb"].periods
    # Sums of floats may differ in the last bit with the engines' summation order.
    assert _rounded(got["duckdb"].to_dict()) == _rounded(got["spark"].to_dict())


# --- attribution, end to end ---------------------------------------------------------------


def _stored_attributions(settings: Settings) -> list[tuple[Any, ...]]:
    """Every stored attribution with its evidence, by natural key (ids differ by engine)."""
    from sqlalchemy import text

    store = open_store(settings, migrate=False)
    try:
        with store.session() as s:
            rows = s.execute(text(
                "SELECT a.identifier_type, a.identifier, a.prison_number, a.valid_from, a.rank, "
                "round(a.probability, 6), e.kind, e.description, e.weight_log2, e.count "
                "FROM attributions a LEFT JOIN attribution_evidence e "
                "ON e.attribution_id = a.id")).all()
    finally:
        store.dispose()
    return sorted((tuple(r) for r in rows), key=repr)


def test_a_whole_attribution_run_stores_the_same_on_both_engines(
        estate: Settings, spark: SparkSession, tmp_path: Any) -> None:
    """Features, EM, scoring and evidence: the run on Spark stores what DuckDB's stores.

    The run starts its own engine as the CLI does; Spark's finds the worker's session
    running, shares it and leaves it running.
    """
    from sqlalchemy import text

    from cellwatch.attribution.run import attribute

    stored = {}
    for kind in ("duckdb", "spark"):
        home = tmp_path / kind
        shutil.copytree(estate.home, home)
        settings = Settings(home=home, environment="test", engine=kind)
        store = open_store(settings, migrate=False)
        try:
            attribute(settings, store)
            with store.session() as s:
                ran_on = s.execute(text("SELECT engine FROM attribution_runs")).scalars().all()
        finally:
            store.dispose()
        assert ran_on == [kind]
        stored[kind] = _stored_attributions(settings)
    assert len(stored["duckdb"]) > 100
    assert stored["spark"] == stored["duckdb"]
    assert not spark.sparkContext._jsc.sc().isStopped()  # shared, so not stopped
