"""The one upload and quarantine service behind the API and the web page: who may load
which kind, the size limit, and the same rules for changing a quarantined row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.access.models import AuditEntry, User
from cellwatch.access.roles import REFERENCE_KINDS
from cellwatch.access.service import Access
from cellwatch.errors import Denied, UploadTooLarge
from cellwatch.ingest.service import batches, uploads
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Prisoner, QuarantinedRow, Store

AsUser = Callable[[str], Access]
PRISONERS = ("prison_number,surname,forenames,establishment\n"
             "B1234CD,New,Arrival,HEI\n"
             "B9,Bad,Number,HEI\n")


def test_each_user_is_offered_only_the_kinds_they_may_load(as_user: AsUser) -> None:
    local_supervisor = set(uploads.loadable_kinds(as_user("hei_supervisor")))
    assert {"seizures", "intelligence_reports"} <= local_supervisor
    assert not local_supervisor & REFERENCE_KINDS
    local_admin = set(uploads.loadable_kinds(as_user("lei_admin")))
    assert "seizures" in local_admin
    assert not local_admin & REFERENCE_KINDS
    assert set(uploads.loadable_kinds(as_user("nat_admin"))) >= REFERENCE_KINDS
    assert uploads.loadable_kinds(as_user("hei_analyst")) == []
    # The list and the decision are the same rule.
    access = as_user("hei_supervisor")
    for kind in ("prisoners", "seizures"):
        allowed = kind in local_supervisor
        try:
            uploads.check_ingest(access, kind)
        except Denied:
            assert not allowed
        else:
            assert allowed


def test_a_file_over_the_limit_is_refused_before_anything_is_stored(
        as_user: AsUser, settings: Settings, estate: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(PRISONERS)
    small = settings.model_copy(update={"max_upload_bytes": path.stat().st_size - 1})
    with pytest.raises(UploadTooLarge):
        uploads.ingest_upload(as_user("nat_admin"), small, "prisoners", path)
    with estate.session() as s:
        assert s.scalars(select(IngestBatch)).first() is None
        assert s.get(Prisoner, "B1234CD") is None


def test_changing_a_quarantined_row_needs_the_right_to_load_its_kind(
        as_user: AsUser, settings: Settings, estate: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(PRISONERS)
    summary = uploads.ingest_upload(as_user("nat_admin"), settings, "prisoners", path)
    assert (summary.accepted, summary.quarantined) == (1, 1)
    with estate.session() as s:
        row_id = s.scalars(select(QuarantinedRow.id)).one()
        # A national supervisor sees every batch's quarantine, but loads no reference data.
        s.add(User(username="nat_supervisor", org_code="NIU", roles=["supervisor"],
                   password_hash="x", active=True, token_version=0))
    supervisor = as_user("nat_supervisor")
    assert row_id in {r.id for r in batches.list_quarantine(supervisor)}
    with pytest.raises(Denied):
        uploads.fix_quarantined(supervisor, settings, row_id, {"prison_number": "B9876ZY"})
    with pytest.raises(Denied):
        uploads.retry_quarantined_rows(supervisor, settings, [row_id])
    with pytest.raises(Denied):
        uploads.discard_quarantined(supervisor, settings, row_id, "not ours to load")
    with estate.session() as s:
        row = s.get(QuarantinedRow, row_id)
        assert row is not None
        assert (row.status, row.raw["prison_number"]) == ("OPEN", "B9")
        denied = s.scalars(select(AuditEntry.resource_id).where(
            AuditEntry.principal == "nat_supervisor", AuditEntry.outcome == "denied")).all()
        assert denied == [str(row_id)] * 3
    # The administrator who may load prisoners fixes it; the fix and the retry are audited.
    admin = as_user("nat_admin")
    uploads.fix_quarantined(admin, settings, row_id, {"prison_number": "B9876ZY"})
    [row], _ = uploads.retry_quarantined_rows(admin, settings, [row_id])
    assert row.status == "RESOLVED"
    with estate.session() as s:
        assert s.get(Prisoner, "B9876ZY") is not None
        done = s.scalars(select(AuditEntry).where(
            AuditEntry.principal == "nat_admin", AuditEntry.resource_type == "quarantine",
            AuditEntry.resource_id == str(row_id))).all()
        assert [(e.action, e.detail.get("fields")) for e in done] == [
            ("fix", ["prison_number"]), ("retry", None)]
