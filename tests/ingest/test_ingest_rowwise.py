"""Row-wise kinds end to end: 1,000 good rows and 50 bad ones, idempotency, updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest_support import context, count, estate, load, write_csv, write_jsonl
from sqlalchemy import select

from cellwatch.ingest.batches import IngestContext
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Prisoner, QuarantinedRow, Sensor, Store

SENSOR_HEADER = ["sensor_id", "establishment", "kind", "range_m", "active_from", "active_to"]
PRISONER_HEADER = [
    "prison_number", "surname", "forenames", "date_of_birth", "establishment",
    "reception_date", "release_date",
]  # fmt: skip


def good_sensor(i: int) -> dict[str, Any]:
    return {
        "sensor_id": f"S{i:05d}",
        "establishment": "HEI" if i % 2 else "lei",
        "kind": ["RF_DETECTOR", "managed_access", "Handheld"][i % 3],
        "range_m": str(10 + i % 40),
        "active_from": "2024-01-01T00:00:00Z",
        "active_to": "",
    }


def bad_sensor(i: int) -> dict[str, Any]:
    row = good_sensor(10_000 + i)
    match i % 5:
        case 0:
            row["sensor_id"] = ""
        case 1:
            row["establishment"] = "ZZZ"
        case 2:
            row["kind"] = "LASER"
        case 3:
            row["range_m"] = "far"
        case _:
            row["active_to"] = "2023-01-01T00:00:00Z"
    return row


SENSOR_REASONS = {
    "sensor_id: required value missing",
    "establishment: unknown establishment",
    "kind: not one of RF_DETECTOR, MANAGED_ACCESS, HANDHELD",
    "range_m: not a number",
    "active_to: before active_from",
}


def good_prisoner(i: int) -> dict[str, Any]:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return {
        "prison_number": f"{letters[i % 23]}{i:04d}{letters[i // 23 % 23]}{letters[i % 7]}",
        "surname": f"Surname{i}",
        "forenames": f"Forename {i}",
        "date_of_birth": "1990-05-17",
        "establishment": "HEI",
        "reception_date": "2023-02-01",
        "release_date": "",
    }


def bad_prisoner(i: int) -> dict[str, Any]:
    row = good_prisoner(5000 + i)
    match i % 5:
        case 0:
            row["prison_number"] = f"X{i}"
        case 1:
            row["surname"] = " "
        case 2:
            row["establishment"] = "QQQ"
        case 3:
            row["date_of_birth"] = "17/05/1990"
        case _:
            row["release_date"] = "2020-01-01"
    return row


PRISONER_REASONS = {
    "prison_number: not a prison number like A1234BC",
    "surname: required value missing",
    "establishment: unknown establishment",
    "date_of_birth: not a YYYY-MM-DD date: '17/05/1990'",
    "release_date: before reception_date",
}


def _mixed(good: list[dict[str, Any]], bad: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = list(good)
    for n, row in enumerate(bad):
        rows.insert(n * 20 + 7, row)  # spread through the file
    return rows


def _batches(store: Store) -> int:
    return count(store, IngestBatch)


def _check_1000_and_50(
    ctx: IngestContext, path: Path, kind: str, model: type[Any], reasons: set[str]
) -> None:
    first = load(ctx, kind, path)
    assert (first.read, first.accepted, first.quarantined) == (1050, 1000, 50)
    assert set(first.reasons) == reasons
    assert all(n == 10 for n in first.reasons.values())
    assert count(ctx.store, model) == 1000
    with ctx.store.session() as session:
        rows = session.scalars(select(QuarantinedRow).where(QuarantinedRow.kind == kind)).all()
        assert len(rows) == 50
        assert {r.status for r in rows} == {"OPEN"}
        assert all(r.raw and r.line > 1 and r.problems for r in rows)
        batch = session.get(IngestBatch, first.batch_id)
        assert batch is not None
        assert (batch.status, batch.run_by, batch.rows_accepted) == ("DONE", "analyst.one", 1000)
    batches = _batches(ctx.store)
    again = load(ctx, kind, path)
    assert again.already_ingested
    assert (again.accepted, again.updated, again.quarantined) == (0, 0, 0)
    assert again.duplicates == again.read == 1050
    assert count(ctx.store, model) == 1000
    assert count(ctx.store, QuarantinedRow) == 50
    assert _batches(ctx.store) == batches


def test_sensors_1000_good_50_bad(store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    good = [good_sensor(i) for i in range(1000)]
    rows = _mixed(good, [bad_sensor(i) for i in range(50)])
    path = write_csv(tmp_path / "sensors.csv", rows, SENSOR_HEADER)
    _check_1000_and_50(ctx, path, "sensors", Sensor, SENSOR_REASONS)
    with store.session() as session:
        sensor = session.get(Sensor, "S00002")
        assert sensor is not None
        assert (sensor.establishment, sensor.kind, sensor.range_m) == ("LEI", "HANDHELD", 12.0)
        assert sensor.source_line == 4  # header, then S00000, S00001
        assert sensor.batch_id is not None


def test_prisoners_1000_good_50_bad(store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    good = [good_prisoner(i) for i in range(1000)]
    assert len({r["prison_number"] for r in good}) == 1000
    rows = _mixed(good, [bad_prisoner(i) for i in range(50)])
    path = write_csv(tmp_path / "prisoners.csv", rows, PRISONER_HEADER)
    _check_1000_and_50(ctx, path, "prisoners", Prisoner, PRISONER_REASONS)


def test_same_rows_in_another_file_are_duplicates(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    rows = [good_sensor(i) for i in range(300)]
    load(ctx, "sensors", write_csv(tmp_path / "a.csv", rows, SENSOR_HEADER))
    again = load(ctx, "sensors", write_jsonl(tmp_path / "a.jsonl", rows))
    assert not again.already_ingested
    assert (again.accepted, again.updated, again.duplicates) == (0, 0, 300)


def test_overlapping_file_adds_only_what_is_new_and_updates_changes(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    first = load(ctx, "sensors", write_csv(
        tmp_path / "a.csv", [good_sensor(i) for i in range(100)], SENSOR_HEADER
    ))  # fmt: skip
    later = [good_sensor(i) for i in range(50, 150)]
    later[10]["range_m"] = "99"  # S00060 moved its antenna
    second = load(ctx, "sensors", write_csv(tmp_path / "b.csv", later, SENSOR_HEADER))
    assert (second.accepted, second.updated, second.duplicates) == (50, 1, 49)
    assert count(store, Sensor) == 150
    with store.session() as session:
        moved = session.get(Sensor, "S00060")
        kept = session.get(Sensor, "S00061")
        assert moved is not None
        assert kept is not None
        assert moved.range_m == 99.0
        assert (moved.batch_id, moved.source_line) == (second.batch_id, 12)
        assert kept.batch_id == first.batch_id


def test_unknown_columns_kept_as_extra_and_reported_once(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    rows = [good_sensor(i) | {"Vendor": "Acme", "Firmware": f"v{i}"} for i in range(3)]
    path = write_csv(tmp_path / "s.csv", rows, [*SENSOR_HEADER, "Vendor", "Firmware"])
    summary = load(ctx, "sensors", path)
    assert summary.unknown_columns == ["vendor", "firmware"]
    with store.session() as session:
        sensor = session.get(Sensor, "S00001")
        assert sensor is not None
        assert sensor.extra == {"vendor": "Acme", "firmware": "v1"}


def test_jsonl_values_of_any_json_type(store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    rows = [
        {"sensor_id": "J1", "establishment": "HEI", "kind": "RF_DETECTOR", "range_m": 25},
        {"sensor_id": "J2", "establishment": "HEI", "kind": "RF_DETECTOR", "range_m": None},
        {"sensor_id": "J3", "establishment": "HEI", "kind": "RF_DETECTOR", "range_m": [1]},
    ]
    summary = load(ctx, "sensors", write_jsonl(tmp_path / "s.jsonl", rows))
    assert (summary.accepted, summary.quarantined) == (2, 1)
    assert "range_m: nested value where a single value is expected" in summary.reasons


def test_clock_change_times(store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    rows = [
        good_sensor(1) | {"active_from": "2024-10-27T01:30:00"},  # repeated hour: flagged
        good_sensor(2) | {"active_from": "2024-03-31T01:30:00"},  # skipped hour: rejected
        good_sensor(3) | {"active_from": "2024-07-01T09:00:00"},  # BST
    ]
    summary = load(ctx, "sensors", write_csv(tmp_path / "s.csv", rows, SENSOR_HEADER))
    assert (summary.accepted, summary.quarantined) == (2, 1)
    assert summary.flagged == {"active_from: ambiguous_local_time": 1}
    assert any("does not exist" in reason for reason in summary.reasons)
    with store.session() as session:
        flagged = session.get(Sensor, "S00001")
        summer = session.get(Sensor, "S00003")
        assert flagged is not None
        assert summer is not None
        assert flagged.active_from is not None
        assert summer.active_from is not None
        assert flagged.active_from.isoformat() == "2024-10-27T00:30:00+00:00"
        assert flagged.extra == {"_flags": ["active_from: ambiguous_local_time"]}
        assert summer.active_from.isoformat() == "2024-07-01T08:00:00+00:00"


def test_locations_parents_in_any_order(store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    rows = [
        {"location_code": "hei-b-1-002", "establishment": "HEI", "type": "cell",
         "parent_code": "HEI-B-1"},
        {"location_code": "HEI-B-1", "establishment": "HEI", "type": "LANDING",
         "parent_code": "HEI-B"},
        {"location_code": "HEI-B", "establishment": "HEI", "type": "WING"},
        {"location_code": "HEI-C-1", "establishment": "HEI", "type": "LANDING",
         "parent_code": "HEI-C"},  # its wing is rejected below, so it is too
        {"location_code": "HEI-C", "establishment": "HEI", "type": "TOWER"},
    ]  # fmt: skip
    header = ["location_code", "establishment", "type", "parent_code"]
    summary = load(ctx, "locations", write_csv(tmp_path / "l.csv", rows, header))
    assert (summary.accepted, summary.quarantined) == (3, 2)
    assert summary.reasons["parent_code: unknown location"] == 1
