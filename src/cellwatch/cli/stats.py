"""``cellwatch stats``: the digest statistics as CSV, PNG and JSON (a thin shell).

Acts as ``CELLWATCH_PRINCIPAL`` through :func:`cellwatch.reports.service.statistics_for`:
the statistics of the establishments the principal covers (all of them for a national
unit or ``system``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cellwatch.cli.context import cli_access, console, print_json
from cellwatch.errors import InvalidData
from cellwatch.reports.service import statistics_for, write_statistics

if TYPE_CHECKING:
    from cellwatch.reports.service import Grouping


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidData(f"{option}: not a YYYY-MM-DD date: {text!r}") from exc


def stats_command(
    by: str = typer.Option("establishment", "--by", help="establishment or region"),
    start: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), inclusive."),
    out: Path | None = typer.Option(None, "--out", help="Folder for the CSVs and PNG charts."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Finds, detections, TRO applications, orders, disconnections and takedowns per month."""
    if by not in ("establishment", "region"):
        raise InvalidData("--by is establishment or region", {"by": [by]})
    grouping: Grouping = "region" if by == "region" else "establishment"
    table = statistics_for(cli_access(), grouping, _date(start, "--from"), _date(end, "--to"))
    written = write_statistics(table, out) if out is not None else []
    if as_json:
        print_json({**table.to_dict(), "files": [str(p) for p in written]})
        return
    show = console()
    names = table.statistics
    show.print(f"{'month':10} " + " ".join(f"{n:>14}" for n in names))
    for m in table.monthly_totals():
        show.print(f"{m['month']:%Y-%m}    " + " ".join(f"{m[n]:>14,}" for n in names),
                   highlight=False)
    totals = table.totals()
    show.print("total      " + " ".join(f"{totals[n]:>14,}" for n in names), highlight=False)
    if written:
        show.print(f"wrote {len(written)} files to {out}")


def register(app: typer.Typer) -> None:
    """Add ``cellwatch stats`` to ``app``."""
    app.command("stats")(stats_command)
