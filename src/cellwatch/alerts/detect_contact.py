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
from sqlalchemy.orm import Session

from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.lifecycle import raise_alert
from cellwatch.alerts.models import Alert
from cellwatch.protect.models import (
    ContactReport,
    ContactResolution,
    ProtectedIdentifier,
    ProtectedPerson,
)
from cellwatch.protect.resolve import (
    Candidate,
    attribute_contact,
    resolve_identifier,
    resolve_open_reports,
)
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


def _establishment(s: Session, prison_number: str) -> str | None:
    return s.scalars(select(Prisoner.establishment)
                     .where(Prisoner.prison_number == prison_number)).first()


def _say(prisoner: str | None, p: float | None, threshold: float) -> str:
    if p is None:
        return (f"the sender is not yet linked to {prisoner}, whom the condition is "
                "against (UNCONFIRMED)")
    return f"attributed to {prisoner} (p={p:.2f}){_label(p, threshold)}"


def from_reports(ctx: RuleContext) -> list[Alert]:
    """One alert per protected person and prisoner, from reports of contact."""
    resolve_open_reports(ctx.store)
    threshold = ctx.settings.parole_probability_threshold
    raised: list[Alert] = []
    with ctx.store.session() as s:
        rows = s.execute(select(ContactReport, ProtectedPerson.prison_number)
                         .outerjoin(ProtectedPerson,
                                    ProtectedPerson.person_ref == ContactReport.person_ref)
                         .order_by(ContactReport.received_ts, ContactReport.id)).all()
        for report, named in rows:
            res = s.scalars(select(ContactResolution).where(
                ContactResolution.report_id == report.id)
                .order_by(ContactResolution.probability.desc())).all()
            cands = [Candidate(r.prison_number, r.probability, r.path, r.device) for r in res]
            prisoner, p, why = attribute_contact(named, cands, threshold)
            if prisoner is None:
                continue  # no person and no resolution: nothing to put it down to yet
            person = report.person_ref or f"report {report.report_ref}"
            when = (report.occurred_ts or report.received_ts).date().isoformat()
            alert = raise_alert(
                s, RULE, f"{person}|{prisoner}", prison_number=prisoner,
                person_ref=report.person_ref, identifier=report.sender,
                establishment=_establishment(s, prisoner),
                summary=(f"{report.channel} to protected person {person} on {when} from "
                         f"{report.sender}, {_say(prisoner, p, threshold)}; report "
                         f"{report.report_ref}"
                         + (f", crime ref {report.crime_reference}"
                            if report.crime_reference else "")),
                details={"source": "contact_report", "report_ref": report.report_ref,
                         "probability": p, "path": why,
                         "other_candidates": [c.prison_number for c in cands
                                              if c.prison_number != prisoner][:10]})
            if alert is not None:
                raised.append(alert)
    return raised


def _protected_numbers(ctx: RuleContext) -> pa.Table:
    with ctx.store.session() as s:
        rows = s.execute(select(ProtectedIdentifier.person_ref, ProtectedIdentifier.identifier)
                         .where(ProtectedIdentifier.identifier_type == "MSISDN")).all()
    return pa.table({"person_ref": [r[0] for r in rows], "number": [r[1] for r in rows]})


def from_call_records(ctx: RuleContext) -> list[Alert]:
    """Calls and SMS between a protected number and a subject: one alert per person and
    prisoner (shared with reports, so a campaign seen both ways alerts once)."""
    numbers = _protected_numbers(ctx)
    if numbers.num_rows == 0:
        return []
    hits = ctx.query(CDR_SQL, tables={"cw_protected_numbers": numbers})
    threshold = ctx.settings.parole_probability_threshold
    raised: list[Alert] = []
    with ctx.store.session() as s:
        named_of = dict(s.execute(select(ProtectedPerson.person_ref,
                                         ProtectedPerson.prison_number)).all())
        for hit in hits:
            first: datetime = hit["first_ts"]
            cands: list[Candidate] = []
            subject = ""
            for id_type in ("MSISDN", "IMSI", "IMEI"):
                value = hit[f"subject_{id_type.lower()}"]
                if value:
                    subject = subject or f"{id_type} {value}"
                    cands += resolve_identifier(s, id_type, value, first.date())
            cands.sort(key=lambda c: -c.probability)
            prisoner, p, why = attribute_contact(named_of.get(hit["person_ref"]), cands,
                                                 threshold)
            if prisoner is None:
                continue
            alert = raise_alert(
                s, RULE, f"{hit['person_ref']}|{prisoner}", prison_number=prisoner,
                person_ref=hit["person_ref"], identifier=subject.split(" ", 1)[-1],
                establishment=_establishment(s, prisoner),
                summary=(f"{hit['n']} call(s)/SMS between {subject} and protected person "
                         f"{hit['person_ref']} from {first.date().isoformat()} to "
                         f"{hit['last_ts'].date().isoformat()}; "
                         f"{_say(prisoner, p, threshold)}"),
                details={"source": "call_records", "calls": int(hit["n"]), "subject": subject,
                         "first": first.date().isoformat(),
                         "last": hit["last_ts"].date().isoformat(),
                         "probability": p, "path": why})
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
