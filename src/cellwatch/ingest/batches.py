"""The batch lifecycle (who loaded which file, when, with what result) and quarantine writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cellwatch.ingest.model import IngestSummary, Problem, SourceFile
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, Store, utcnow

# Rows per INSERT statement: keeps every engine well under its bound-parameter limit.
CHUNK = 1000
# Files with fewer rows than this get no progress bar.
PROGRESS_MIN_ROWS = 20_000


@dataclass(frozen=True)
class IngestContext:
    """What an ingest needs: the store, settings, who runs it, and whether to show progress."""

    store: Store
    settings: Settings
    principal: str
    progress: bool = False

    @classmethod
    def create(cls, store: Store, settings: Settings, progress: bool = False) -> IngestContext:
        """A context acting as ``settings.principal``."""
        return cls(store, settings, settings.principal, progress)


def begin_batch(
    ctx: IngestContext, kind: str, source: SourceFile | None, file_name: str | None = None
) -> int:
    """Record a RUNNING batch for ``source`` (None for a quarantine retry) and return its id."""
    with ctx.store.session() as session:
        batch = IngestBatch(
            kind=kind,
            file_name=source.name if source else (file_name or "quarantine retry"),
            file_sha256=source.sha256 if source else "",
            file_size=source.size if source else 0,
            file_format=source.format if source else "retry",
            run_by=ctx.principal,
            started_at=utcnow(),
            status="RUNNING",
        )
        session.add(batch)
        session.flush()
        return batch.id


def finish_batch(
    ctx: IngestContext,
    batch_id: int,
    summary: IngestSummary,
    *,
    error: str | None = None,
    session: Session | None = None,
) -> None:
    """Close a batch: DONE with the summary's counts, or FAILED with ``error``.

    Pass ``session`` to close it in the same transaction as the rows it stored.
    """
    if session is None:
        with ctx.store.session() as own:
            _close(own, batch_id, summary, error)
    else:
        _close(session, batch_id, summary, error)


def _close(session: Session, batch_id: int, summary: IngestSummary, error: str | None) -> None:
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        return
    batch.finished_at = utcnow()
    batch.status = "FAILED" if error else "DONE"
    batch.error = error
    batch.rows_read = summary.read
    batch.rows_accepted = summary.accepted
    batch.rows_updated = summary.updated
    batch.rows_duplicate = summary.duplicates
    batch.rows_quarantined = summary.quarantined
    batch.flagged = dict(summary.flagged) or None
    batch.unknown_columns = list(summary.unknown_columns) or None


def already_ingested(ctx: IngestContext, kind: str, source: SourceFile) -> IngestSummary | None:
    """If this very file (by sha256) went in completely for ``kind``, a no-op summary.

    The summary reports every row as a duplicate and points at the earlier batch.
    """
    with ctx.store.session() as session:
        batch = session.scalars(
            select(IngestBatch)
            .where(IngestBatch.kind == kind)
            .where(IngestBatch.file_sha256 == source.sha256)
            .where(IngestBatch.status == "DONE")
            .order_by(IngestBatch.id)
            .limit(1)
        ).first()
        if batch is None:
            return None
        return IngestSummary(
            kind=kind,
            file=source.name,
            batch_id=batch.id,
            read=batch.rows_read,
            duplicates=batch.rows_read,
            unknown_columns=list(batch.unknown_columns or []),
            already_ingested=True,
        )


def quarantine_rows(
    ctx: IngestContext,
    batch_id: int,
    kind: str,
    file: str,
    rows: Iterable[tuple[int, dict[str, Any], Iterable[Problem]]],
    *,
    session: Session | None = None,
) -> tuple[int, dict[str, int]]:
    """Bulk-insert rejected rows, each with all its problems; return (rows, reason counts).

    Pass ``session`` to write in the same transaction as the accepted rows.
    """
    if session is None:
        with ctx.store.session() as own:
            return _insert_quarantine(own, batch_id, kind, file, rows)
    return _insert_quarantine(session, batch_id, kind, file, rows)


def _insert_quarantine(
    session: Session,
    batch_id: int,
    kind: str,
    file: str,
    rows: Iterable[tuple[int, dict[str, Any], Iterable[Problem]]],
) -> tuple[int, dict[str, int]]:
    count = 0
    reasons: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    now = utcnow()
    for line, raw, found in rows:
        problems = list(found) or [Problem(None, "rejected")]
        for problem in problems:
            reasons[problem.key] = reasons.get(problem.key, 0) + 1
        pending.append(_quarantine_values(batch_id, kind, file, line, raw, problems, now))
        count += 1
        if len(pending) >= CHUNK:
            session.execute(insert(QuarantinedRow), pending)
            pending = []
    if pending:
        session.execute(insert(QuarantinedRow), pending)
    return count, reasons


def _quarantine_values(
    batch_id: int,
    kind: str,
    file: str,
    line: int,
    raw: dict[str, Any],
    problems: list[Problem],
    now: Any,
) -> dict[str, Any]:
    first = problems[0]
    return {
        "batch_id": batch_id,
        "kind": kind,
        "file_name": file,
        "line": line,
        "field": first.field,
        "reason": first.reason[:500],
        "problems": [p.to_dict() for p in problems],
        "raw": raw,
        "status": "OPEN",
        "created_at": now,
    }


@contextmanager
def progress_bar(ctx: IngestContext, total: int, label: str) -> Iterator[Any]:
    """Yield ``advance(n)``: a Rich progress bar on stderr for big files, else a no-op."""
    if not ctx.progress or total < PROGRESS_MIN_ROWS:
        yield lambda _n=1: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)
