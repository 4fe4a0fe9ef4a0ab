"""Detections ingest, end to end through the framework, on every store engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from cellwatch.errors import MalformedFile
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.quarantine import retry_rows
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake import Lake
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Location, QuarantinedRow, Sensor, Store

HEADER = "ts,sensor_id,event_id,technology,band_mhz,rssi_dbm,imsi,imei,location_code"


@pytest.fixture
def ctx(store: Store, settings: Settings) -> IngestContext:
    with store.session() as session:
        session.add(Establishment(code="HEI", name="Hewell"))
        session.flush()
        session.add(Location(code="HEI-A-2-014", establishment="HEI", type="CELL"))
        session.flush()
        session.add(Sensor(sensor_id="S1", establishment="HEI", kind="MANAGED_ACCESS"))
    return IngestContext(store, settings, "system")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lake_rows(ctx: IngestContext, where: str = "true") -> list[dict[str, Any]]:
    sql = f"SELECT * FROM detections WHERE {where} ORDER BY batch_id, source_line"
    rows: list[dict[str, Any]] = Lake(ctx.settings).query(sql).to_pylist()
    return rows


def quarantine(ctx: IngestContext) -> list[QuarantinedRow]:
    with ctx.store.session() as session:
        return list(session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)))


def test_valid_rows_land_normalised_in_the_hive_layout(ctx: IngestContext, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.csv",
        f"{HEADER},vendor_note\n"
        "2025-06-01T10:00:00Z,S1,e1,lte,800,-61.5,234 15 0123456789,35-209900-176148-1,"
        "hei-a-2-014,hello\n"
        "2025-06-01 11:00:00,S1,e2,4G,,,,3520990017614823,HEI-Z-9,\n",
    )
    summary = ingest_file(ctx, "detections", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (2, 2, 0)
    assert summary.unknown_columns == ["vendor_note"]
    assert summary.flagged == {"location_unresolved": 1}
    first, second = lake_rows(ctx)
    assert first["establishment"] == "HEI"
    assert str(first["day"]) == "2025-06-01"
    assert first["technology"] == "LTE"
    assert first["imsi"] == "234150123456789"
    assert first["imei"] == "352099001761481"
    assert first["location_code"] == "HEI-A-2-014"
    assert first["location_resolved"] is True
    assert first["event_key"] == "HEI|S1|e1"
    assert first["source_line"] == 2
    assert json.loads(first["extra"]) == {"vendor_note": "hello"}
    # Naive time is London local (BST in June); an IMEISV loses its SV.
    assert second["ts"].isoformat() == "2025-06-01T10:00:00+00:00"
    assert second["imei"] == "352099001761481"
    assert second["location_code"] == "HEI-Z-9"
    assert second["location_resolved"] is False
    files = list((ctx.settings.lake_dir / "detections").rglob("*.parquet"))
    assert [f.relative_to(ctx.settings.lake_dir).parent.as_posix() for f in files] == [
        "detections/establishment=HEI/day=2025-06-01"
    ]
    assert files[0].name == f"part-{summary.batch_id}-0.parquet"
    schema = pq.read_schema(files[0])
    assert schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert schema.field("batch_id").type == pa.int64()


def test_every_problem_of_a_row_is_quarantined_with_its_line(
    ctx: IngestContext, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "d.csv",
        f"{HEADER}\n"
        "2025-06-01T10:00:00Z,S1,ok,LTE,,,,,\n"
        '2025-03-30 01:30:00,S1,bad1,FAX,abc,-60,100990123456789,352099001761482,"multi\nline"\n'
        ",,bad2,LTE,,,12345,,\n"
        "2025-06-01T10:00:00Z,S1,ok2,LTE,,,,,\n",
    )
    summary = ingest_file(ctx, "detections", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (4, 2, 2)
    rows = quarantine(ctx)
    assert [r.line for r in rows] == [3, 5]
    fields = [p["field"] for p in rows[0].problems]
    assert fields == ["ts", "technology", "band_mhz", "imsi", "imei"]
    assert rows[0].reason.startswith("local time does not exist")
    assert rows[0].raw["event_id"] == "bad1"
    assert {p["field"] for p in rows[1].problems} == {"ts", "sensor_id", "imsi"}
    # The row after the quoted line break is on physical line 6.
    assert [r["source_line"] for r in lake_rows(ctx)] == [2, 6]


def test_ambiguous_autumn_hour_is_bst_and_flagged(ctx: IngestContext, tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", f"{HEADER}\n2025-10-26 01:30:00,S1,e1,,,,,,\n")
    summary = ingest_file(ctx, "detections", path)
    assert summary.flagged == {"ambiguous_time": 1}
    (row,) = lake_rows(ctx)
    assert row["ts"].isoformat() == "2025-10-26T00:30:00+00:00"
    assert row["ts_ambiguous"] is True


def test_unknown_sensor_goes_in_on_retry_once_the_sensor_exists(
    ctx: IngestContext, tmp_path: Path
) -> None:
    path = write(tmp_path, "d.csv", f"{HEADER}\n2025-06-01T10:00:00Z,S9,e1,LTE,,,,,\n")
    summary = ingest_file(ctx, "detections", path)
    assert summary.reasons == {"sensor_id: unknown sensor": 1}
    assert lake_rows(ctx) == []
    with ctx.store.session() as session:
        session.add(Sensor(sensor_id="S9", establishment="HEI", kind="RF_DETECTOR"))
    (retried,) = retry_rows(ctx, kind="detections")
    assert retried.accepted == 1
    (row,) = lake_rows(ctx)
    assert row["sensor_id"] == "S9"
    assert row["source_line"] == 2
    assert [r.status for r in quarantine(ctx)] == ["RESOLVED"]


def test_duplicates_by_event_id_and_by_content(ctx: IngestContext, tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.csv",
        f"{HEADER}\n"
        "2025-06-01T10:00:00Z,S1,e1,LTE,,,,,\n"
        "2025-06-01T10:00:05Z,S1,e1,LTE,,,,,\n"
        "2025-06-01T10:01:00Z,S1,,GSM,900,-70,,,\n"
        "2025-06-01T10:01:00Z,S1,,gsm,900.0,-70,,,\n",
    )
    summary = ingest_file(ctx, "detections", first)
    assert (summary.accepted, summary.duplicates, summary.quarantined) == (2, 2, 0)
    overlapping = write(
        tmp_path,
        "b.csv",
        f"{HEADER}\n"
        "2025-06-01T10:00:00Z,S1,e1,LTE,,,,,\n"
        "2025-06-01 11:01:00,S1,,GSM,900,-70,,,\n"
        "2025-06-01T10:02:00Z,S1,e3,LTE,,,,,\n",
    )
    again = ingest_file(ctx, "detections", overlapping)
    assert (again.accepted, again.duplicates) == (1, 2)
    assert len(lake_rows(ctx)) == 3
    same = ingest_file(ctx, "detections", first)
    assert same.already_ingested
    assert len(lake_rows(ctx)) == 3


def test_jsonl_and_parquet_inputs(ctx: IngestContext, tmp_path: Path) -> None:
    jsonl = write(
        tmp_path,
        "d.jsonl",
        '{"TS": "2025-06-01T10:00:00Z", "Sensor_ID": "S1", "event_id": "j1", "rssi_dbm": -60}\n'
        '{"ts": "2025-06-01T10:00:00Z", "sensor_id": "S1", "imei": "12"}\n',
    )
    summary = ingest_file(ctx, "detections", jsonl)
    assert (summary.accepted, summary.quarantined) == (1, 1)
    assert quarantine(ctx)[0].line == 2
    table = pa.table(
        {
            "ts": pa.array(["2025-06-02T10:00:00Z", "2025-06-02T11:00:00Z"]),
            "sensor_id": ["S1", "S1"],
            "event_id": ["p1", "p2"],
            "rssi_dbm": [-50.5, -51.0],
            "vendor": ["x", "y"],
        }
    )
    parquet = tmp_path / "d.parquet"
    pq.write_table(table, parquet)
    summary = ingest_file(ctx, "detections", parquet)
    assert summary.accepted == 2
    rows = lake_rows(ctx, "event_id LIKE 'p%'")
    assert [r["rssi_dbm"] for r in rows] == [-50.5, -51.0]
    assert json.loads(rows[1]["extra"]) == {"vendor": "y"}
    assert lake_rows(ctx, "event_id = 'j1'")[0]["rssi_dbm"] == -60.0


def test_a_malformed_file_changes_nothing(ctx: IngestContext, tmp_path: Path) -> None:
    missing = write(tmp_path, "d.csv", "ts,event_id\n2025-06-01T10:00:00Z,e1\n")
    with pytest.raises(MalformedFile, match="sensor_id"):
        ingest_file(ctx, "detections", missing)
    empty = write(tmp_path, "e.csv", "")
    with pytest.raises(MalformedFile):
        ingest_file(ctx, "detections", empty)
    assert not list(ctx.settings.lake_dir.rglob("*.parquet"))
    assert quarantine(ctx) == []


def _big(rows: int) -> str:
    """A valid detections CSV body of ``rows`` rows (over the sniff's 1 MiB sample)."""
    return "".join(f"2025-06-01T10:00:00Z,S1,big{n},LTE,,,,,\n" for n in range(rows))


BIG_ROWS = 40_000  # about 1.5 MiB: the end of the file is beyond sniff's sample


@pytest.mark.parametrize(
    ("name", "data", "reason", "line"),
    [
        ("empty.csv", b"", "empty file", None),
        ("nul.csv", f"{HEADER}\n2025-06-01T10:00:00Z,S1,e\x00,,,,,,\n".encode(), "NUL", 2),
        ("nul_late.csv", f"{HEADER}\n{_big(BIG_ROWS)}\x00\n".encode(), "NUL", BIG_ROWS + 2),
        (
            "latin1.csv",
            f"{HEADER}\n2025-06-01T10:00:00Z,S1,caf\u00e9,,,,,,\n".encode("latin-1"),
            "not UTF-8",
            2,
        ),
        (
            "latin1_late.csv",
            f"{HEADER}\n{_big(BIG_ROWS)}2025-06-01T10:00:00Z,S1,caf\u00e9,,,,,,\n".encode(
                "latin-1"
            ),
            "not UTF-8",
            BIG_ROWS + 2,
        ),
        ("nohead.csv", b"\n\n", "no header", None),
        ("trunc.csv", f'{HEADER}\n2025-06-01T10:00:00Z,S1,"e1'.encode(), "unterminated", 2),
        (
            "trunc_late.csv",
            f'{HEADER}\n{_big(BIG_ROWS)}2025-06-01T10:00:00Z,S1,"e1'.encode(),
            "unterminated",
            BIG_ROWS + 2,
        ),
    ],
)
def test_malformed_detection_files_are_refused_whole(
    ctx: IngestContext, tmp_path: Path, name: str, data: bytes, reason: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(MalformedFile, match=reason) as info:
        ingest_file(ctx, "detections", path)
    assert info.value.line == line
    assert info.value.path == str(path)
    assert not list(ctx.settings.lake_dir.rglob("*.parquet"))
    assert quarantine(ctx) == []


def test_a_row_with_the_wrong_number_of_fields_is_quarantined_alone(
    ctx: IngestContext, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "d.csv",
        f"{HEADER}\n"
        "2025-06-01T10:00:00Z,S1,a1,LTE,,,,,\n"
        "2025-06-01T10:00:00Z,S1,a2,LTE,,,,,,extra\n"
        '2025-06-01T10:00:00Z,S1,a3,LTE,,,,,"two\nlines"\n'
        "2025-06-01T10:00:00Z,S1\n"
        "2025-06-01T10:00:00Z,S1,a4,FAX,,,,,\n"
        "2025-06-01T10:00:00Z,S1,a5,LTE,,,,,\n",
    )
    summary = ingest_file(ctx, "detections", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (6, 3, 3)
    rows = quarantine(ctx)
    assert [r.line for r in rows] == [3, 6, 7]
    assert rows[0].reason == "wrong number of fields for the header"
    assert rows[0].raw["event_id"] == "a2"
    assert rows[0].raw["_overflow"] == ["extra"]
    assert rows[1].raw["sensor_id"] == "S1"
    assert rows[1].raw["event_id"] is None
    assert rows[2].raw["event_id"] == "a4"
    assert [(r["event_id"], r["source_line"]) for r in lake_rows(ctx)] == [
        ("a1", 2),
        ("a3", 4),
        ("a5", 8),
    ]


def test_blank_lines_do_not_shift_the_reported_lines(ctx: IngestContext, tmp_path: Path) -> None:
    # DuckDB skips blank lines without trace; the lines reported must still be physical.
    # Line 8 is blank but inside a quoted value, so it is part of row a3, not a blank line.
    path = write(
        tmp_path,
        "d.csv",
        f"{HEADER}\n"  # 1
        "2025-06-01T10:00:00Z,S1,a1,LTE,,,,,\n"  # 2
        "\n"  # 3
        "\n"  # 4
        "2025-06-01T10:00:00Z,S1,a2,FAX,,,,,\n"  # 5: bad technology
        "2025-06-01T10:00:00Z,S1\n"  # 6: wrong number of fields
        '2025-06-01T10:00:00Z,S1,a3,LTE,,,,,"two\n'  # 7
        "\n"  # 8
        'lines"\n'  # 9
        "\n"  # 10
        "2025-06-01T10:00:00Z,S1,a4,FAX,,,,,\n"  # 11: bad technology
        "2025-06-01T10:00:00Z,S1,a5,LTE,,,,,\n"  # 12
        "\n",  # 13
    )
    summary = ingest_file(ctx, "detections", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (6, 3, 3)
    rows = quarantine(ctx)
    assert [(r.line, r.raw["event_id"]) for r in rows] == [(5, "a2"), (6, None), (11, "a4")]
    assert [(r["event_id"], r["source_line"]) for r in lake_rows(ctx)] == [
        ("a1", 2),
        ("a3", 7),
        ("a5", 12),
    ]


def test_blank_lines_in_a_crlf_file_are_counted(ctx: IngestContext, tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(
        (
            f"{HEADER}\r\n"
            "\r\n"
            "2025-06-01T10:00:00Z,S1,b1,FAX,,,,,\r\n"
            "\r\n"
            "\r\n"
            "2025-06-01T10:00:00Z,S1,b2,LTE,,,,,\r\n"
        ).encode()
    )
    summary = ingest_file(ctx, "detections", path)
    assert (summary.read, summary.accepted, summary.quarantined) == (2, 1, 1)
    assert [r.line for r in quarantine(ctx)] == [3]
    assert [r["source_line"] for r in lake_rows(ctx)] == [6]


def test_an_ingest_waits_for_the_writer_lock_before_it_dedupes_and_appends(
    ctx: IngestContext, tmp_path: Path
) -> None:
    # Two overlapping files loaded at once (a CLI load beside an API upload) must not
    # both find e2 absent from the lake and both append it: the second writer waits.
    import threading

    from cellwatch.lake.append import writer_lock

    first = write(tmp_path, "a.csv", f"{HEADER}\n2025-06-01T10:00:00Z,S1,e1,LTE,,,,,\n"
                  "2025-06-01T10:00:01Z,S1,e2,LTE,,,,,\n")
    ingest_file(ctx, "detections", first)
    second = write(tmp_path, "b.csv", f"{HEADER}\n2025-06-01T10:00:01Z,S1,e2,LTE,,,,,\n"
                   "2025-06-01T10:00:02Z,S1,e3,LTE,,,,,\n")
    done: list[Any] = []
    with writer_lock(Lake(ctx.settings).root, "detections"):
        loader = threading.Thread(
            target=lambda: done.append(ingest_file(ctx, "detections", second)))
        loader.start()
        loader.join(timeout=2.0)
        assert loader.is_alive()  # blocked on the lock, not finished
        assert len(lake_rows(ctx)) == 2
    loader.join(timeout=60)
    (summary,) = done
    assert (summary.accepted, summary.duplicates) == (1, 1)
    assert sorted(r["event_id"] for r in lake_rows(ctx)) == ["e1", "e2", "e3"]
