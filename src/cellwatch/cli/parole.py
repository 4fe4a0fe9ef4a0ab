"""``cellwatch parole summary``: a prisoner's parole intelligence summary, HTML and PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cellwatch.cli.context import cli_access, console, settings_from_env
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.summary import build_summary

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
) -> None:
    """Write the summary of PRISON_NUMBER for the acting principal's audience."""
    settings = settings_from_env()
    access = cli_access(settings)
    ctx = RuleContext(settings, access.store,
                      date.fromisoformat(as_of) if as_of else date.today())
    try:
        summary = build_summary(ctx, access.principal, prison_number)
    finally:
        ctx.close()
    # fpdf loads fonts on import: pay for it only when a summary is written.
    from cellwatch.parole.render import write_summary

    html, pdf = write_summary(summary, out or settings.reports_dir)
    console().print(f"{len(summary.items)} items; wrote {html} and {pdf}")
