"""The quarantine: rejected rows kept whole, listed, fixed by hand, retried or discarded.

A row is OPEN until a retry stores it (RESOLVED) or an analyst gives up on it
(DISCARDED, with a reason). Edits change the raw row and are kept in ``edits``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cellwatch.errors import Conflict, InvalidData, NotFound
from cellwatch.ingest.batches import CHUNK, IngestContext, begin_batch, finish_batch
from cellwatch.ingest.model import IngestSummary, QuarantineItem, RetryResult
from cellwatch.ingest.registry import canonical_kind, get_handler
from cellwatch.ingest.sniff import normalise_column
from cellwatch.store import QuarantinedRow, Store, utcnow

# Reference data first, so that a retry of everything lets later kinds find it.
RETRY_ORDER = (
    "establishments",
    "locations",
    "prisoners",
    "sensors",
    "occupancy",
    "seizures",
    "allow_list",
    "pin_contacts",
)


def row_to_dict(row: QuarantinedRow, full: bool = False) -> dict[str, Any]:
    """A JSON-ready view of a quarantined row (``full`` adds raw values and edits)."""
    data: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "batch_id": row.batch_id,
        "file": row.file_name,
        "line": row.line,
        "field": row.field,
        "reason": row.reason,
        "status": row.status,
        "problems": row.problems,
    }
    if full:
        data |= {
            "raw": row.raw,
            "edits": row.edits or [],
            "created_at": row.created_at,
            "resolved_at": row.resolved_at,
            "resolved_batch_id": row.resolved_batch_id,
            "resolved_by": row.resolved_by,
            "note": row.note,
        }
    return data


def list_rows(
    store: Store,
    kind: str | None = None,
    batch_id: int | None = None,
    status: str | None = "OPEN",
    limit: int | None = 1000,
) -> list[dict[str, Any]]:
    """Quarantined rows, oldest first, filtered by kind, batch and status (None: any)."""
    query = select(QuarantinedRow).order_by(QuarantinedRow.id)
    if kind:
        query = query.where(QuarantinedRow.kind == canonical_kind(kind))
    if batch_id is not None:
        query = query.where(QuarantinedRow.batch_id == batch_id)
    if status:
        query = query.where(QuarantinedRow.status == status.upper())
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [row_to_dict(row) for row in session.scalars(query)]


def open_counts(store: Store) -> dict[str, int]:
    """Open quarantined rows per kind."""
    query = (
        select(QuarantinedRow.kind, func.count())
        .where(QuarantinedRow.status == "OPEN")
        .group_by(QuarantinedRow.kind)
    )
    with store.session() as session:
        return {str(kind): int(n) for kind, n in session.execute(query)}


def show_row(store: Store, row_id: int) -> dict[str, Any]:
    """One quarantined row in full; raises :class:`NotFound`."""
    with store.session() as session:
        return row_to_dict(_get(session, row_id), full=True)


def fix_row(ctx: IngestContext, row_id: int, changes: dict[str, str]) -> dict[str, Any]:
    """Edit an OPEN row's raw values (an empty value clears the field); keep the edit trail."""
    if not changes:
        raise InvalidData("nothing to change: give FIELD=VALUE")
    with ctx.store.session() as session:
        row = _get(session, row_id, open_only=True)
        raw = dict(row.raw)
        edits = list(row.edits or [])
        now = utcnow().isoformat()
        for name, value in changes.items():
            field = normalise_column(name)
            new = value.strip() or None
            edits.append(
                {"field": field, "old": raw.get(field), "new": new, "by": ctx.principal, "at": now}
            )
            raw[field] = new
        row.raw = raw
        row.edits = edits
        session.flush()
        return row_to_dict(row, full=True)


def discard_row(ctx: IngestContext, row_id: int, reason: str) -> dict[str, Any]:
    """Give up on an OPEN row, saying why; it stays for the record."""
    if not reason.strip():
        raise InvalidData("a reason is required to discard a row")
    with ctx.store.session() as session:
        row = _get(session, row_id, open_only=True)
        row.status = "DISCARDED"
        row.note = reason.strip()
        row.resolved_at = utcnow()
        row.resolved_by = ctx.principal
        session.flush()
        return row_to_dict(row, full=True)


def retry_rows(
    ctx: IngestContext,
    ids: Sequence[int] = (),
    kind: str | None = None,
    everything: bool = False,
) -> list[IngestSummary]:
    """Re-validate OPEN rows (by id, by kind, or all); those that pass go in, RESOLVED.

    Returns one summary per kind retried, reference kinds first.
    """
    if not (ids or kind or everything):
        raise InvalidData("say which rows to retry: IDs, --kind or --all")
    from cellwatch.ingest.recovery import ingest_running

    summaries = []
    with ingest_running(ctx):
        by_kind = _open_items(ctx.store, ids, kind)
        for name in sorted(by_kind, key=_retry_rank):
            handler = get_handler(name)
            items = by_kind[name]
            batch_id = begin_batch(ctx, handler.name, None,
                                   file_name=f"retry of {len(items)} row(s)")
            try:
                result = handler.retry(ctx, batch_id, items)
            except Exception as exc:
                finish_batch(ctx, batch_id, IngestSummary(kind=handler.name, file="retry"),
                             error=f"{type(exc).__name__}: {exc}")
                raise
            _settle(ctx, batch_id, result)
            summaries.append(result.summary)
    return summaries


def _retry_rank(kind: str) -> tuple[int, str]:
    return (RETRY_ORDER.index(kind) if kind in RETRY_ORDER else len(RETRY_ORDER), kind)


def _open_items(
    store: Store, ids: Sequence[int], kind: str | None
) -> dict[str, list[QuarantineItem]]:
    query = select(QuarantinedRow).where(QuarantinedRow.status == "OPEN")
    if kind:
        query = query.where(QuarantinedRow.kind == canonical_kind(kind))
    by_kind: dict[str, list[QuarantineItem]] = {}
    with store.session() as session:
        if ids:
            for wanted in ids:
                _get(session, wanted, open_only=True)
            query = query.where(QuarantinedRow.id.in_(list(ids)))
        for row in session.scalars(query.order_by(QuarantinedRow.id)):
            item = QuarantineItem(row.id, row.batch_id, row.file_name, row.line, dict(row.raw))
            by_kind.setdefault(row.kind, []).append(item)
    return by_kind


def _settle(ctx: IngestContext, batch_id: int, result: RetryResult) -> None:
    now = utcnow()
    with ctx.store.session() as session:
        # The batch closes with the rows it resolved, in one transaction (a lake kind's
        # handler leaves it RUNNING; a row-wise one has closed it already).
        finish_batch(ctx, batch_id, result.summary, session=session)
        resolved = list(result.resolved)
        for start in range(0, len(resolved), CHUNK):
            chunk = resolved[start : start + CHUNK]
            for row in session.scalars(select(QuarantinedRow).where(QuarantinedRow.id.in_(chunk))):
                row.status = "RESOLVED"
                row.resolved_at = now
                row.resolved_batch_id = batch_id
                row.resolved_by = ctx.principal
        failed = list(result.failed)
        for start in range(0, len(failed), CHUNK):
            chunk = failed[start : start + CHUNK]
            for row in session.scalars(select(QuarantinedRow).where(QuarantinedRow.id.in_(chunk))):
                problems = result.failed[row.id] or []
                row.problems = [p.to_dict() for p in problems]
                if problems:
                    row.field = problems[0].field
                    row.reason = problems[0].reason[:500]


def _get(session: Session, row_id: int, open_only: bool = False) -> QuarantinedRow:
    row = session.get(QuarantinedRow, row_id)
    if row is None:
        raise NotFound(f"no quarantined row {row_id}")
    if open_only and row.status != "OPEN":
        raise Conflict(f"quarantined row {row_id} is {row.status}, not OPEN")
    return row
