"""The matching service as the shells call it: as a principal, audited; unusable rows
kept in the quarantine with file, line, field, reason and raw row, then matched again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData, NotFound
from cellwatch.matching.service import KIND, match_file, retry_rejected
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, Store

ROWS = [{"id": "r1", "surname": "Smith", "forenames": "Test", "date_of_birth": ""},
        {"id": "r2", "surname": "Jones", "forenames": "Ann", "date_of_birth": "1990-34-07"},
        {"id": "r3", "surname": "", "forenames": "Nobody", "date_of_birth": ""}]


def test_rejected_rows_are_kept_and_matched_again(store: Store, settings: Settings) -> None:
    build_estate(store)
    access = Access(store, SYSTEM, settings)
    outcome = match_file(access, settings, "names.csv", ROWS, threshold=0.0)
    assert {(r["record_id"], r["prison_number"]) for r in outcome.matches
            if r["rank"] == 1} == {("r1", "A1111AA")}
    assert [(r["line"], r["record_id"], r["field"]) for r in outcome.rejected] == [
        (3, "r2", "date_of_birth"), (4, "r3", "surname")]
    with store.session() as s:
        kept = list(s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)))
        batch = s.get(IngestBatch, outcome.batch_id)
        audit = [(a.action, a.detail) for a in s.scalars(select(AuditEntry))]
        assert batch is not None
        assert batch.kind == KIND
        assert batch.file_name == "names.csv"
    assert [(k.kind, k.file_name, k.line, k.status) for k in kept] == [
        (KIND, "names.csv", 3, "OPEN"), (KIND, "names.csv", 4, "OPEN")]
    assert kept[0].raw == {"id": "r2", "surname": "Jones", "forenames": "Ann",
                           "date_of_birth": "1990-34-07"}
    assert "not an ISO date" in kept[0].reason
    assert any(action == "match" and detail.get("quarantined") == 2
               for action, detail in audit)

    again = retry_rejected(access, settings, [kept[0].id],
                           changes={"date_of_birth": "1990-07-04"}, threshold=0.0)
    assert again.resolved == [kept[0].id]
    assert again.matches[0]["prison_number"] == "A2222BB"
    still = retry_rejected(access, settings, [kept[1].id])
    assert still.resolved == []
    assert still.rejected[0]["field"] == "surname"
    with store.session() as s:
        fixed = s.get(QuarantinedRow, kept[0].id)
        assert fixed is not None
        assert fixed.status == "RESOLVED"
        assert fixed.edits
        assert fixed.edits[0]["old"] == "1990-34-07"
    with pytest.raises(InvalidData):
        retry_rejected(access, settings, [kept[0].id])  # resolved: nothing to re-run
    with pytest.raises(NotFound):
        retry_rejected(access, settings, [kept[1].id + 100])


def test_a_usable_file_leaves_the_quarantine_alone(store: Store, settings: Settings) -> None:
    build_estate(store)
    outcome = match_file(Access(store, SYSTEM, settings), settings, "ok.csv", ROWS[:1])
    assert outcome.rejected == []
    assert outcome.batch_id is None
    with store.session() as s:
        assert s.scalars(select(QuarantinedRow)).first() is None
