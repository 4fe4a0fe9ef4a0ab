"""The staff pattern SQL gives the same answer on DuckDB and Spark (one text, two engines)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from cellwatch.guard.detect import staff_patterns
from cellwatch.guard.params import GuardParams
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark')")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on PATH", allow_module_level=True)

from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark


@pytest.fixture
def store(estate: Settings) -> Iterator[Store]:
    opened = open_store(estate, migrate=False)
    yield opened
    opened.dispose()


def test_the_pattern_agrees_on_both_engines(estate: Settings, spark: SparkSession,
                                            store: Store) -> None:
    # Loose thresholds, so that most identifiers come out and every feature is compared;
    # the defaults too.
    for params in (GuardParams(min_days=1, min_work_share=0.0, min_zones=1,
                               min_weekday_share=0.0), GuardParams()):
        found = {}
        for name in ("duckdb", "spark"):
            engine = engine_for(estate, name, session=spark) if name == "spark" else \
                engine_for(estate, name)
            try:
                found[name] = sorted(staff_patterns(engine, store, params),
                                     key=lambda p: p.key)
            finally:
                engine.close()
        assert len(found["duckdb"]) == len(found["spark"])
        for duck, other in zip(found["duckdb"], found["spark"], strict=True):
            assert duck.__dict__ == other.__dict__
    assert found["duckdb"] is not None
