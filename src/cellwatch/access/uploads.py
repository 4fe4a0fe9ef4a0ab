"""Ingest through the policy: uploads, one quarantined row, and retrying it.

The file itself is parsed by the same framework as ``cellwatch ingest``
(:func:`cellwatch.ingest.framework.ingest_file`), and the alert rules then run once
through the same :func:`cellwatch.alerts.engine.run_after_ingest`; what this module adds
is the decision
(the ingest-batch permission, and :func:`~cellwatch.access.roles.may_ingest` for the
kind) and the audit entry. Batches are run as the principal, so they are "their own"
for the quarantine rules afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource, may_ingest
from cellwatch.access.service import Access, Denied
from cellwatch.alerts.engine import run_after_ingest
from cellwatch.errors import NotFound

# Re-exported: cellwatch.api.upload imports it from here; it lives in the one hierarchy.
from cellwatch.errors import UploadTooLarge as UploadTooLarge
from cellwatch.ingest.framework import IngestContext, IngestSummary, canonical_kind, ingest_file
from cellwatch.ingest.quarantine import retry_rows
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str | None, default: str = "upload.csv") -> str:
    """A client's file name reduced to a harmless base name (the extension helps sniffing).

    >>> safe_file_name("../../etc/passwd")
    'passwd'
    """
    base = _UNSAFE.sub("_", Path((name or "").replace("\\", "/")).name).strip("._")[:100]
    return base or default


def check_ingest(access: Access, kind: str) -> str:
    """The canonical kind, if the principal may load it; otherwise :class:`Denied` (audited)."""
    name = canonical_kind(kind)
    target = Target(Resource.INGEST_BATCH, name)
    with access.transaction():
        access.check(Action.CREATE, target, role_only=True)
        p = access.principal
        if not (p.is_system or may_ingest(p.roles, p.org_kind, name)):
            raise Denied(f"{p.username} may not load {name}", Action.CREATE, target, None)
    return name


def ingest_upload(access: Access, settings: Settings, kind: str, path: Path) -> IngestSummary:
    """Ingest a file already received, as the principal; the summary is audited."""
    name = check_ingest(access, kind)
    ctx = IngestContext(access.store, settings, access.principal.username)
    summary = ingest_file(ctx, name, path)
    with access.transaction() as s:
        access.audit(s, "ingest", Target(Resource.INGEST_BATCH, str(summary.batch_id)),
                     detail={"kind": name, "file": path.name, **_counts(summary)})
    # The same single post-ingest rule run as ``cellwatch ingest`` (after the audit: a
    # failing rule does not unmake an ingest that happened).
    run_after_ingest(settings, access.store, [summary])
    return summary


def _counts(summary: IngestSummary) -> dict[str, object]:
    return {"read": summary.read, "accepted": summary.accepted, "updated": summary.updated,
            "duplicates": summary.duplicates, "quarantined": summary.quarantined,
            "already_ingested": summary.already_ingested}


def _row_target(access: Access, row_id: int) -> tuple[Target, str]:
    with access.facts() as s:
        row = s.get(QuarantinedRow, row_id)
        if row is None:
            raise NotFound(f"quarantined row {row_id} not found")
        batch = s.get(IngestBatch, row.batch_id)
        owner = batch.run_by if batch is not None else None
        return Target(Resource.QUARANTINE, str(row_id), owner_user=owner), row.kind


def get_quarantined(access: Access, row_id: int) -> QuarantinedRow:
    """One quarantined row (raw values included: they may hold personal data, so audited)."""
    target, _ = _row_target(access, row_id)
    with access.transaction() as s:
        access.check(Action.READ, target)
        row = s.get(QuarantinedRow, row_id)
        if row is None:
            raise NotFound(f"quarantined row {row_id} not found")
        access.audit(s, "read", target)
        return row


def retry_quarantined(access: Access, settings: Settings, row_id: int
                      ) -> tuple[QuarantinedRow, IngestSummary]:
    """Re-validate one OPEN row (after its references arrived or it was fixed)."""
    target, kind = _row_target(access, row_id)
    with access.transaction():
        access.check(Action.UPDATE, target)
        p = access.principal
        if not (p.is_system or may_ingest(p.roles, p.org_kind, kind)):
            raise Denied(f"{p.username} may not load {kind}", Action.UPDATE, target, None)
    ctx = IngestContext(access.store, settings, access.principal.username)
    [summary] = retry_rows(ctx, ids=[row_id])
    # A row that went in on retry is new data to the rules, as from an upload.
    run_after_ingest(settings, access.store, [summary])
    with access.transaction() as s:
        row = s.get(QuarantinedRow, row_id)
        if row is None:  # pragma: no cover - rows are never deleted
            raise NotFound(f"quarantined row {row_id} not found")
        access.audit(s, "retry", target, detail={"kind": kind, "status": row.status,
                                                 "batch_id": summary.batch_id})
        return row, summary
