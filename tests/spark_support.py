"""Helpers for the Spark parity tests: one SparkSession, one tiny estate, one comparison.

Imported by test modules (``tests/`` is on ``sys.path`` under pytest's default import
mode), which wrap these in their own session-scoped fixtures. ``local_session`` is
``getOrCreate``: every module of an xdist worker gets the same running SparkContext, so
Java starts once per worker. The estate is built once per worker too: the directory
under the worker's base temporary directory is reused when it is complete.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from cellwatch.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from cellwatch.lake import AnalyticEngine

# Small but with every kind of source: two prisons, ten days, a few hundred people.
ESTATE = {
    "run": {"days": 10, "chunk_days": 4, "rows_per_part": 1000},
    "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15},
}
SEED = 5


def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """The local SparkSession of this worker (started by whichever module asks first)."""
    from cellwatch.lake.spark import local_session

    session = local_session(master="local[2]", shuffle_partitions=2, driver_memory="4g",
                            warehouse=tmp_path_factory.getbasetemp() / "spark-warehouse")
    yield session
    session.stop()


def both_engines(estate: Settings, spark: SparkSession) -> Iterator[dict[str, AnalyticEngine]]:
    """DuckDB and Spark over ``estate``'s lake, closed after (a fixture's body)."""
    from cellwatch.lake.engine_choice import engine_for

    pair = {"duckdb": engine_for(estate, "duckdb"),
            "spark": engine_for(estate, "spark", session=spark)}
    try:
        yield pair
    finally:
        for engine in pair.values():
            engine.close()


def simulated_estate(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The tiny simulated estate, ingested through the framework (built once per worker)."""
    import cellwatch.access.models  # intelligence tables in the store
    import cellwatch.attribution.models  # noqa: F401  (attribution's tables in the store)
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.prisons import load_prisons
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.simulate import scenario_from_mapping, simulate
    from cellwatch.store import open_store

    root = tmp_path_factory.getbasetemp() / "spark-parity-estate"
    settings = Settings(home=root / "home", environment="test")
    if (root / "complete").exists():
        return settings
    simulate(scenario_from_mapping(ESTATE), SEED, root / "src", progress=False)
    store = open_store(settings)
    try:
        ctx = IngestContext.create(store, settings)
        load_prisons(ctx)
        for entry in json.loads((root / "src" / "manifest.json").read_text())["files"]:
            ingest_file(ctx, entry["kind"], root / "src" / entry["path"])
    finally:
        store.dispose()
    (root / "complete").write_text("ingested\n")
    return settings


def _norm(value: Any) -> Any:
    # DuckDB sums BIGINT to HUGEINT (Decimal over Arrow), Spark to BIGINT; collect_set and
    # list(DISTINCT) order their lists differently: compare values, not spellings.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=repr)
    if isinstance(value, float):
        return round(value, 6)
    return value


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """A result as sorted tuples of normalised values."""
    return sorted((tuple(_norm(v) for v in r.values()) for r in table.to_pylist()), key=repr)


def assert_same(duck: pa.Table, spark: pa.Table) -> None:
    """Same columns, same rows (after sorting), floats within 1e-6."""
    assert duck.column_names == spark.column_names
    a, b = rows(duck), rows(spark)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x, y, strict=True):
            if isinstance(u, float) and isinstance(v, float):
                assert math.isclose(u, v, rel_tol=1e-6, abs_tol=1e-6), (x, y)
            else:
                assert u == v, (x, y)


def assert_same_rows(duck: list[dict[str, Any]], spark: list[dict[str, Any]]) -> None:
    """Python-side results (already ordered by the analytic) equal, floats within 1e-6."""
    assert len(duck) == len(spark)
    for x, y in zip(duck, spark, strict=True):
        assert list(x) == list(y)
        for key, u in x.items():
            v = y[key]
            if isinstance(u, float) or isinstance(v, float):
                assert math.isclose(float(u), float(v), rel_tol=1e-6, abs_tol=1e-6), (key, x, y)
            else:
                assert _norm(u) == _norm(v), (key, x, y)
