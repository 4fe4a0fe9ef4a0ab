"""The lake on its own: empty views, atomic appends, status, the engine interface."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from cellwatch.errors import LakeError
from cellwatch.lake import (
    CALL_RECORD_SCHEMA,
    DETECTION_SCHEMA,
    Dialect,
    DuckDBEngine,
    Lake,
    SparkDialect,
    append_batch,
    lake_status,
    remove_batch,
)
from cellwatch.lake.shared import SharedLake
from cellwatch.settings import Settings


def test_views_on_an_empty_lake_return_no_rows_with_the_layout_columns(
    sqlite_settings: Settings,
) -> None:
    con = Lake(sqlite_settings).connect()
    detections = con.sql("SELECT * FROM detections").to_arrow_table()
    calls = con.sql("SELECT * FROM call_records").to_arrow_table()
    assert detections.num_rows == 0
    assert calls.num_rows == 0
    assert detections.column_names == [*DETECTION_SCHEMA.names, "establishment", "day"]
    assert calls.column_names == [*CALL_RECORD_SCHEMA.names, "day"]
    assert detections.schema.field("ts").type == pa.timestamp("us", tz="UTC")


def test_status_of_an_empty_lake(sqlite_settings: Settings) -> None:
    status = lake_status(sqlite_settings)
    assert status["detections"]["rows"] == 0
    assert status["call_records"]["rows"] == 0


def _one_detection(batch: int) -> str:
    return (
        "SELECT 'HEI' AS establishment, DATE '2025-06-01' AS day, "
        "TIMESTAMPTZ '2025-06-01 10:00:00+00' AS ts, 'S1' AS sensor_id, 'e1' AS event_id, "
        "'HEI|S1|e1' AS event_key, 'LTE' AS technology, NULL AS band_mhz, NULL AS rssi_dbm, "
        "NULL AS duration_s, NULL AS imsi, NULL AS imei, NULL AS location_code, "
        "true AS location_resolved, false AS ts_ambiguous, "
        f"{batch} AS batch_id, 2 AS source_line, NULL AS extra"
    )


def test_append_writes_the_hive_layout_and_remove_takes_it_back(
    sqlite_settings: Settings,
) -> None:
    lake = Lake(sqlite_settings)
    con = lake.connect()
    assert append_batch(con, lake.root, "detections", 7, _one_detection(7)) == 1
    expected = lake.root / "detections/establishment=HEI/day=2025-06-01/part-7-0.parquet"
    assert expected.is_file()
    assert lake.count("detections", by=["establishment"]).to_pylist() == [
        {"establishment": "HEI", "n": 1}
    ]
    assert lake_status(sqlite_settings)["detections"]["by_establishment"]["HEI"]["rows"] == 1
    assert remove_batch(lake.root, "detections", 7) == 1
    assert lake.count("detections").to_pylist() == [{"n": 0}]


def test_a_failed_append_leaves_nothing(sqlite_settings: Settings) -> None:
    lake = Lake(sqlite_settings)
    con = lake.connect()
    broken = _one_detection(8).replace("'LTE' AS technology", "error('boom') AS technology")
    with pytest.raises(LakeError):
        append_batch(con, lake.root, "detections", 8, broken)
    assert not list(Path(lake.root).rglob("*.parquet"))


def test_engine_runs_sql_and_registers_arrow() -> None:
    engine = DuckDBEngine()
    engine.register("t", pa.table({"x": [1, 2, 3]}))
    assert engine.run("SELECT sum(x) AS s FROM t").to_pylist() == [{"s": 6}]
    with pytest.raises(LakeError) as caught:
        engine.run("SELECT nope FROM t")
    assert caught.value.sql == "SELECT nope FROM t"


def test_dialects_differ_only_where_the_engines_do() -> None:
    duck, spark = Dialect(), SparkDialect()
    assert duck.array_agg("x") == "list(x)"
    assert spark.array_agg("x") == "collect_list(x)"
    assert duck.trunc("hour", "ts") == spark.trunc("hour", "ts")
    with pytest.raises(ValueError, match="unit"):
        duck.trunc("fortnight; DROP TABLE x", "ts")
    engine = DuckDBEngine()
    literal = "TIMESTAMP '2025-06-01 10:42:00'"
    hour = engine.run(f"SELECT {duck.trunc('hour', literal)} AS h")
    assert str(hour.column("h")[0]) == "2025-06-01 10:00:00"


def test_the_shared_connection_sees_a_kind_once_it_has_files(sqlite_settings: Settings) -> None:
    # The server's connection opens over an empty lake (views of no rows) and must remake
    # a kind's view once that kind has a file, and only then.
    shared = SharedLake(sqlite_settings)
    try:
        with shared.cursor() as cursor:
            assert cursor.sql("SELECT count(*) FROM detections").fetchall() == [(0,)]
        lake = Lake(sqlite_settings)
        con = lake.connect()
        assert append_batch(con, lake.root, "detections", 3, _one_detection(3)) == 1
        con.close()
        with shared.cursor() as cursor:
            assert cursor.sql("SELECT count(*) FROM detections").fetchall() == [(1,)]
            assert cursor.sql("SELECT count(*) FROM call_records").fetchall() == [(0,)]
    finally:
        shared.close()
