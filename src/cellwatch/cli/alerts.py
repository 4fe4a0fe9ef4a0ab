"""``cellwatch alerts ...`` and ``cellwatch export alerts``: a thin shell over
:mod:`cellwatch.alerts.service`. The CLI acts as ``CELLWATCH_PRINCIPAL`` (default
``system``); ``list``, ``assign``, ``ack`` and ``close`` are scoped, decided and audited
exactly as for the API.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from cellwatch.access.roles import Resource
from cellwatch.access.service import Page
from cellwatch.alerts import service
from cellwatch.cli.context import (
    AS_JSON,
    EXPORT_REASON,
    cli_access,
    console,
    print_json,
    settings_from_env,
)
from cellwatch.cli.export import export_app
from cellwatch.exchange.service.exports import audited_export, require_reason

alerts_app = typer.Typer(name="alerts", help="Alerts: run the rules, list, assign, "
                         "acknowledge, close.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``alerts`` and ``referral`` to ``app`` (``export alerts`` registers itself on
    import)."""
    from cellwatch.cli.referrals import referral_app

    app.add_typer(alerts_app, name="alerts")
    app.add_typer(referral_app, name="referral")


@alerts_app.command("run")
def run_command(
    rule: list[str] = typer.Option([], "--rule", help="Run only this rule (repeatable)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Run as of this date (YYYY-MM-DD)."),
    no_deliver: bool = typer.Option(False, "--no-deliver", help="Raise but do not deliver."),
    as_json: bool = AS_JSON,
) -> None:
    """Run the alert rules now (they also run after ingest of reports and observations)."""
    settings = settings_from_env()
    # Resolved only so an unknown or inactive CELLWATCH_PRINCIPAL is refused here as by
    # the other alerts commands; the rules themselves run estate-wide, as after an ingest.
    access = cli_access(settings)
    day = date.fromisoformat(as_of) if as_of else None
    result = service.run_rules(access, as_of=day, only=rule, deliver=not no_deliver)
    doc = {"raised": {k: len(v) for k, v in result.raised.items()},
           "updated": {k: len(v) for k, v in result.updated.items()},
           "failed": result.failed, "delivered": result.delivered}
    if as_json:
        print_json(doc)
    else:
        out = console()
        for name, ids in result.raised.items():
            # An episode's alert is updated in place as its evidence grows.
            out.print(f"{name}: {len(ids)} new, {len(result.updated.get(name, []))} updated")
        for name, why in result.failed.items():
            out.print(f"[red]{name} failed:[/] {why}")
        out.print(f"deliveries: {result.delivered}")
    if result.failed:
        raise typer.Exit(2)


@alerts_app.command("rules")
def rules_command() -> None:
    """The alert rules and what fires each."""
    out = console()
    for spec in service.rule_specs():
        out.print(f"[bold]{spec.name}[/] ({spec.severity}; {', '.join(spec.channels)}"
                  f"{'' if spec.enabled else '; disabled'})\n  {spec.description}")


@alerts_app.command("list")
def list_command(
    status: str | None = typer.Option(None, "--status"),
    rule: str | None = typer.Option(None, "--rule"),
    as_json: bool = AS_JSON,
) -> None:
    """Alerts the principal may see, newest first."""
    alerts = service.list_for(cli_access(), Page(limit=500), status=status, rule=rule)
    rows = [{"alert_id": a.id, "rule": a.rule, "status": a.status,
             "created_ts": a.created_ts.isoformat(), "prison_number": a.prison_number,
             "establishment": a.establishment, "summary": a.summary} for a in alerts]
    if as_json:
        print_json(rows)
        return
    out = console()
    for r in rows:
        out.print(f"{r['alert_id']:>5} {r['status']:<12} {r['rule']:<36} "
                  f"{r['prison_number'] or '':<8} {r['summary']}", highlight=False)


@alerts_app.command("assign")
def assign_command(alert_id: int, to: str = typer.Option(..., "--to")) -> None:
    """Give an alert to a user."""
    alert = service.assign_for(cli_access(), alert_id, to)
    console().print(f"alert {alert.id} {alert.status} to {alert.assigned_to}")


@alerts_app.command("ack")
def ack_command(alert_id: int) -> None:
    """Acknowledge an alert."""
    alert = service.acknowledge_for(cli_access(), alert_id)
    console().print(f"alert {alert.id} {alert.status}")


@alerts_app.command("close")
def close_command(
    alert_id: int,
    outcome: str = typer.Option(..., "--outcome", help="ACTIONED, REFERRED_TO_POLICE, "
                                "DISCONNECTION_REQUESTED, NO_FURTHER_ACTION, FALSE_POSITIVE, "
                                "DUPLICATE"),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Close an alert with an outcome."""
    alert = service.close_for(cli_access(), alert_id, outcome, note)
    console().print(f"alert {alert.id} {alert.status}: {alert.outcome}")


@export_app.command("alerts")
def export_alerts_command(out: Path = typer.Option(..., "--out", help="CSV file to write."),
                          reason: str = EXPORT_REASON) -> None:
    """Every alert, as interchange.md's ``alerts`` export (a national unit or ``system``;
    audited, a refusal too)."""
    access = cli_access()
    require_reason(access, reason)
    count = audited_export(access, "alerts", Resource.ALERT, out,
                           lambda path: service.write_export(access, path), reason,
                           schema=service.export_schema())
    console().print(f"wrote {count} alerts to {out}")
