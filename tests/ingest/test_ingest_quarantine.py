"""Quarantine: retry once the reference data arrives, fix then retry, discard, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import context, count, estate, load, write_csv
from sqlalchemy import select

from cellwatch.errors import Conflict, InvalidData, MalformedFile, NotFound, UnknownKind
from cellwatch.ingest import quarantine as q
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.store import (
    IngestBatch,
    Occupancy,
    PinContact,
    QuarantinedRow,
    SeizureItem,
    Sensor,
    Store,
)


def test_rows_go_in_on_retry_once_reference_data_arrives(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    estate(ctx, tmp_path)
    occupancy = [
        {"prison_number": "A1234BC", "location_code": "HEI-A-1-001",
         "start_ts": "2024-05-01T10:00:00", "end_ts": ""},
        {"prison_number": "a1234bc", "location_code": "HEI-A-1-001",
         "start_ts": "2024-04-01T10:00:00", "end_ts": "2024-05-01T10:00:00"},
    ]  # fmt: skip
    header = ["prison_number", "location_code", "start_ts", "end_ts"]
    first = load(ctx, "occupancy", write_csv(tmp_path / "occ.csv", occupancy, header))
    assert first.quarantined == 2
    assert first.reasons == {"prison_number: unknown prisoner": 2}
    # Nothing changes while the prisoner is still unknown.
    [still] = q.retry_rows(ctx, kind="occupancy")
    assert (still.accepted, still.quarantined) == (0, 2)
    prisoners = [{"prison_number": "A1234BC", "surname": "Smith", "forenames": "John"}]
    load(ctx, "prisoners", write_csv(tmp_path / "p.csv", prisoners, list(prisoners[0])))
    [retried] = q.retry_rows(ctx, everything=True)
    assert (retried.accepted, retried.quarantined) == (2, 0)
    assert count(store, Occupancy) == 2
    assert q.list_rows(store) == []
    resolved = q.list_rows(store, status="RESOLVED")
    assert len(resolved) == 2
    shown = q.show_row(store, resolved[0]["id"])
    assert shown["resolved_by"] == "analyst.one"
    with store.session() as session:
        batch = session.get(IngestBatch, shown["resolved_batch_id"])
        assert batch is not None
        assert batch.file_format == "retry"
        assert batch.status == "DONE"
        stay = session.scalars(select(Occupancy).order_by(Occupancy.start_ts)).first()
        assert stay is not None
        assert (stay.batch_id, stay.source_line) == (batch.id, 3)


def test_fix_then_retry(store: Store, settings: Settings, tmp_path: Path) -> None:
    # As ``system``: seizures are written only for establishments in the writer's scope, and
    # the named analyst of ``context`` is no user (test_ingest_scope covers the scope).
    ctx = IngestContext(store, settings, "system")
    estate(ctx, tmp_path)
    rows = [
        {"seizure_ref": "F-1", "item_no": "1", "ts": "2024-06-01T09:00:00",
         "establishment": "HEI", "item_type": "HANDSET", "imei": "35-209900-176148-2"},
    ]  # fmt: skip
    summary = load(ctx, "seizures", write_csv(tmp_path / "s.csv", rows, list(rows[0])))
    assert summary.reasons == {"imei: invalid IMEI: wrong check digit": 1}
    [row] = q.list_rows(store, kind="seizures")
    with pytest.raises(InvalidData):
        q.fix_row(ctx, row["id"], {})
    fixed = q.fix_row(ctx, row["id"], {"IMEI": "35-209900-176148-1", "make": "Nokia"})
    assert fixed["raw"]["imei"] == "35-209900-176148-1"
    assert [e["field"] for e in fixed["edits"]] == ["imei", "make"]
    assert fixed["edits"][0]["old"] == "35-209900-176148-2"
    [retried] = q.retry_rows(ctx, ids=[row["id"]])
    assert retried.accepted == 1
    with store.session() as session:
        item = session.scalars(select(SeizureItem)).one()
        assert (item.imei, item.make) == ("352099001761481", "Nokia")
    with pytest.raises(Conflict):
        q.fix_row(ctx, row["id"], {"make": "x"})
    with pytest.raises(NotFound):
        q.show_row(store, 999_999)


def test_discard_keeps_the_row_with_its_reason(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    rows = [{"prison_number": "A1234BC", "contact_number": "not a number"}]
    load(ctx, "pin-contacts", write_csv(tmp_path / "pin.csv", rows, list(rows[0])))
    [row] = q.list_rows(store, kind="pin_contacts")
    assert {p["field"] for p in row["problems"]} == {"prison_number", "contact_number"}
    with pytest.raises(InvalidData):
        q.discard_row(ctx, row["id"], " ")
    done = q.discard_row(ctx, row["id"], "test data from the vendor")
    assert (done["status"], done["note"]) == ("DISCARDED", "test data from the vendor")
    assert q.list_rows(store) == []
    assert count(store, PinContact) == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"sensor_id,kind\nS1,\x00\n", b"sensor_id,establishment\nS1,HEI\n",
     'sensor_id,establishment,kind\nS1,H\u00c9I,RF_DETECTOR\n'.encode("cp1252"),
     b'sensor_id,establishment,kind\nS1,HEI,"RF_DET\n'],
    ids=["empty", "nul", "missing-required-column", "cp1252", "truncated"],
)  # fmt: skip
def test_malformed_file_changes_nothing(
    store: Store, settings: Settings, tmp_path: Path, data: bytes
) -> None:
    ctx = context(store, settings)
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(MalformedFile):
        ingest_file(ctx, "sensors", path)
    assert count(store, IngestBatch) == 0
    assert count(store, Sensor) == 0
    assert count(store, QuarantinedRow) == 0


def test_unknown_kind_and_hyphenated_names(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ctx = context(store, settings)
    rows = [
        {"identifier": "07700 900123", "reason": "staff", "valid_from": "2024-01-01"},
        {"identifier": "35 209900 176148 1", "reason": "Privileged", "valid_from": ""},
    ]
    summary = load(ctx, "Allow-List", write_csv(tmp_path / "a.csv", rows, list(rows[0])))
    assert (summary.kind, summary.accepted) == ("allow_list", 2)
    again = load(ctx, "allow_list", write_csv(tmp_path / "b.csv", rows[::-1], list(rows[0])))
    assert again.duplicates == 2  # a NULL valid_from still matches its own key
    with pytest.raises(UnknownKind):
        ingest_file(ctx, "phones", tmp_path / "a.csv")
