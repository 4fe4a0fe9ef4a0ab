"""The Spark engine: same SQL text as DuckDB, same answers, on a tiny simulated estate.

One SparkSession (local[2]) serves the whole test session; each test's engine works in
its own child session (own temp views). Skipped, with the reason, without pyspark or Java.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cellwatch.errors import LakeError
from cellwatch.lake import DuckDBEngine
from cellwatch.lake.engine_choice import engine_for
from cellwatch.lake.reference import reference_table
from cellwatch.settings import Settings, load_settings

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark')")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on PATH", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from cellwatch.lake.spark import SparkEngine, _first_line, spark_sql_args  # noqa: E402
from spark_support import assert_same  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture
def engines(estate: Settings, spark: SparkSession) -> Iterator[dict[str, Any]]:
    """Both engines over the same lake, with the store tables attribution and TRO read."""
    from cellwatch.attribution.sources import STORE_TABLES
    from cellwatch.store import open_store
    from cellwatch.tro.policy import default_policy
    from cellwatch.tro.reference import register_reference

    pair = {"duckdb": engine_for(estate, "duckdb"), "spark": engine_for(estate, session=spark,
                                                                         kind="spark")}
    store = open_store(estate, migrate=False)
    try:
        for engine in pair.values():
            for source, name in STORE_TABLES.items():
                engine.register(name, reference_table(store, source))
            register_reference(engine, store, default_policy())
        yield pair
    finally:
        store.dispose()
        for engine in pair.values():
            engine.close()


# --- the engine itself -------------------------------------------------------------------


def test_named_parameters_become_spark_markers_outside_quotes_and_comments() -> None:
    text, args = spark_sql_args(
        "SELECT '$kept', \"$col\" FROM t -- $comment\nWHERE a = $a AND b IN $list", {
            "a": 1, "list": ("x", "y")})
    assert text == "SELECT '$kept', \"$col\" FROM t -- $comment\nWHERE a = :a AND b IN :list"
    assert args == {"a": 1, "list": ["x", "y"]}
    assert spark_sql_args("SELECT ?", [date(2026, 1, 1)]) == ("SELECT ?", [date(2026, 1, 1)])


def test_views_have_the_lake_types_and_partition_columns_last(engines: dict[str, Any]) -> None:
    for kind in ("detections", "call_records"):
        duck = engines["duckdb"].run(f"SELECT * FROM {kind} LIMIT 0").schema
        spark = engines["spark"].run(f"SELECT * FROM {kind} LIMIT 0").schema
        assert spark.names == duck.names
        assert [f.type for f in spark] == [f.type for f in duck]


def test_stream_gives_the_whole_result_in_bounded_batches(engines: dict[str, Any]) -> None:
    sql = "SELECT sensor_id, ts FROM detections ORDER BY sensor_id, ts"
    for engine in engines.values():
        whole = engine.run(sql)
        batches = list(engine.stream(sql, batch_rows=7))
        assert whole.num_rows > 7
        assert all(b.num_rows <= 7 for b in batches)
        assert pa.Table.from_batches(batches).to_pylist() == whole.to_pylist()


def test_materialized_parts_are_their_union(engines: dict[str, Any]) -> None:
    parts = ["SELECT sensor_id, count(*) AS n FROM detections WHERE sensor_id < 'M' GROUP BY 1",
             "SELECT sensor_id, count(*) AS n FROM detections WHERE sensor_id >= 'M' GROUP BY 1"]
    whole = "SELECT sensor_id, count(*) AS n FROM detections GROUP BY 1 ORDER BY 1"
    for engine in engines.values():
        engine.materialize_parts("cw_parts", parts)
        assert engine.run("SELECT * FROM cw_parts ORDER BY 1").to_pylist() == engine.run(
            whole).to_pylist()


def test_empty_lake_gives_empty_views_of_the_right_shape(
        tmp_path: Path, spark: SparkSession) -> None:
    settings = Settings(home=tmp_path / "home", environment="test")
    engine = engine_for(settings, "spark", session=spark)
    try:
        table = engine.run("SELECT * FROM detections")
        assert table.num_rows == 0
        assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
        assert table.schema.field("day").type == pa.date32()
    finally:
        engine.close()


def test_register_run_with_positional_and_named_parameters(spark: SparkSession) -> None:
    engine = SparkEngine(spark)
    try:
        engine.register("t", pa.table({"k": ["a", "b", "c"], "n": [1, 2, 3]}))
        assert engine.run("SELECT sum(n) AS s FROM t WHERE k <> ?", ["b"]).to_pylist() == [
            {"s": 4}]
        named = engine.run("SELECT count(*) AS c FROM t WHERE array_contains($ks, k)",
                           {"ks": ["a", "c"]})
        assert named.to_pylist() == [{"c": 2}]
        engine.materialize("big", "SELECT k FROM t WHERE n > 1")
        engine.materialize("big", "SELECT k FROM t WHERE n > 2")  # replaced, not duplicated
        assert engine.run("SELECT k FROM big").to_pylist() == [{"k": "c"}]
    finally:
        engine.close()


def test_materialized_steps_are_plain_relations_whose_rows_are_freed(
        spark: SparkSession) -> None:
    def held() -> int:
        return int(spark.sparkContext._jsc.sc().getPersistentRDDs().size())

    base = held()
    engine = SparkEngine(spark)
    try:
        engine.register("t", pa.table({"n": list(range(10))}))
        engine.materialize("a", "SELECT n FROM t WHERE n > 6")
        engine.materialize("b", "SELECT n * 2 AS m FROM a")
        assert held() == base + 2
        engine.materialize("b", "SELECT n * 3 AS m FROM a")  # the old rows go at once
        assert held() == base + 2
        # b reads a's rows, not a's query: later steps do not re-plan earlier ones.
        plan = engine.spark.table("b")._jdf.queryExecution().analyzed().toString()
        assert "LogicalRDD" in plan
        assert "Filter" not in plan
        assert engine.run("SELECT sum(m) AS s FROM b").to_pylist() == [{"s": 72}]
    finally:
        engine.close()
    assert held() == base


def test_spark_errors_become_lake_errors_with_the_sql(spark: SparkSession) -> None:
    engine = SparkEngine(spark)
    try:
        with pytest.raises(LakeError) as parse:
            engine.run("SELEC 1")
        assert parse.value.sql == "SELEC 1"
        with pytest.raises(LakeError):
            engine.run("SELECT * FROM no_such_table")
        with pytest.raises(LakeError):
            engine.materialize("x", "SELECT no_such_function(1)")
        with pytest.raises(LakeError, match="not a number"):
            engine.materialize("y", "SELECT CAST('not a number' AS INT) AS n")
        with pytest.raises(ValueError, match="plain table name"):
            engine.register("bad name; DROP", pa.table({"a": [1]}))
    finally:
        engine.close()


def test_engine_setting_picks_spark(estate: Settings, spark: SparkSession,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELLWATCH_ENGINE", "spark")
    settings = load_settings(home=estate.home, environment="test")
    assert settings.engine == "spark"
    engine = engine_for(settings, session=spark)
    try:
        assert isinstance(engine, SparkEngine)
        assert engine.dialect.name == "spark"
    finally:
        engine.close()
    assert isinstance(engine_for(estate), DuckDBEngine)  # the default stays DuckDB


# --- parity: one SQL text, two engines, same answer ---------------------------------------


def test_detections_per_establishment_and_day_agree(engines: dict[str, Any]) -> None:
    from cellwatch.lake.analytics import detections_per_day_sql

    out = {k: e.run(detections_per_day_sql(e.dialect), [date(2000, 1, 1)])
           for k, e in engines.items()}
    assert out["duckdb"].num_rows >= 10  # two establishments, several days each
    assert_same(out["duckdb"], out["spark"])


def test_detection_heat_in_local_time_agrees(engines: dict[str, Any]) -> None:
    from cellwatch.lake.analytics import detection_heat_sql

    out = {k: e.run(detection_heat_sql(e.dialect), [date(2000, 1, 1)])
           for k, e in engines.items()}
    assert_same(out["duckdb"], out["spark"])


def test_tro_candidates_agree(engines: dict[str, Any]) -> None:
    from cellwatch.tro.candidates import policy_params
    from cellwatch.tro.candidates_sql import candidates_sql
    from cellwatch.tro.policy import default_policy
    from cellwatch.tro.reference import run_named

    params = policy_params(default_policy(), None)
    duck = run_named(engines["duckdb"], candidates_sql(engines["duckdb"].dialect), params)
    assert duck.num_rows > 0
    spark = run_named(engines["spark"], candidates_sql(engines["spark"].dialect), params)
    assert_same(duck, spark)


def test_attribution_feature_tables_agree(engines: dict[str, Any]) -> None:
    """Every feature step gives the same table on Spark as on DuckDB."""
    from cellwatch.attribution.params import RunParams
    from cellwatch.attribution.pipeline import FEATURE_STEPS
    from cellwatch.attribution.window import assigned_rows_sql, days_sql, patterns_sql

    params = RunParams()
    agreed: list[str] = []
    gaps: list[str] = []
    for name, step in FEATURE_STEPS:
        engines["duckdb"].materialize(name, step(engines["duckdb"].dialect, params))
        try:
            engines["spark"].materialize(name, step(engines["spark"].dialect, params))
        except LakeError as exc:
            gaps.append(f"{name}: {str(exc)[:120]}")
            continue
        query = f"SELECT * FROM {name}"
        assert_same(engines["duckdb"].run(query), engines["spark"].run(query))
        agreed.append(name)
    assert not gaps, f"agreed: {agreed}; failed on Spark: {gaps}"
    # The comparison-vector counts and the (sampled) rows EM is fitted on, too.
    assert_same(*(e.run(patterns_sql(e.dialect)) for e in engines.values()))
    assert_same(*(e.run(assigned_rows_sql(e.dialect, 2)) for e in engines.values()))
    assert_same(*(e.run(days_sql(e.dialect)) for e in engines.values()))


def test_int_unnest_is_the_same_on_both_engines(engines: dict[str, Any]) -> None:
    for start, stop in ((-2, 3), (0, 14), (3, 3)):
        out = [e.run(f"SELECT {e.dialect.int_unnest(start, stop)} AS k FROM (SELECT 1 AS one) t")
               for e in engines.values()]
        got = [sorted(t.column(0).to_pylist()) for t in out]
        assert got[0] == got[1] == list(range(start, stop))


class _JavaSide:
    def toString(self) -> str:  # py4j names it so
        return "java.util.NoSuchElementException: key not found: identifier#1660\n\tat ..."


class _Py4JJavaError(Exception):
    """What py4j raises for a JVM error pyspark does not translate (its text is useless)."""

    java_exception = _JavaSide()

    def __str__(self) -> str:
        return "An error occurred while calling o504.localCheckpoint.\n: ..."


def test_an_untranslated_jvm_error_is_reported_by_its_java_exception() -> None:
    assert _first_line(_Py4JJavaError()) == (
        "java.util.NoSuchElementException: key not found: identifier#1660")
    assert _first_line(ValueError("plain\nsecond line")) == "plain"
