"""Person matching as the shells call it: as the principal, authorised and audited.

:func:`match_file` scores the records of one file against the prisoners the principal
may see (the read of the prisoners is checked and audited by
:func:`cellwatch.matching.match.prisoners_for`); rows that cannot be matched are kept in
the quarantine (the ingest's table, kind :data:`KIND`, with file, line, field, reason and
the raw row) while the rest are matched. :func:`retry_rejected` re-runs such rows once
fixed (``cellwatch quarantine fix`` or ``changes`` here): those now usable are matched
and RESOLVED, the rest stay OPEN with their new reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access, not_found
from cellwatch.errors import InvalidData
from cellwatch.ingest.batches import IngestContext, begin_batch, finish_batch, quarantine_rows
from cellwatch.ingest.model import IngestSummary, Problem
from cellwatch.ingest.quarantine import fix_row
from cellwatch.matching.match import match_records
from cellwatch.matching.prepare import Rejected
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, utcnow

# The quarantine kind (and batch kind) of records a match could not use.
KIND = "match_people"
# The CLI's default: a candidate shown is more likely than not the person (docs/exchange.md
# says why 0.5 and how it was chosen on FEBRL3, not on the FEBRL4 figures reported).
DEFAULT_THRESHOLD = 0.5
# The spreadsheet's line of a record: the header is line 1.
FIRST_LINE = 2


@dataclass
class MatchOutcome:
    """Candidates (rank 1 best), the rows kept in quarantine, and Splink's training line."""

    matches: list[dict[str, Any]]
    rejected: list[dict[str, Any]] = field(default_factory=list)
    training: str = "training: no warnings"
    batch_id: int | None = None
    resolved: list[int] = field(default_factory=list)


def match_file(access: Access, settings: Settings, file_name: str,
               records: Sequence[Mapping[str, Any]], *,
               threshold: float = DEFAULT_THRESHOLD) -> MatchOutcome:
    """Match the records of ``file_name`` (rows in file order) against the prisoners the
    principal may see; unusable rows go to the quarantine under a batch of their own."""
    run = match_records(records, "prisoners", access=access, threshold=threshold)
    outcome = MatchOutcome(run.table.to_pylist(), training=run.training)
    if run.rejected:
        ctx = IngestContext(access.store, settings, access.principal.username)
        batch_id = begin_batch(ctx, KIND, None, file_name=file_name)
        stored = [(FIRST_LINE + r.row, _raw(records[r.row]), [Problem(r.field, r.reason)])
                  for r in run.rejected]
        summary = IngestSummary(kind=KIND, file=file_name, batch_id=batch_id,
                                read=len(records), accepted=len(records) - len(stored))
        with access.store.session() as s:
            quarantine_rows(ctx, batch_id, KIND, file_name, stored, session=s)
            for _, _, problems in stored:
                summary.add_problems(problems)
            finish_batch(ctx, batch_id, summary, session=s)
        outcome.batch_id = batch_id
        outcome.rejected = _open_rows(access, batch_id)
    with access.transaction() as s:
        access.audit(s, "match", Target(Resource.PRISONER), detail={
            "file": file_name, "records": len(records), "candidates": len(outcome.matches),
            "quarantined": len(outcome.rejected), "batch_id": outcome.batch_id})
    return outcome


def retry_rejected(access: Access, settings: Settings, ids: Sequence[int], *,
                   changes: Mapping[str, str] | None = None,
                   threshold: float = DEFAULT_THRESHOLD) -> MatchOutcome:
    """Re-run quarantined match rows (OPEN, of :data:`KIND`, which the principal may
    change); ``changes`` (FIELD=VALUE) first edit the one row given, keeping the trail."""
    if not ids:
        raise InvalidData("say which quarantined rows to match again", {"ids": ["none given"]})
    targets = [_check_row(access, row_id) for row_id in ids]
    ctx = IngestContext(access.store, settings, access.principal.username)
    if changes:
        if len(ids) != 1:
            raise InvalidData("changes apply to one row", {"ids": [f"{len(ids)} given"]})
        fix_row(ctx, ids[0], dict(changes))
    with access.store.session() as s:
        rows = {r.id: r for r in s.scalars(select(QuarantinedRow)
                                           .where(QuarantinedRow.id.in_(list(ids))))}
        raws = [{**rows[i].raw, "id": rows[i].raw.get("id") or f"quarantine {i}"} for i in ids]
        origin = {i: (rows[i].file_name, rows[i].line) for i in ids}
    run = match_records(raws, "prisoners", access=access, threshold=threshold)
    failed = {ids[r.row]: r for r in run.rejected}
    batch_id = begin_batch(ctx, KIND, None, file_name=f"retry of {len(ids)} row(s)")
    summary = IngestSummary(kind=KIND, file="retry", batch_id=batch_id, read=len(ids),
                            accepted=len(ids) - len(failed))
    with access.store.session() as s:
        for row in s.scalars(select(QuarantinedRow).where(QuarantinedRow.id.in_(list(ids)))):
            _settle(row, failed.get(row.id), batch_id, access.principal.username)
            if row.id in failed:
                summary.add_problems([Problem(failed[row.id].field, failed[row.id].reason)])
        finish_batch(ctx, batch_id, summary, session=s)
    with access.transaction() as s:
        for row_id, target in zip(ids, targets, strict=True):
            access.audit(s, "retry", target, detail={
                "kind": KIND, "status": "OPEN" if row_id in failed else "RESOLVED",
                "batch_id": batch_id, "fields": sorted(changes or {})})
    rejected = [{"id": i, "file": origin[i][0], "line": origin[i][1],
                 "record_id": r.record_id, "field": r.field, "reason": r.reason}
                for i, r in failed.items()]
    return MatchOutcome(run.table.to_pylist(), rejected, run.training, batch_id,
                        [i for i in ids if i not in failed])


def _raw(record: Mapping[str, Any]) -> dict[str, Any]:
    """The row as read, JSON-ready (a blank stays blank, anything else as text)."""
    return {str(k): (None if v is None or v == "" else str(v)) for k, v in record.items()}


def _open_rows(access: Access, batch_id: int) -> list[dict[str, Any]]:
    with access.store.session() as s:
        found = s.scalars(select(QuarantinedRow).where(QuarantinedRow.batch_id == batch_id)
                          .order_by(QuarantinedRow.id))
        return [{"id": r.id, "file": r.file_name, "line": r.line,
                 "record_id": str(r.raw.get("id") or r.line - FIRST_LINE),
                 "field": r.field, "reason": r.reason} for r in found]


def _check_row(access: Access, row_id: int) -> Target:
    """The quarantine's update permission on an OPEN match row (its batch's owner, or
    national); an unknown row, or one of another kind, is answered as not found."""
    access.require_role(Action.UPDATE, Resource.QUARANTINE, str(row_id))
    with access.facts() as s:
        row = s.get(QuarantinedRow, row_id)
        if row is None or row.kind != KIND:
            raise not_found(Resource.QUARANTINE, row_id)
        batch = s.get(IngestBatch, row.batch_id)
        target = Target(Resource.QUARANTINE, str(row_id),
                        owner_user=batch.run_by if batch is not None else None)
        status = row.status
    with access.transaction():
        access.check(Action.UPDATE, target)
    if status != "OPEN":
        raise InvalidData(f"quarantined row {row_id} is {status}, not OPEN",
                          {"id": [str(row_id)]})
    return target


def _settle(row: QuarantinedRow, failed: Rejected | None, batch_id: int, by: str) -> None:
    if failed is None:
        row.status, row.resolved_at = "RESOLVED", utcnow()
        row.resolved_batch_id, row.resolved_by = batch_id, by
        return
    row.field, row.reason = failed.field, failed.reason[:500]
    row.problems = [Problem(failed.field, failed.reason).to_dict()]
