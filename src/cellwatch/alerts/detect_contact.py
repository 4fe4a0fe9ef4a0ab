"""PROTECTED_PERSON_CONTACTED: a prisoner-linked identifier contacts a protected person.

Two sources, one alert per protected person and prisoner (``key = person|prisoner``), so a
campaign seen in reports and in call records alerts once:

* reports of contact whose sender resolves to a prisoner (:mod:`cellwatch.protect.resolve`);
* call records between a protected number and any subject, in DuckDB over the lake; each
  subject identifier (number, SIM, handset) is then resolved the same way.

Summaries name the prisoner's side only (sender, device): never the protected person's
number or account, since alerts are exported and sent by webhook and email.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
from sqlalchemy import select

from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.lifecycle import raise_alert
from cellwatch.alerts.models import Alert
from cellwatch.protect.models import (
    ContactReport,
    ContactResolution,
    ProtectedIdentifier,
    ProtectedPerson,
)
from cellwatch.protect.resolve import resolve_identifier, resolve_open_reports
from cellwatch.store import Prisoner

RULE = "PROTECTED_PERSON_CONTACTED"

# Calls and SMS with a protected number, per subject identifier: first, last, how many.
CDR_SQL = """
SELECT p.person_ref, c.subject_msisdn, c.subject_imsi, c.subject_imei,
       min(c.start_ts) AS first_ts, max(c.start_ts) AS last_ts, count(*) AS n
FROM call_records c JOIN cw_protected_numbers p ON c.other_party = p.number
WHERE c.record_type IN ('VOICE', 'SMS')
GROUP BY ALL
ORDER BY p.person_ref, first_ts
"""


def _label(probability: float, threshold: float) -> str:
    return "" if probability >= threshold else " (unconfirmed)"


def _establishment(ctx: RuleContext, prison_number: str) -> str | None:
    with ctx.store.session() as s:
        return s.scalars(select(Prisoner.establishment)
                         .where(Prisoner.prison_number == prison_number)).first()


def from_reports(ctx: RuleContext) -> list[Alert]:
    """Alerts for reports whose sender resolves to a prisoner."""
    resolve_open_reports(ctx.store)
    threshold = ctx.settings.parole_probability_threshold
    raised: list[Alert] = []
    with ctx.store.session() as s:
        rows = s.execute(select(ContactReport, ContactResolution, Prisoner.establishment)
                         .join(ContactResolution, ContactResolution.report_id == ContactReport.id)
                         .outerjoin(Prisoner,
                                    Prisoner.prison_number == ContactResolution.prison_number)
                         .order_by(ContactReport.received_ts, ContactResolution.id)).all()
        for report, res, establishment in rows:
            person = report.person_ref or f"report {report.report_ref}"
            when = (report.occurred_ts or report.received_ts).date().isoformat()
            alert = raise_alert(
                s, RULE, f"{person}|{res.prison_number}", prison_number=res.prison_number,
                person_ref=report.person_ref, identifier=report.sender,
                establishment=establishment,
                summary=(f"{report.channel} to protected person {person} on {when} from "
                         f"{report.sender}, which resolves to {res.prison_number} "
                         f"(p={res.probability:.2f}){_label(res.probability, threshold)}; "
                         f"report {report.report_ref}"
                         + (f", crime ref {report.crime_reference}"
                            if report.crime_reference else "")),
                details={"source": "contact_report", "report_ref": report.report_ref,
                         "probability": res.probability, "path": res.path})
            if alert is not None:
                raised.append(alert)
    return raised


def _protected_numbers(ctx: RuleContext) -> pa.Table:
    with ctx.store.session() as s:
        rows = s.execute(select(ProtectedIdentifier.person_ref, ProtectedIdentifier.identifier)
                         .where(ProtectedIdentifier.identifier_type == "MSISDN")).all()
    return pa.table({"person_ref": [r[0] for r in rows], "number": [r[1] for r in rows]})


def from_call_records(ctx: RuleContext) -> list[Alert]:
    """Alerts for calls and SMS between a protected number and a prisoner-linked subject."""
    numbers = _protected_numbers(ctx)
    if numbers.num_rows == 0:
        return []
    hits = ctx.query(CDR_SQL, tables={"cw_protected_numbers": numbers})
    threshold = ctx.settings.parole_probability_threshold
    raised: list[Alert] = []
    with ctx.store.session() as s:
        for hit in hits:
            first: datetime = hit["first_ts"]
            for id_type in ("MSISDN", "IMSI", "IMEI"):
                value = hit[f"subject_{id_type.lower()}"]
                if not value:
                    continue
                for cand in resolve_identifier(s, id_type, value, first.date()):
                    est = s.scalars(select(Prisoner.establishment).where(
                        Prisoner.prison_number == cand.prison_number)).first()
                    alert = raise_alert(
                        s, RULE, f"{hit['person_ref']}|{cand.prison_number}",
                        prison_number=cand.prison_number, person_ref=hit["person_ref"],
                        identifier=value, establishment=est,
                        summary=(f"{hit['n']} call(s)/SMS between {id_type} {value} and "
                                 f"protected person {hit['person_ref']} from "
                                 f"{first.date().isoformat()} to "
                                 f"{hit['last_ts'].date().isoformat()}; {value} resolves to "
                                 f"{cand.prison_number} (p={cand.probability:.2f})"
                                 f"{_label(cand.probability, threshold)}"),
                        details={"source": "call_records", "calls": int(hit["n"]),
                                 "probability": cand.probability, "path": cand.path})
                    if alert is not None:
                        raised.append(alert)
    return raised


def protected_person_contacted(ctx: RuleContext) -> list[Alert]:
    """The rule: reports first (they carry crime references), then call records."""
    return [*from_reports(ctx), *from_call_records(ctx)]


def protected_prisoners(ctx: RuleContext) -> dict[str, list[str]]:
    """Prisoners with a protected person whose condition is in force, and those persons."""
    out: dict[str, list[str]] = {}
    with ctx.store.session() as s:
        for p in s.scalars(select(ProtectedPerson).order_by(ProtectedPerson.person_ref)):
            if (p.valid_from is None or p.valid_from <= ctx.as_of) and (
                    p.valid_to is None or ctx.as_of <= p.valid_to):
                out.setdefault(p.prison_number, []).append(p.person_ref)
    return out
