"""The layout bench's compacted copy holds the lake's rows and answers its queries alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from cellwatch.bench.layout import QUERIES, compact_copy, measure
from cellwatch.lake import Lake, append_batch
from cellwatch.settings import Settings

IMEI = "352099001761481"
IMSI = "234150000000001"


def _lake(settings: Settings) -> None:
    """Detections over 40 days (two months, three prisons) and call records of the IMEI."""
    start = datetime(2026, 9, 20, 22, tzinfo=UTC)
    instants = [start + timedelta(hours=7 * n) for n in range(140)]
    lake = Lake(settings)
    con = lake.connect(views=False)
    try:
        con.register("given", pa.table({
            "establishment": [("HEI", "LEI", "MDI")[n % 3] for n in range(len(instants))],
            "ts": pa.array(instants, pa.timestamp("us", tz="UTC")),
            "imei": [IMEI if n % 2 else None for n in range(len(instants))]}))
        detections = (
            "SELECT establishment, CAST(timezone('UTC', ts) AS DATE) AS day, ts, 'S1' AS "
            "sensor_id, NULL AS event_id, md5(CAST(ts AS VARCHAR)) AS event_key, 'LTE' AS "
            f"technology, NULL AS band_mhz, NULL AS rssi_dbm, NULL AS duration_s, '{IMSI}' "
            "AS imsi, imei, NULL AS location_code, true AS location_resolved, false AS "
            "ts_ambiguous, 1 AS batch_id, 2 AS source_line, NULL AS extra FROM given")
        assert append_batch(con, lake.root, "detections", 1, detections) == len(instants)
        calls = (
            "SELECT CAST(timezone('UTC', ts) AS DATE) AS day, 'EE' AS operator, '23430' AS "
            "operator_mccmnc, 'VOICE' AS record_type, ts AS start_ts, 60.0 AS duration_s, "
            "'MO' AS direction, '+447700900123' AS subject_msisdn, NULL AS subject_imsi, "
            "imei AS subject_imei, '+447700900999' AS other_party, NULL AS other_party_raw, "
            "NULL AS cell_id, NULL AS cell_lat, NULL AS cell_lon, md5(CAST(ts AS VARCHAR)) "
            "AS event_key, false AS ts_ambiguous, 2 AS batch_id, 2 AS source_line, "
            "NULL AS extra FROM given WHERE imei IS NOT NULL")
        assert append_batch(con, lake.root, "call_records", 2, calls) == len(instants) // 2
    finally:
        con.close()


def test_compacted_copy_has_fewer_files_and_the_same_answers(
        sqlite_settings: Settings, tmp_path: Path) -> None:
    _lake(sqlite_settings)
    figures = measure(sqlite_settings, tmp_path / "compacted", repeat=1)
    assert figures["files"]["detections"] > 40  # one per prison and UTC day
    # One per prison and month (three prisons, two months); one per month for calls.
    assert figures["compacted_files"] == {"detections": 6, "call_records": 2}
    assert set(figures["queries"]) == set(QUERIES)
    assert all(q["same_rows"] for q in figures["queries"].values()), figures["queries"]


def test_compacted_copy_keeps_every_row_and_column(
        sqlite_settings: Settings, tmp_path: Path) -> None:
    _lake(sqlite_settings)
    con = Lake(sqlite_settings).connect()
    compact_copy(con, tmp_path / "c")
    for kind in ("detections", "call_records"):
        names = ", ".join(con.sql(f"SELECT * FROM {kind} LIMIT 0").columns)
        lake_rows = con.execute(f"SELECT {names} FROM {kind} ORDER BY event_key").fetchall()
        copied = con.execute(
            f"SELECT {names} FROM read_parquet('{tmp_path}/c/{kind}/**/*.parquet', "
            "hive_partitioning = true, hive_types = {'month': 'VARCHAR'}) "
            "ORDER BY event_key").fetchall()
        assert lake_rows
        assert copied == lake_rows
