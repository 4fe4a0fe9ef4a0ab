"""``cellwatch parole summary``: a prisoner's parole intelligence summary, HTML and PDF.

A thin shell over :mod:`cellwatch.parole.service`: the policy, the reason asked outside
the principal's own organisation (``--reason``) and the audit are the service's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cellwatch.cli.context import cli_access, console, settings_from_env
from cellwatch.parole import service

parole_app = typer.Typer(name="parole", help="Parole intelligence summaries.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``parole`` to ``app``."""
    app.add_typer(parole_app, name="parole")


@parole_app.command("summary")
def summary_command(
    prison_number: str,
    out: Path | None = typer.Option(None, "--out", help="Folder (default: home/reports)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date of the summary."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why (needed for a prisoner outside your organisation)."),
) -> None:
    """Write the summary of PRISON_NUMBER for the acting principal's audience."""
    settings = settings_from_env()
    summary = service.open_summary(cli_access(settings), prison_number,
                                   date.fromisoformat(as_of) if as_of else None, reason)
    html, pdf = service.write_summary(summary, out or settings.reports_dir)
    console().print(f"{len(summary.items)} items; wrote {html} and {pdf}")
