"""``cellwatch status``: what is loaded, per establishment and per kind of source."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from cellwatch.cli.context import console, print_json, settings_from_env, store_from_env
from cellwatch.ingest.status import PER_ESTABLISHMENT, status


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command("status")(status_command)


def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    everything: bool = typer.Option(
        False, "--all", help="List establishments with nothing loaded too."
    ),
) -> None:
    """Counts per establishment and per source kind, and open quarantined rows."""
    settings = settings_from_env()
    result = status(store_from_env(settings), settings)
    if as_json:
        print_json(result)
        return
    out = console()
    columns = [*PER_ESTABLISHMENT, "detections"]
    table = Table("establishment", *columns, title="per establishment")
    for code, counts in result["establishments"].items():
        if everything or any(counts[c] for c in columns):
            table.add_row(f"{code} {counts['name']}", *(str(counts[c]) for c in columns))
    out.print(table)
    out.print(_kinds_table(result["kinds"]))
    totals = ", ".join(f"{k} {v}" for k, v in result["totals"].items())
    out.print(f"totals: {totals}", highlight=False)


def _kinds_table(kinds: dict[str, dict[str, Any]]) -> Table:
    names = ["batches", "rows_read", "rows_accepted", "rows_updated", "rows_quarantined"]
    table = Table("kind", *names, "open quarantine", "last batch", title="per source kind")
    for kind, counts in sorted(kinds.items()):
        table.add_row(
            kind,
            *(str(counts[n]) for n in names),
            str(counts["quarantined_open"]),
            str(counts["last_batch_at"] or ""),
        )
    return table
