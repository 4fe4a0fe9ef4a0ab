"""``cellwatch guard ...``: the "Suspected staff or visitor phones" queue, a thin shell
over :mod:`cellwatch.guard.service` (acting as ``CELLWATCH_PRINCIPAL``).

The queue is recomputed with the TRO candidates (after every ingest, or when
``cellwatch tro candidates`` finds them stale).
"""

from __future__ import annotations

from typing import Any

import typer

from cellwatch.access.service import Page
from cellwatch.cli.context import AS_JSON, cli_access, console, print_json
from cellwatch.guard import service

guard_app = typer.Typer(name="guard", help="Suspected staff or visitor phones.",
                        no_args_is_help=True)
REASON = typer.Option(..., "--reason", help="Why (required; audited and kept).")


def register(app: typer.Typer) -> None:
    """Add ``guard`` to ``app``."""
    app.add_typer(guard_app, name="guard")


def _line(row: dict[str, Any]) -> str:
    e = row["evidence"]
    figures = (f"days={e.get('days', '-')} work={e.get('work_share', '-')} "
               f"zones={e.get('zones', '-')} access={e.get('access_share', '-')} "
               f"cell_nights={e.get('cell_nights', '-')}")
    if row["flag"] == "LINKED":
        figures = f"linked to {', '.join(e.get('linked_to', []))}"
    return (f"{row['id']:>5} {row['establishment']} {row['identifier_type']:6} "
            f"{row['identifier']:16} {row['flag']:13} {row['status']:8} {figures}")


@guard_app.command("list")
def list_command(
    establishment: str | None = typer.Option(None, "--establishment", "-e"),
    status: str | None = typer.Option(None, "--status",
                                      help="HELD, FLAGGED, ALLOWED or RELEASED."),
    limit: int = typer.Option(500, "--limit", min=1, max=500),
    as_json: bool = AS_JSON,
) -> None:
    """Phones held out of disconnection candidates and attribution, and those flagged."""
    rows = service.list_holds(cli_access(), establishment.upper() if establishment else None,
                              status, Page(limit=limit))
    if as_json:
        print_json(rows)
        return
    out = console()
    for row in rows:
        out.print(_line(row), markup=False)
    out.print(f"{len(rows)} row(s)")


@guard_app.command("show")
def show_command(hold_id: int, as_json: bool = AS_JSON) -> None:
    """One row with all its evidence."""
    row = service.get_hold(cli_access(), hold_id)
    if as_json:
        print_json(row)
        return
    out = console()
    out.print(_line(row), markup=False)
    for key, value in sorted(row["evidence"].items()):
        out.print(f"  {key}: {value}", markup=False)
    if row["decided_by"]:
        out.print(f"  decided by {row['decided_by']} at {row['decided_at']}: "
                  f"{row['decision_reason']}", markup=False)


@guard_app.command("allow")
def allow_command(
    hold_id: int,
    reason: str = REASON,
    kind: str = typer.Option("STAFF", "--kind", help="STAFF, OFFICIAL or CONTRACTOR."),
    as_json: bool = AS_JSON,
) -> None:
    """Allow-list the phone (and its linked identifiers): never a candidate again."""
    row = service.allow(cli_access(), hold_id, reason, kind)
    if as_json:
        print_json(row)
        return
    console().print(f"allow-listed: {_line(row)}", markup=False)


@guard_app.command("release")
def release_command(hold_id: int, reason: str = REASON, as_json: bool = AS_JSON) -> None:
    """Release the phone as contraband: back into candidates and attribution."""
    row = service.release(cli_access(), hold_id, reason)
    if as_json:
        print_json(row)
        return
    console().print(f"released: {_line(row)}", markup=False)
