"""The nightly run on Spark: an increment stores what a full Spark re-score stores.

The same estate and comparison as ``tests/attribution/test_increment.py``, with the
engine set to Spark: the state a run leaves, the narrowed lake views and the carried
days are engine-neutral, and this proves it for the second engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.attribution.increment import INCREMENT, REBUILD
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings
from cellwatch.store import Store

pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark')")

from pyspark.sql import SparkSession

from attribution.test_increment import (
    _arrive,
    _assert_as_rescored,
    _start,
    arriving,
    simulated,
)

pytestmark = pytest.mark.spark
__all__ = ["arriving", "simulated"]  # fixtures, used by name


def test_a_spark_increment_stores_what_a_spark_rescore_stores(
        arriving: tuple[Path, Store], settings: Settings, spark: SparkSession,
        tmp_path: Path) -> None:
    if settings.database_url is not None:
        pytest.skip("the engines are compared on one store (SQLite); the store's part is "
                    "tested on both in tests/attribution/test_increment.py")
    sim, store = arriving
    on_spark = settings.model_copy(update={"engine": "spark"})
    days = _start(sim)
    _arrive(on_spark, store, sim, ["HEI-00000", "MDI-00000"], days(-1, 2), tmp_path)
    assert attribute(on_spark, store).plan.mode == REBUILD
    _arrive(on_spark, store, sim, ["HEI-00001", "MDI-00001"], days(3, 5), tmp_path)
    report = attribute(on_spark, store)
    assert report.plan.mode == INCREMENT, report.plan.reason
    assert report.result.estimate is not None
    _assert_as_rescored(on_spark, store, report)
