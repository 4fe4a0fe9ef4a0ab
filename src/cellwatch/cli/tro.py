"""``cellwatch tro ...`` and ``cellwatch export tro-candidates``: a thin shell over
:mod:`cellwatch.tro.service.orders`.

Every command acts as ``CELLWATCH_PRINCIPAL`` (``system`` by default) through the same
decided and audited service as the API: a local team reads and works its own
establishment's orders only; ``verify``, which scans and moves every establishment's
orders, takes a national unit or ``system``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from cellwatch.access.roles import Resource
from cellwatch.access.service import Page
from cellwatch.cli.context import AS_JSON, EXPORT_REASON, cli_access, console, print_json
from cellwatch.cli.export import export_app
from cellwatch.errors import InvalidData
from cellwatch.exchange.service.exports import audited_export, require_reason
from cellwatch.timestamps import parse_timestamp
from cellwatch.tro.service import orders as service
from cellwatch.tro.service.shared import candidates_schema, load_policy, write_candidates

tro_app = typer.Typer(name="tro", help="Telecommunications Restriction Orders.",
                      no_args_is_help=True)

POLICY = typer.Option(None, "--policy", help="Evidence policy file (YAML or TOML).")


def register(app: typer.Typer) -> None:
    """Add ``tro`` to ``app``."""
    app.add_typer(tro_app, name="tro")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidData(f"not a YYYY-MM-DD date: {text!r}") from exc


@tro_app.command("candidates")
def candidates_command(
    establishment: str | None = typer.Option(None, "--establishment", "-e"),
    policy: Path | None = POLICY,
    as_json: bool = AS_JSON,
) -> None:
    """List identifiers with enough evidence of use inside an establishment."""
    found = service.list_candidates(cli_access(), establishment, None, load_policy(policy))
    if as_json:
        print_json([c.evidence() for c in found])
        return
    out = console()
    for c in found:
        out.print(f"{c.establishment} {c.identifier_type:6} {c.identifier:16} "
                  f"{c.operator or '?':24} days={c.evidence_days:<3} score={c.score:.3f}"
                  + (" STAFF PATTERN, NIGHT IN A CELL" if c.guard_flag == "NIGHT_USE" else ""))
    out.print(f"{len(found)} candidate(s)")


@tro_app.command("apply")
def apply_command(
    establishment: str = typer.Option(..., "--establishment", "-e"),
    identifiers: list[str] = typer.Option(None, "--identifiers", "-i",
                                          help="Identifiers (repeat or comma-separate)."),
    from_candidates: bool = typer.Option(False, "--from-candidates"),
    reason: str = typer.Option("application drafted", "--reason"),
    policy: Path | None = POLICY,
    as_json: bool = AS_JSON,
) -> None:
    """Draft an application for identifiers of one establishment."""
    wanted = [p.strip() for item in identifiers or [] for p in item.split(",") if p.strip()]
    if bool(wanted) == from_candidates:
        raise InvalidData("give either --identifiers or --from-candidates")
    # Codes are upper case, as the API has them, so "hei" is not refused as out of scope.
    order = service.create_application(cli_access(), establishment.upper(), wanted or None,
                                       reason, load_policy(policy))
    _show(order.to_dict(), as_json)


@tro_app.command("transition")
def transition_command(
    order: str = typer.Argument(...),
    state: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    court: str | None = typer.Option(None, "--court"),
    court_ref: str | None = typer.Option(None, "--court-ref"),
    order_date: str | None = typer.Option(None, "--order-date", help="YYYY-MM-DD"),
    on: str | None = typer.Option(None, "--on", help="Day it happened (YYYY-MM-DD)."),
    as_json: bool = AS_JSON,
) -> None:
    """Move an application or order to STATE, recording who, when and why."""
    result = service.transition(cli_access(), order, state, reason, court=court,
                                court_ref=court_ref, order_date=_date(order_date), on=_date(on))
    _show(result.to_dict(), as_json)


@tro_app.command("show")
def show_command(order: str = typer.Argument(...), as_json: bool = AS_JSON) -> None:
    """Show an application or order with its lines and history."""
    _show(service.get_order(cli_access(), order).to_dict(), as_json)


@tro_app.command("list")
def list_command(establishment: str | None = typer.Option(None, "--establishment", "-e"),
                 state: str | None = typer.Option(None, "--state"),
                 limit: int = typer.Option(500, "--limit", min=1, max=500),
                 offset: int = typer.Option(0, "--offset", min=0),
                 as_json: bool = AS_JSON) -> None:
    """List applications and orders the principal may see, newest first."""
    rows = service.list_orders(cli_access(), Page(limit, offset), establishment, state)
    if as_json:
        print_json(rows)
        return
    out = console()
    for r in rows:
        out.print(f"{r['ref']} {r['establishment']} {r['state']} lines={r['lines']}")
    # Said even when nothing is listed, so an empty answer is not mistaken for a failure.
    out.print(f"{len(rows)} application(s) and order(s)")


@tro_app.command("pack")
def pack_command(order: str = typer.Argument(...),
                 out: Path = typer.Option(..., "--out", help="Directory.")) -> None:
    """Write the application pack (HTML and PDF)."""
    html, pdf = service.write_pack(cli_access(), order, out)
    console().print(f"wrote {html} and {pdf}")


@tro_app.command("batch")
def batch_command(order: str = typer.Argument(...),
                  out: Path = typer.Option(..., "--out", help="Directory.")) -> None:
    """Write one batch file per operator for an order."""
    for operator, path in service.write_batches(cli_access(), order, out).items():
        console().print(f"{operator}: {path}")


@tro_app.command("overdue")
def overdue_command(
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
    escalate: bool = typer.Option(True, "--escalate/--no-escalate",
                                  help="Raise an alert for each newly overdue line."),
    as_json: bool = AS_JSON,
) -> None:
    """List order lines whose operator has missed the compliance date."""
    lines, now = service.overdue_lines(cli_access(), _date(as_of), escalate)
    escalated = {x.line_id for x in now}
    if as_json:
        print_json([{**vars(x), "escalated_now": x.line_id in escalated} for x in lines])
        return
    for x in lines:
        console().print(f"{x.order_ref} line {x.line_no} {x.identifier} {x.operator or '?'} "
                        f"due {x.compliance_due} ({x.working_days_late} working days late)")
    console().print(f"{len(lines)} overdue line(s), {len(escalated)} escalated now")


@tro_app.command("verify")
def verify_command(
    as_of: str | None = typer.Option(None, "--as-of", help="ISO 8601 time (default now)."),
    policy: Path | None = POLICY,
    as_json: bool = AS_JSON,
) -> None:
    """Scan the lake for reappearances after disconnection; verify quiet orders (the whole
    estate: a national unit or ``system``)."""
    when: datetime | None = parse_timestamp(as_of)[0] if as_of else None
    result = service.verify_orders(cli_access(), when, load_policy(policy))
    doc = {"new_alerts": result.new_alerts, "already_alerted": result.known,
           "verified": result.verified}
    if as_json:
        print_json(doc)
        return
    for a in result.new_alerts:
        console().print(f"[{a['rule']}] {a['summary']}")
    console().print(f"{len(result.new_alerts)} new alert(s), {result.known} already raised, "
                    f"verified: {', '.join(result.verified) or 'none'}")


@tro_app.command("metrics")
def metrics_command(as_json: bool = AS_JSON) -> None:
    """Days from first detection to disconnection, per establishment the principal sees."""
    rows = service.disconnection_metrics(cli_access())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console().print(f"{r['establishment']}: {r['lines']} line(s), median {r['median_days']} "
                        f"days, mean {r['mean_days']}, max {r['max_days']}")


@tro_app.command("alerts")
def alerts_command(
    rule: str | None = typer.Option(None, "--rule"), as_json: bool = AS_JSON
) -> None:
    """List TRO alerts of the establishments the principal sees."""
    rows = service.list_alerts(cli_access(), rule)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console().print(f"#{r['alert_id']} [{r['rule']}] {r['summary']}")


@export_app.command("tro-candidates")
def export_candidates_command(
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    establishment: str | None = typer.Option(None, "--establishment", "-e"),
    policy: Path | None = POLICY,
    reason: str = EXPORT_REASON,
) -> None:
    """Write the tro_candidates interchange export (the candidates the principal sees;
    audited)."""
    access = cli_access()
    require_reason(access, reason)
    found = service.list_candidates(access, establishment, None, load_policy(policy))
    n = audited_export(access, "tro_candidates", Resource.TRO_ORDER, out,
                       lambda path: write_candidates(found, path), reason,
                       detail={"establishment": establishment}, schema=candidates_schema())
    console().print(f"wrote {n} candidate(s) to {out}")


def _show(doc: dict[str, object], as_json: bool) -> None:
    if as_json:
        print_json(doc)
        return
    out = console()
    out.print(f"{doc['ref']} {doc['establishment']} {doc['state']}")
    for line in doc["lines"]:  # type: ignore[attr-defined]
        out.print(f"  {line['line_no']}. {line['identifier_type']} {line['identifier']} "
                  f"{line['operator'] or '?'} {line['action']} {line['status']}"
                  + (f" due {line['compliance_due']}" if line["compliance_due"] else ""))
