"""Ingest batches and quarantined rows, listed through the policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import own_or_national
from cellwatch.access.service import Access, Page, not_found
from cellwatch.ingest.quarantine import row_to_dict
from cellwatch.store import IngestBatch, QuarantinedRow
from cellwatch.store.listing import Order, SortColumn, sorted_by


def list_batches(access: Access, page: Page = Page(), kind: str | None = None,
                 status: str | None = None) -> list[IngestBatch]:
    """Batches the principal ran (all of them for the national level)."""
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.INGEST_BATCH), role_only=True)
        query = select(IngestBatch).where(own_or_national(
            access.principal, IngestBatch.run_by == access.principal.username))
        if kind:
            query = query.where(IngestBatch.kind == kind)
        if status:
            query = query.where(IngestBatch.status == status.upper())
        return list(s.scalars(query.order_by(IngestBatch.id.desc())
                              .limit(page.limit).offset(page.offset)))


def get_batch(access: Access, batch_id: int) -> IngestBatch:
    """One batch, if the principal ran it or works nationally (else answered as unknown)."""
    access.require_role(Action.READ, Resource.INGEST_BATCH, str(batch_id))
    with access.facts() as s:
        batch = s.get(IngestBatch, batch_id)
        if batch is None:
            raise not_found(Resource.INGEST_BATCH, batch_id)
    target = Target(Resource.INGEST_BATCH, str(batch_id), owner_user=batch.run_by)
    with access.transaction() as s:
        access.check(Action.READ, target)
        return batch


# What the quarantine may be sorted by.
QUARANTINE_SORTS: dict[str, SortColumn] = {
    "id": QuarantinedRow.id, "kind": QuarantinedRow.kind, "batch_id": QuarantinedRow.batch_id,
    "line": QuarantinedRow.line, "reason": QuarantinedRow.reason,
    "status": QuarantinedRow.status, "created_at": QuarantinedRow.created_at}


def list_quarantine(access: Access, page: Page = Page(), kind: str | None = None,
                    status: str | None = None, batch_id: int | None = None, *,
                    since: datetime | None = None, before: datetime | None = None,
                    order: Order | None = None) -> list[QuarantinedRow]:
    """Quarantined rows of batches the principal may see, oldest first or in ``order``;
    ``since``/``before`` bound when quarantined. Raw rows can hold personal data."""
    target = Target(Resource.QUARANTINE)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        mine = QuarantinedRow.batch_id.in_(select(IngestBatch.id).where(
            IngestBatch.run_by == access.principal.username))
        query = select(QuarantinedRow).where(own_or_national(access.principal, mine))
        if kind:
            query = query.where(QuarantinedRow.kind == kind)
        if status:
            query = query.where(QuarantinedRow.status == status.upper())
        if batch_id is not None:
            query = query.where(QuarantinedRow.batch_id == batch_id)
        if since is not None:
            query = query.where(QuarantinedRow.created_at >= since)
        if before is not None:
            query = query.where(QuarantinedRow.created_at < before)
        query = sorted_by(query.order_by(QuarantinedRow.id), QUARANTINE_SORTS, order,
                          QuarantinedRow.id)
        rows = list(s.scalars(query.limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target, detail={"returned": [r.id for r in rows]})
        return rows


def open_quarantined_row(access: Access, row_id: int) -> dict[str, Any]:
    """One OPEN quarantined row in full, for its page: a row of a batch the principal may
    not see, or one no longer open, answers as an unknown row (the role is decided first,
    so it is refused alike too). Raw rows can hold personal data: the read is audited."""
    access.require_role(Action.READ, Resource.QUARANTINE, str(row_id))
    target = Target(Resource.QUARANTINE, str(row_id))
    with access.transaction() as s:
        mine = QuarantinedRow.batch_id.in_(select(IngestBatch.id).where(
            IngestBatch.run_by == access.principal.username))
        row = s.scalars(select(QuarantinedRow).where(
            QuarantinedRow.id == row_id, QuarantinedRow.status == "OPEN",
            own_or_national(access.principal, mine))).first()
        if row is None:
            raise not_found(Resource.QUARANTINE, row_id)
        access.audit(s, "read", target)
        return row_to_dict(row, full=True)
