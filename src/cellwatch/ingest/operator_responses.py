"""The ``operator_responses`` ingest kind: operators' answers to TRO order lines.

Format (CSV or JSON Lines, documented in docs/tro.md): ``order_ref``, ``identifier``,
``outcome`` (DONE, NOT_FOUND, ALREADY_DISCONNECTED, DISPUTED) and ``actioned_ts`` are
required; ``operator_ref`` and ``notes`` optional. The rules live in
:mod:`cellwatch.tro.responses`; this module only fits them to the ingest framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.models import Organisation
from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE, OrgKind
from cellwatch.errors import MalformedFile
from cellwatch.ingest.batches import IngestContext, begin_batch, finish_batch, quarantine_rows
from cellwatch.ingest.model import IngestSummary, Problem, QuarantineItem, RetryResult, SourceFile
from cellwatch.ingest.scope import writer_of
from cellwatch.ingest.sniff import read_rows
from cellwatch.tro.models import TroApplication, TroLine
from cellwatch.tro.responses import (
    COLUMNS,
    REQUIRED,
    ApplyResult,
    OperatorResponse,
    apply_responses,
    clean_response,
)

KIND = "operator_responses"


@dataclass(frozen=True)
class OperatorResponsesKind:
    """Takes operator response files; bad or unmatched rows are quarantined."""

    @property
    def name(self) -> str:
        return KIND

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        missing = [c for c in REQUIRED if c not in source.header]
        if missing:
            raise MalformedFile(source.name, f"missing required column(s): {', '.join(missing)}", 1)
        rows = list(read_rows(source))
        summary = IngestSummary(kind=KIND, file=source.name, read=len(rows),
                                unknown_columns=[c for c in source.header if c not in COLUMNS])
        summary.batch_id = batch_id = begin_batch(ctx, KIND, source)
        items = [(row.line, row.values, list(row.problems)) for row in rows]
        failed = self._load(ctx, batch_id, items, summary)
        count, reasons = quarantine_rows(ctx, batch_id, KIND, source.name, failed)
        summary.quarantined += count
        for reason, n in reasons.items():
            summary.reasons[reason] = summary.reasons.get(reason, 0) + n
        finish_batch(ctx, batch_id, summary)
        return summary

    def retry(
        self, ctx: IngestContext, batch_id: int, rows: Sequence[QuarantineItem]
    ) -> RetryResult:
        summary = IngestSummary(kind=KIND, file="quarantine retry", batch_id=batch_id,
                                read=len(rows))
        items: list[tuple[int, dict[str, object], list[Problem]]] = [
            (r.line, dict(r.raw), []) for r in rows
        ]
        failed = self._load(ctx, batch_id, items, summary)
        for _line, _raw, problems in failed:
            summary.add_problems(problems)
        finish_batch(ctx, batch_id, summary)
        problems_of = {id(raw): problems for _line, raw, problems in failed}
        return RetryResult(
            summary=summary,
            resolved=[r.id for r, (_l, raw, _p) in zip(rows, items, strict=True)
                      if id(raw) not in problems_of],
            failed={r.id: problems_of[id(raw)] for r, (_l, raw, _p) in zip(rows, items, strict=True)
                    if id(raw) in problems_of},
        )

    @staticmethod
    def _load(
        ctx: IngestContext, batch_id: int,
        items: list[tuple[int, dict[str, object], list[Problem]]], summary: IngestSummary,
    ) -> list[tuple[int, dict[str, object], list[Problem]]]:
        """Apply the clean rows; return the rows that failed with their problems."""
        failed: list[tuple[int, dict[str, object], list[Problem]]] = []
        clean: list[OperatorResponse] = []
        origin: list[tuple[int, dict[str, object]]] = []
        for line, raw, read_problems in items:
            response, problems = clean_response(raw)
            all_problems = read_problems + [Problem(f, r) for f, r in problems]
            if response is None or all_problems:
                failed.append((line, raw, all_problems))
            elif not answerable(ctx, response):
                # Refused with the very reason an unknown line gets: no probing for orders.
                failed.append((line, raw, [Problem(None, unknown_line(response))]))
            else:
                clean.append(response)
                origin.append((line, raw))
        result: ApplyResult = apply_responses(ctx.store, ctx.settings, ctx.principal, clean,
                                              batch_id, [line for line, _ in origin])
        for i, reasons in result.rejected.items():
            line, raw = origin[i]
            failed.append((line, raw, [Problem(f, r) for f, r in reasons]))
        summary.accepted += result.stored
        summary.duplicates += result.duplicates
        return failed


def unknown_line(response: OperatorResponse) -> str:
    """The reason a response to a line that is not there (for the writer) is refused."""
    return f"{response.identifier} is not on order {response.order_ref}"


def answerable(ctx: IngestContext, response: OperatorResponse) -> bool:
    """Whether the user running the ingest may answer the order line ``response`` names.

    As ``/operator/lines/{id}/response`` decides: an operator answers the lines of its own
    network; the prison service answers for the establishments of its geography (a team
    loading the file its operator sent it); ``system`` anything; nobody else anything.
    """
    with ctx.store.session() as session:
        writer = writer_of(ctx, session)
        if writer is None:
            return False
        if writer.is_system:
            return True
        found = session.execute(
            select(TroApplication.establishment, TroLine.operator)
            .join(TroLine, TroLine.application_id == TroApplication.id)
            .where(TroApplication.ref == response.order_ref,
                   TroLine.identifier == response.identifier)).first()
        if found is None:
            return False
        return _answers_for(session, writer, found.establishment, found.operator)


def _answers_for(session: Session, writer: Principal, establishment: str,
                 operator: str | None) -> bool:
    if writer.org_kind is OrgKind.OPERATOR:
        network = session.scalar(select(Organisation.network).where(
            Organisation.code == writer.org_code))
        return network is not None and operator is not None and network == operator
    return writer.org_kind in PRISON_SERVICE and writer.covers(establishment)


def handler() -> OperatorResponsesKind:
    """The kind's handler, as the ingest registry expects of a module kind."""
    return OperatorResponsesKind()
