"""``cellwatch status``: what is loaded, per establishment and per kind of source.

Acts as ``CELLWATCH_PRINCIPAL`` through :func:`cellwatch.reports.service.loaded_status`:
the ingest-batch read permission; the principal's establishments and the batches it may
see (everything for a national unit or ``system``).
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from cellwatch.attribution.service.runs import latest_run
from cellwatch.cli.context import cli_access, console, print_json
from cellwatch.reports.service import PER_ESTABLISHMENT, loaded_status


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command("status")(status_command)


def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    everything: bool = typer.Option(
        False, "--all", help="List establishments with nothing loaded too."
    ),
) -> None:
    """Counts per establishment and per source kind, open quarantined rows, and the last
    attribution run (how it ran, and when the model is next refitted)."""
    access = cli_access()
    result = loaded_status(access)
    # The same readers as the counts (a refusal stops there, before this).
    result["attribution"] = latest_run(access)
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
    # One line whatever the width, for whoever greps a nightly job's log.
    out.print(_attribution_line(result["attribution"]), highlight=False, soft_wrap=True)


def _attribution_line(run: dict[str, Any] | None) -> str:
    if run is None:
        return "attribution: no run yet (cellwatch attribute)"
    due = run["refit_due"]
    refit = (f"next refit due {due:%Y-%m-%d}" if due is not None
             else "refitted only on --rebuild")
    return (f"attribution: run {run['run']} finished {run['finished_at']:%Y-%m-%d %H:%M} UTC, "
            f"{run['mode']} ({run['reason']}); model fitted "
            f"{run['estimate_fitted_at']:%Y-%m-%d %H:%M} UTC, {refit}")


def _kinds_table(kinds: dict[str, dict[str, Any]]) -> Table:
    names = ["batches", "rows_read", "rows_accepted", "rows_updated", "rows_quarantined"]
    table = Table("kind", *names, "open quarantine", "flagged", "last batch",
                  title="per source kind")
    for kind, counts in sorted(kinds.items()):
        table.add_row(
            kind,
            *(str(counts[n]) for n in names),
            str(counts["quarantined_open"]),
            # Values kept with a doubt, e.g. numbers in ranges not known as allocated.
            ", ".join(f"{flag} {n}" for flag, n in sorted(counts.get("flagged", {}).items())),
            str(counts["last_batch_at"] or ""),
        )
    return table
