"""A :class:`~cellwatch.ingest.registry.KindHandler` for the lake's kinds.

It drives :mod:`cellwatch.ingest.lake_pipeline` inside the framework's batch
lifecycle: header check, batch, stage, append, quarantine, summary. A failure after
the lake append takes the batch's files back out, so a failed ingest leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cellwatch.errors import MalformedFile
from cellwatch.ingest.batches import IngestContext, begin_batch, finish_batch, quarantine_rows
from cellwatch.ingest.lake_lines import (
    WRONG_FIELDS,
    RejectedLine,
    csv_rejects,
    number_lines,
    rejected_problems,
)
from cellwatch.ingest.lake_pipeline import (
    LakeKind,
    LakeOutcome,
    good_ids,
    rejected_rows,
    stage,
    store_good,
)
from cellwatch.ingest.lake_source import open_quarantined, open_source
from cellwatch.ingest.model import (
    IngestSummary,
    Problem,
    QuarantineItem,
    RetryResult,
    SourceFile,
)
from cellwatch.ingest.scope import WriteLimit, WriteScope, write_limit
from cellwatch.lake.ingest_engine import Connection, ingest_connection, remove_batch
from cellwatch.store import Store


class LakeHandler:
    """Ingests one lake kind from CSV, JSON Lines or Parquet, and retries its quarantine."""

    # DuckDB checks every CSV row (rejects table), so sniff only hashes and samples.
    checks_csv_rows = True

    def __init__(
        self,
        name: str,
        make_kind: Callable[[Store, WriteLimit | None], LakeKind],
        scope: WriteScope | None = None,
    ) -> None:
        self._name = name
        self._make_kind = make_kind
        self._scope = scope

    def _kind(self, ctx: IngestContext) -> LakeKind:
        """The kind, limited to the establishments the user running ``ctx`` writes for."""
        limit = write_limit(ctx, self._scope) if self._scope is not None else None
        return self._make_kind(ctx.store, limit)

    @property
    def name(self) -> str:
        """The kind's canonical name."""
        return self._name

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        """Validate ``source`` in DuckDB, append the new rows, quarantine the bad ones."""
        kind = self._kind(ctx)
        missing = [c for c in kind.required_columns if c not in source.header]
        if missing:
            raise MalformedFile(source.name, f"required column(s) missing: {', '.join(missing)}")
        con, root = ingest_connection(ctx.settings)
        try:
            columns = open_source(con, source)
            batch_id = begin_batch(ctx, self._name, source)
            summary = IngestSummary(kind=self._name, file=source.name, batch_id=batch_id)
            summary.unknown_columns = [c for c in columns if c not in kind.known_columns]
            self._run(ctx, con, kind, columns, root, batch_id, summary, source)
            return summary
        finally:
            con.close()

    def _run(
        self,
        ctx: IngestContext,
        con: Connection,
        kind: LakeKind,
        columns: tuple[str, ...],
        root: Path,
        batch_id: int,
        summary: IngestSummary,
        source: SourceFile,
    ) -> LakeOutcome:
        try:
            stage(con, kind, columns)
            # Before anything is stored: a CSV error other than a field count is fatal.
            misfits = csv_rejects(con, source) if source.format == "csv" else []
            number_lines(con, source, misfits)
            outcome = store_good(con, kind, root, batch_id)
            quarantine_rows(
                ctx,
                batch_id,
                self._name,
                source.name,
                _merged(rejected_rows(con), misfits),
            )
            # Counted again from DuckDB rather than from the generator, for the reasons.
            _fill(summary, outcome, con)
            if misfits:
                summary.read += len(misfits)
                summary.quarantined += len(misfits)
                summary.reasons[WRONG_FIELDS] = len(misfits)
            finish_batch(ctx, batch_id, summary)
        except BaseException as exc:
            remove_batch(root, self._name, batch_id)
            finish_batch(ctx, batch_id, summary, error=f"{type(exc).__name__}: {exc}")
            raise
        return outcome

    def retry(
        self, ctx: IngestContext, batch_id: int, rows: Sequence[QuarantineItem]
    ) -> RetryResult:
        """Re-validate quarantined rows; store those that now pass under ``batch_id``."""
        summary = IngestSummary(kind=self._name, file="quarantine retry", batch_id=batch_id)
        result = RetryResult(summary=summary)
        if not rows:
            return result
        kind = self._kind(ctx)
        con, root = ingest_connection(ctx.settings)
        try:
            columns = open_quarantined(con, rows)
            stage(con, kind, columns)
            number_lines(con, None, [])
            outcome = store_good(con, kind, root, batch_id)
            result.resolved = good_ids(con)
            for _line, _raw, problems, qid in rejected_rows(con):
                if qid is not None:
                    result.failed[int(qid)] = problems
            _fill(summary, outcome, con)
        except BaseException:
            remove_batch(root, self._name, batch_id)
            raise
        finally:
            con.close()
        return result


def _merged(
    rows: Iterator[tuple[int, dict[str, Any], list[Problem], int | None]],
    misfits: list[RejectedLine],
) -> Iterator[tuple[int, dict[str, Any], list[Problem]]]:
    """Rejected staged rows and rows of the wrong width, in line order (both are)."""
    pending = list(misfits)
    for line, raw, problems, _qid in rows:
        while pending and pending[0].line < line:
            first = pending.pop(0)
            yield first.line, first.raw, rejected_problems()
        yield line, raw, problems
    for rest in pending:
        yield rest.line, rest.raw, rejected_problems()


def _fill(summary: IngestSummary, outcome: LakeOutcome, con: Connection) -> None:
    summary.read = outcome.read
    summary.accepted = outcome.accepted
    summary.duplicates = outcome.duplicates
    summary.quarantined = outcome.rejected
    for name, count in outcome.flagged.items():
        summary.flag(name, count)
    reasons = con.execute(
        "SELECT CASE WHEN p.field <> '' THEN p.field || ': ' || p.reason ELSE p.reason END, "
        "count(*) FROM (SELECT unnest(_problems) AS p FROM staged) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    summary.reasons = {str(k): int(n) for k, n in reasons}
