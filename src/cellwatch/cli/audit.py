"""``cellwatch audit verify`` and ``cellwatch audit list``."""

from __future__ import annotations

import typer

from cellwatch.access import directory
from cellwatch.access.service import Page
from cellwatch.cli.context import cli_access, console, print_json


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command group."""
    audit = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    audit.command("verify")(verify)
    audit.command("list")(list_entries)
    app.add_typer(audit, name="audit")


def verify(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check the keyed hash chain and its signed checkpoints; exit 1 at the first break.

    Finds rows changed, removed from the middle or the end, and rewritten with every later
    hash recomputed (docs/operations.md, "The audit trail").
    """
    result = directory.verify_audit(cli_access())
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        console().print(f"audit chain intact ({result.rows} rows, {result.checkpoints} signed "
                        "checkpoints matched)")
    else:
        console().print(f"[bold red]audit chain broken[/] at row {result.first_bad_id}: "
                        f"{result.problem}")
    if not result.ok:
        raise typer.Exit(1)


def list_entries(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    offset: int = typer.Option(0, "--offset", min=0),
    outcome: str | None = typer.Option(None, "--outcome", help="allowed or denied"),
    principal: str | None = typer.Option(None, "--principal"),
) -> None:
    """List audit entries, newest first."""
    rows = directory.list_audit(cli_access(), Page(limit, offset), outcome, principal)
    docs = [{"id": e.id, "ts": e.ts.isoformat(), "principal": e.principal, "org": e.org,
             "action": e.action, "resource_type": e.resource_type,
             "resource_id": e.resource_id, "reason": e.reason, "outcome": e.outcome,
             "detail": e.detail, "hash": e.hash} for e in rows]
    if as_json:
        print_json(docs)
        return
    for e in rows:
        why = f"  reason: {e.reason}" if e.reason else ""
        console().print(f"{e.id:>6} {e.ts.isoformat()[:19]} {e.principal:<16} {e.outcome:<7} "
                        f"{e.action} {e.resource_type} {e.resource_id or ''}{why}",
                        highlight=False)
