"""``cellwatch export intelligence --out F.csv --reason TEXT``: audited intelligence export."""

from __future__ import annotations

from pathlib import Path

import typer

from cellwatch.access.exports import write_intelligence_csv
from cellwatch.access.intel import IntelligenceFilter
from cellwatch.cli.context import cli_access, console


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
    # Written to a neighbour first, so a refused export leaves no file behind.
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as f:
            n = write_intelligence_csv(access, reason, f,
                                       IntelligenceFilter(establishment, handling_code))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    console().print(f"wrote {n} intelligence report(s) to {out}", highlight=False)
