"""``cellwatch identify TEXT``: what an identifier is; a thin shell over cellwatch.identifiers."""

from __future__ import annotations

import typer
from rich.table import Table

from cellwatch.cli.context import console, print_json
from cellwatch.errors import InvalidIdentifier
from cellwatch.identifiers import classify


def register(app: typer.Typer) -> None:
    """Add ``identify`` to ``app``."""
    app.command("identify")(identify_command)


def identify_command(
    text: str = typer.Argument(
        ..., help="An IMEI, IMSI, ICCID, phone number, handle or profile URL."
    ),
    hint: str | None = typer.Option(
        None,
        "--as",
        help="Read TEXT as this type (IMEI, IMSI, ICCID, MSISDN, ACCOUNT) or platform.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show what TEXT is, its normal form and what is known about it.

    Invalid input exits with code 2 and the reason (bad check digit, unknown MCC...).
    """
    try:
        info = classify(text, hint=hint)
    except InvalidIdentifier as exc:
        # InvalidData means "rows rejected" (exit 1) elsewhere; here the one input is
        # unusable, which the CLI reports as a bad parameter (exit 2).
        raise typer.BadParameter(exc.message, param_hint="TEXT") from exc
    if as_json:
        print_json(info.to_dict())
        return
    table = Table(title=f"{info.type}: {info.value}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("type", str(info.type))
    table.add_row("normal form", info.value)
    table.add_row("display", info.display)
    for key, value in info.details.items():
        table.add_row(key, value)
    for note in info.notes:
        table.add_row("note", note)
    console().print(table)
