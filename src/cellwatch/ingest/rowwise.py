"""Row-wise kinds (reference data, seizures): validated in Python, stored in the store.

One handler class serves every kind in ``kinds.yaml``. A file is read whole (reference
files are small enough), validated row by row, its references resolved in bulk, and then
written in one transaction with batched INSERTs and UPDATEs, so a 100k-row file costs a
few hundred round trips rather than one per row. Seizures, the one row-wise kind a local
team loads, are checked against the scope of the user who runs the ingest first
(:mod:`cellwatch.ingest.scope`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from sqlalchemy.orm import Session

from cellwatch.errors import MalformedFile
from cellwatch.ingest.batches import (
    IngestContext,
    begin_batch,
    finish_batch,
    progress_bar,
    quarantine_rows,
)
from cellwatch.ingest.model import IngestSummary, QuarantineItem, RetryResult, SourceFile
from cellwatch.ingest.scope import WriteScope
from cellwatch.ingest.sniff import read_rows
from cellwatch.ingest.specs import KindSpec, kind_specs
from cellwatch.ingest.upsert import load_checked
from cellwatch.ingest.validate import Checked, check_row

# Row-wise kinds checked against the writer's scope. The rest are reference data, which
# uploads take only from a national organisation (roles.may_ingest). A seizure is read by
# geography (its establishment), so it is written by geography too.
SCOPES: Mapping[str, WriteScope] = MappingProxyType({"seizures": WriteScope("seizures")})


@dataclass(frozen=True)
class RowwiseHandler:
    """Takes one row-wise kind, as its :class:`KindSpec` describes it."""

    spec: KindSpec
    scope: WriteScope | None = None

    @property
    def name(self) -> str:
        """The kind's canonical name."""
        return self.spec.name

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        """Validate and store ``source``; bad rows are quarantined, the rest go in."""
        missing = [name for name in self.spec.required if name not in source.header]
        if missing:
            raise MalformedFile(source.name, f"missing required column(s): {', '.join(missing)}", 1)
        # Read everything first: a file that turns out malformed must change nothing.
        rows = list(read_rows(source))
        known = self.spec.field_names
        summary = IngestSummary(
            kind=self.name,
            file=source.name,
            read=len(rows),
            unknown_columns=[name for name in source.header if name not in known],
        )
        summary.batch_id = batch_id = begin_batch(ctx, self.name, source)
        try:
            with progress_bar(ctx, len(rows), f"{self.name}: {source.path.name}") as advance:
                checked = []
                for row in rows:
                    checked.append(check_row(self.spec, row.line, row.values, row.problems))
                    advance(1)
            with ctx.store.session() as session:
                failed = self._load(ctx, session, batch_id, checked, summary)
                count, reasons = quarantine_rows(
                    ctx,
                    batch_id,
                    self.name,
                    source.name,
                    ((c.line, c.raw, c.problems) for c in failed),
                    session=session,
                )
                _add_quarantined(summary, count, reasons)
                finish_batch(ctx, batch_id, summary, session=session)
        except Exception as exc:
            finish_batch(ctx, batch_id, summary, error=str(exc))
            raise
        return summary

    def retry(
        self, ctx: IngestContext, batch_id: int, rows: Sequence[QuarantineItem]
    ) -> RetryResult:
        """Re-validate quarantined rows; those that pass are stored under ``batch_id``."""
        summary = IngestSummary(
            kind=self.name, file="quarantine retry", batch_id=batch_id, read=len(rows)
        )
        checked: list[Checked] = [check_row(self.spec, r.line, dict(r.raw)) for r in rows]
        ids = {id(c): r.id for c, r in zip(checked, rows, strict=True)}
        try:
            with ctx.store.session() as session:
                failed = self._load(ctx, session, batch_id, checked, summary)
                for row in failed:
                    summary.add_problems(row.problems)
                finish_batch(ctx, batch_id, summary, session=session)
        except Exception as exc:
            finish_batch(ctx, batch_id, summary, error=str(exc))
            raise
        failing = {id(c) for c in failed}
        return RetryResult(
            summary=summary,
            resolved=[ids[id(c)] for c in checked if id(c) not in failing],
            failed={ids[id(c)]: list(c.problems) for c in failed},
        )

    def _load(self, ctx: IngestContext, session: Session, batch_id: int,
              checked: list[Checked], summary: IngestSummary) -> list[Checked]:
        # Scope first, so a refused row is never staged (upload and retry alike).
        if self.scope is not None:
            self.scope.check(ctx, session, checked)
        return load_checked(session, self.spec, batch_id, checked, summary)


def _add_quarantined(summary: IngestSummary, count: int, reasons: dict[str, int]) -> None:
    summary.quarantined += count
    for reason, n in reasons.items():
        summary.reasons[reason] = summary.reasons.get(reason, 0) + n


@cache
def rowwise_handlers() -> Mapping[str, RowwiseHandler]:
    """A handler for every kind in ``kinds.yaml``, by name (read-only)."""
    return MappingProxyType({name: RowwiseHandler(spec, SCOPES.get(name))
                             for name, spec in kind_specs().items()})
