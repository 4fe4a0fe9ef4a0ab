"""The bundled prison register (MIT, Crown Copyright, Ministry of Justice) as establishments.

``cellwatch init`` loads it through the ordinary establishments pipeline, so it is
validated, recorded as a batch, and idempotent: the same register twice is a no-op.
The register also lists a few places whose codes are not HMPPS establishment codes
(secure training centres ``STC2``/``STC3``, NOMIS's ``ZZGHI`` ghost establishment);
the contract allows only three letters, so no file could ever refer to them: they are
left out, and counted in the summary as ``flagged["not_an_establishment_code"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cellwatch.ingest.batches import IngestContext, already_ingested, begin_batch, finish_batch
from cellwatch.ingest.model import IngestSummary, RawRow
from cellwatch.ingest.sniff import read_rows, sniff
from cellwatch.ingest.specs import kind_specs
from cellwatch.ingest.upsert import load_checked
from cellwatch.ingest.validate import check_row
from cellwatch.ingest.values import is_establishment_code

PRISONS_CSV = Path(__file__).parent / "data" / "prisons.csv"
KIND = "establishments"
# Register columns that the establishments kind names differently.
RENAMED = {"categories": "category"}
LEFT_OUT = "not_an_establishment_code"


def register_row(row: RawRow) -> dict[str, Any]:
    """One register row as an establishments row; the register's other columns go to extra."""
    return {RENAMED.get(name, name): value for name, value in row.values.items()}


def load_prisons(ctx: IngestContext, path: Path = PRISONS_CSV) -> IngestSummary:
    """Load the prison register into establishments (a no-op if already loaded)."""
    source = sniff(path)
    previous = already_ingested(ctx, KIND, source)
    if previous is not None:
        return previous
    spec = kind_specs()[KIND]
    rows = list(read_rows(source))
    kept = [row for row in rows
            if is_establishment_code(str(row.values.get("code") or "").strip())]
    checked = [check_row(spec, row.line, register_row(row), row.problems) for row in kept]
    summary = IngestSummary(kind=KIND, file=source.name, read=len(rows))
    if len(kept) < len(rows):
        summary.flag(LEFT_OUT, len(rows) - len(kept))
    summary.batch_id = batch_id = begin_batch(ctx, KIND, source)
    with ctx.store.session() as session:
        for row in load_checked(session, spec, batch_id, checked, summary):
            # The bundled file is known good; a reject here is a bug worth failing loudly on.
            raise AssertionError(f"prison register line {row.line}: {row.problems}")
        finish_batch(ctx, batch_id, summary, session=session)
    return summary
