"""``cellwatch takedown ...``: a thin shell over :mod:`cellwatch.takedown.service`.

Every command acts as ``CELLWATCH_PRINCIPAL`` (``system`` by default) through the same
decided and audited service as the API: a local team sees and moves its own
establishment's requests only, and one outside its scope answers as a missing one does.
"""

from __future__ import annotations

from typing import Any

import typer

from cellwatch.access.service import Page
from cellwatch.cli.context import AS_JSON, cli_access, console, print_json
from cellwatch.takedown import service

takedown_app = typer.Typer(name="takedown", no_args_is_help=True,
                           help="Requests to social-media platforms to remove prisoners' accounts.")


def register(app: typer.Typer) -> None:
    """Add ``takedown`` to ``app``."""
    app.add_typer(takedown_app, name="takedown")


def _show(request: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(request)
        return
    out = console()
    out.print(f"#{request['id']} {request['state']:12} {request['account']} "
              f"-> {request['prison_number']} ({request['establishment'] or '?'})")
    for t in request.get("transitions", []):
        out.print(f"   {t['at']:%Y-%m-%d %H:%M} {t['from'] or '-':>12} -> {t['to']:12} "
                  f"{t['actor']}: {t['reason']}", highlight=False)


@takedown_app.command("draft")
def draft_command(
    account: str = typer.Argument(..., help="Profile URL, platform:id, or handle with --platform."),
    prisoner: str = typer.Option(..., "--prisoner", help="Prison number behind the account."),
    reason: str = typer.Option(..., "--reason"),
    platform: str | None = typer.Option(None, "--platform"),
    unlinked: bool = typer.Option(False, "--unlinked",
                                  help="Draft even though no evidence links the two yet."),
    as_json: bool = AS_JSON,
) -> None:
    """Draft a takedown request for ACCOUNT, used by --prisoner."""
    request = service.draft_for(cli_access(), account, prisoner, reason, platform=platform,
                                require_link=not unlinked)
    _show(request.to_dict(), as_json)


@takedown_app.command("transition")
def transition_command(
    request_id: int = typer.Argument(..., metavar="ID"),
    state: str = typer.Argument(..., help="SENT, ACKNOWLEDGED, REMOVED or REFUSED."),
    reason: str = typer.Option(..., "--reason"),
    platform_ref: str | None = typer.Option(None, "--platform-ref",
                                            help="The platform's reference, when it gives one."),
    as_json: bool = AS_JSON,
) -> None:
    """Move request ID to STATE, recording who, when and why; then run the new-account rule."""
    request = service.transition_for(cli_access(), request_id, state, reason,
                                     platform_ref=platform_ref)
    _show(request.to_dict(), as_json)


@takedown_app.command("show")
def show_command(request_id: int = typer.Argument(..., metavar="ID"),
                 as_json: bool = AS_JSON) -> None:
    """Show one request with its history."""
    _show(service.get_for(cli_access(), request_id).to_dict(), as_json)


@takedown_app.command("list")
def list_command(
    state: str | None = typer.Option(None, "--state"),
    prisoner: str | None = typer.Option(None, "--prisoner"),
    establishment: str | None = typer.Option(None, "--establishment", "-e"),
    limit: int = typer.Option(500, "--limit", min=1, max=500),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = AS_JSON,
) -> None:
    """List takedown requests the principal may see, newest first."""
    rows = [r.to_dict() for r in service.list_for(cli_access(), Page(limit, offset), state,
                                                  prisoner, establishment)]
    if as_json:
        print_json(rows)
        return
    out = console()
    for r in rows:
        out.print(f"#{r['id']:<5} {r['state']:12} {r['platform']:10} {r['account']:40} "
                  f"{r['prison_number']} {r['establishment'] or '?'}", highlight=False)
    out.print(f"{len(rows)} request(s)")


@takedown_app.command("accounts")
def accounts_command(prisoner: str | None = typer.Option(None, "--prisoner"),
                     as_json: bool = AS_JSON) -> None:
    """Accounts linked to prisoners the principal may see, with the sources of each link."""
    links = service.links_for(cli_access(), prisoner)
    if as_json:
        print_json([link.to_dict() for link in links])
        return
    out = console()
    for x in links:
        out.print(f"{x.account:40} {x.prison_number} p={x.probability:.2f} "
                  f"{','.join(x.sources)} since {x.first_linked:%Y-%m-%d}", highlight=False)
    out.print(f"{len(links)} link(s)")


@takedown_app.command("scan")
def scan_command(as_json: bool = AS_JSON) -> None:
    """Raise an alert for each new account of a prisoner already subject to a takedown.

    The rule runs over the whole estate; the alerts shown are those the principal may see.
    """
    raised = [{"alert_id": a.alert_id, "prison_number": a.prison_number, "account": a.account,
               "after_request": a.after_request} for a in service.scan_for(cli_access())]
    if as_json:
        print_json(raised)
        return
    console().print(f"{len(raised)} new alert(s)")
