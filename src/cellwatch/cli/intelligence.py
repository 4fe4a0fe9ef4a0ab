"""``cellwatch export intelligence --out F.csv --reason TEXT``: audited intelligence export."""

from __future__ import annotations

from pathlib import Path

import typer

from cellwatch.cli.context import cli_access, console
from cellwatch.csvsafe import write_schema
from cellwatch.exchange.service.exports import COLUMNS, TYPES, atomically, write_intelligence_csv
from cellwatch.intelligence.service import IntelligenceFilter


def export_intelligence_command(
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    reason: str = typer.Option("", "--reason",
                               help="Why it is exported (required for users; audited)."),
    establishment: str | None = typer.Option(None, "--establishment",
                                             help="Only this establishment's items."),
    handling_code: str | None = typer.Option(None, "--handling-code", help="P or C."),
) -> None:
    """Write the intelligence the principal may see as interchange CSV (each item that
    leaves its owning organisation is recorded as a dissemination)."""
    access = cli_access()
    filters = IntelligenceFilter(establishment, handling_code)

    def write(path: Path) -> int:
        with path.open("w", encoding="utf-8", newline="") as f:
            return write_intelligence_csv(access, reason, f, filters)

    # export_intelligence audits the export itself (with the items and their disseminations).
    n = atomically(out, write)
    write_schema(out, COLUMNS, TYPES)
    console().print(f"wrote {n} intelligence report(s) to {out}", highlight=False)
