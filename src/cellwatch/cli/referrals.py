"""``cellwatch referral record|list|ack``: crime-in-prison referrals from the command line.

A thin shell over :mod:`cellwatch.protect.service.referrals`. The CLI acts as
``CELLWATCH_PRINCIPAL``: a referral is sent by an organisation, so recording one takes a
user (a force's investigator), not the local ``system``. Registered by
:mod:`cellwatch.cli.alerts` (the same stream of work).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import typer

from cellwatch.access.service import Page
from cellwatch.cli.context import AS_JSON, cli_access, console, print_json
from cellwatch.protect.service.referrals import (
    CrimeDetails,
    CrimeReferralView,
    acknowledge_crime_referral,
    get_crime_referral,
    list_crime_referrals,
    record_crime_referral,
    security_team,
)

referral_app = typer.Typer(name="referral", help="Crime-in-prison referrals: record, list, "
                           "acknowledge.", no_args_is_help=True)


def _doc(v: CrimeReferralView) -> dict[str, Any]:
    return {k: (x.isoformat() if isinstance(x, date | datetime) else x)
            for k, x in asdict(v).items()}


def _line(v: CrimeReferralView) -> str:
    due = f"due {v.due_by}" if v.due_by else ""
    late = " OVERDUE" if v.overdue else ""
    return (f"{v.id:>5} {v.status:<12} {v.prison_number or '':<8} {v.from_org}->{v.to_org or '-'} "
            f"{v.offence or ''} (crime ref {v.crime_reference or '-'}, "
            f"{v.police_status or '-'}) {due}{late}")


@referral_app.command("record")
def record_command(
    prisoner: str = typer.Option(..., "--prisoner", help="Prison number, e.g. A1234BC."),
    offence: str = typer.Option(..., "--offence"),
    crime_reference: str = typer.Option(..., "--crime-reference"),
    officer: str | None = typer.Option(None, "--officer", help="Officer in the case."),
    status: str = typer.Option("REPORTED", "--status", help="REPORTED, UNDER_INVESTIGATION, "
                               "CHARGED, NO_FURTHER_ACTION, CONVICTED, ACQUITTED"),
    to: str | None = typer.Option(None, "--to", help="Receiving organisation; default the "
                                  "security team of the prisoner's establishment."),
    notes: str | None = typer.Option(None, "--notes"),
    as_json: bool = AS_JSON,
) -> None:
    """A force records a crime committed from prison; it goes to the establishment's team."""
    access = cli_access()
    number = prisoner.strip().upper()
    to_org = to or security_team(access, number)
    days = access.settings.referral_acknowledge_days if access.settings else 5
    referral = record_crime_referral(
        access, to_org, number, CrimeDetails(offence, crime_reference, status, officer, notes),
        acknowledge_days=days)
    v = get_crime_referral(access, referral.id)
    if as_json:
        print_json(_doc(v))
    else:
        console().print(f"referral {v.id} recorded, acknowledgement due {v.due_by}",
                        highlight=False)


@referral_app.command("list")
def list_command(
    status: str | None = typer.Option(None, "--status", help="SENT or ACKNOWLEDGED."),
    direction: str | None = typer.Option(None, "--direction", help="in or out."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = AS_JSON,
) -> None:
    """Referrals your organisation sent or received, with their crime fields."""
    rows = list_crime_referrals(cli_access(), Page(limit), status, direction)
    if as_json:
        print_json([_doc(v) for v in rows])
        return
    out = console()
    for v in rows:
        out.print(_line(v), highlight=False)


@referral_app.command("ack")
def ack_command(referral_id: int = typer.Argument(..., min=1)) -> None:
    """Acknowledge a referral addressed to your organisation."""
    v = acknowledge_crime_referral(cli_access(), referral_id)
    console().print(f"referral {v.id} {v.status} by {v.acknowledged_by}", highlight=False)
