"""Gathering a prisoner's evidence into one dated chronology, each item with its strength.

Sources: attributed devices and accounts (latest run), their detections (DuckDB over the
lake), seizures, disconnection orders, resolved reports of contact, crime-in-prison
referrals and graded intelligence. Nothing here reads a protected person's identifiers:
a report of contact appears as its date, channel and condition, never who or where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cellwatch.access.models import (
    IntelligenceRelease,
    IntelligenceReport,
    IntelligenceSubject,
    Referral,
)
from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Attribution
from cellwatch.protect.models import (
    ContactReport,
    ContactResolution,
    CrimeReferral,
    ProtectedPerson,
)
from cellwatch.protect.resolve import Candidate, attribute_contact, latest_run
from cellwatch.store import SeizureItem

DETECTIONS_SQL = """
SELECT w.identifier, count(*) AS n,
       min(d.ts) AS first_ts, max(d.ts) AS last_ts
FROM detections d JOIN cw_devices w ON d.imei = w.identifier OR d.imsi = w.identifier
GROUP BY ALL ORDER BY first_ts
"""
# The same counts for many devices: an "IMEI or IMSI" join cannot be hashed, which costs
# little for one prisoner's few devices and a scan per device for hundreds of them.
MANY_DETECTIONS_SQL = """
WITH hits AS (
    SELECT w.identifier, d.ts FROM detections d JOIN cw_devices w ON d.imei = w.identifier
    UNION ALL
    SELECT w.identifier, d.ts FROM detections d JOIN cw_devices w ON d.imsi = w.identifier
    WHERE d.imei IS DISTINCT FROM w.identifier
)
SELECT identifier, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts
FROM hits GROUP BY ALL ORDER BY first_ts
"""


@dataclass(frozen=True)
class Entry:
    """One item of the chronology.

    ``probability`` is set for inferred items; below the threshold they are shown as
    unconfirmed. ``handling_code`` C items are withheld unless released to the audience.
    """

    when: date
    kind: str
    ref: str
    text: str
    strength: str
    probability: float | None = None
    handling_code: str | None = None
    release_to: frozenset[str] = field(default_factory=frozenset)


def _attributions(s: Session, pn: str, floor: float) -> dict[tuple[str, str], list[Attribution]]:
    # Below the floor an attribution is noise to a parole panel, even labelled unconfirmed;
    # confirmed ones always count.
    run_id = latest_run(s)
    if run_id is None:
        return {}
    out: dict[tuple[str, str], list[Attribution]] = {}
    for a in s.scalars(select(Attribution).where(
            Attribution.run_id == run_id, Attribution.prison_number == pn,
            Attribution.status != "REJECTED",
            (Attribution.probability >= floor) | (Attribution.status == "CONFIRMED"))
            .order_by(Attribution.valid_from)):
        out.setdefault((a.identifier_type, a.identifier), []).append(a)
    return out


def _device_entries(devices: dict[tuple[str, str], list[Attribution]]) -> list[Entry]:
    out = []
    for (t, v), rows in devices.items():
        p = max(a.probability for a in rows)
        first, last = min(a.valid_from for a in rows), max(a.valid_to for a in rows)
        what = "Account" if t == "ACCOUNT" else {"IMEI": "Handset", "IMSI": "SIM",
                                                 "MSISDN": "Number"}.get(t, t)
        out.append(Entry(first, "ATTRIBUTION", f"attr:{t}:{v}",
                         f"{what} {t} {v} attributed to the prisoner from {first} to {last}",
                         f"attribution probability {p:.2f}", probability=p))
    return out


def count_detections_ahead(ctx: RuleContext, prison_numbers: list[str]) -> None:
    """Count the detections of every handset and SIM of ``prison_numbers`` in one scan,
    so that their :func:`gather` calls in this rules run read them rather than the lake."""
    floor = ctx.settings.parole_probability_floor
    with ctx.store.session() as s:
        idents = sorted({v for pn in prison_numbers
                         for (t, v) in _attributions(s, pn, floor) if t in ("IMEI", "IMSI")})
    table = pa.table({"identifier": pa.array(idents, pa.string())})
    rows = ctx.query(MANY_DETECTIONS_SQL, tables={"cw_devices": table}) if idents else []
    ctx.counted = {r["identifier"]: r for r in rows}
    ctx.counted_for = frozenset(idents)


def _detections(ctx: RuleContext, idents: dict[str, float]) -> list[Entry]:
    # Detections are facts about a device; that the prisoner used it is only as strong
    # as the attribution, whose probability the entry carries.
    if not idents:
        return []
    if ctx.counted_for.issuperset(idents):
        rows = sorted((ctx.counted[i] for i in idents if i in ctx.counted),
                      key=lambda r: (r["first_ts"], r["identifier"]))
    else:
        table = pa.table({"identifier": sorted(idents)})
        rows = ctx.query(DETECTIONS_SQL, tables={"cw_devices": table})
    return [Entry(r["first_ts"].date(), "DETECTIONS", f"det:{r['identifier']}",
                  f"{r['identifier']} detected {r['n']} time(s) by sensors between "
                  f"{r['first_ts']:%Y-%m-%d} and {r['last_ts']:%Y-%m-%d}",
                  f"sensor records; device attribution probability "
                  f"{idents[r['identifier']]:.2f}", probability=idents[r["identifier"]])
            for r in rows]


def _seizures(s: Session, pn: str, idents: list[str]) -> list[Entry]:
    match = [SeizureItem.prison_number == pn]
    if idents:
        match += [SeizureItem.imei.in_(idents), SeizureItem.imsi.in_(idents),
                  SeizureItem.msisdn.in_(idents)]
    out = []
    for item in s.scalars(select(SeizureItem).where(or_(*match)).order_by(SeizureItem.ts)):
        how = "found on or attributed to the prisoner" if item.prison_number == pn else \
            "carrying an identifier attributed to the prisoner"
        out.append(Entry(item.ts.date(), "SEIZURE", f"seizure:{item.seizure_ref}/{item.item_no}",
                         f"{item.item_type.replace('_', ' ').lower()} seized "
                         f"({item.seizure_ref} item {item.item_no}), {how}",
                         "seizure record (fact)"))
    return out


def _orders(s: Session, idents: list[str]) -> list[Entry]:
    try:
        from cellwatch.tro.models import TroApplication, TroLine
    except ImportError:
        return []
    if not idents:
        return []
    out = []
    for line, app in s.execute(select(TroLine, TroApplication)
                               .join(TroApplication, TroApplication.id == TroLine.application_id)
                               .where(TroLine.identifier.in_(idents))).all():
        when = app.order_date or app.created_at.date()
        out.append(Entry(when, "DISCONNECTION_ORDER", f"tro:{app.ref}:{line.identifier}",
                         f"{line.identifier_type} {line.identifier} on disconnection "
                         f"application/order {app.ref} ({app.state.lower()}; line "
                         f"{line.status.lower()})", "court order record (fact)"))
    return out


def _contacts(s: Session, pn: str, threshold: float) -> list[Entry]:
    """Reports of contact put down to the prisoner (as the alert rule does), and contact
    found in call records (from the alerts, which keep only the prisoner's side)."""
    resolved = select(ContactResolution.report_id).where(ContactResolution.prison_number == pn)
    out = []
    for report, named, cond in s.execute(
            select(ContactReport, ProtectedPerson.prison_number, ProtectedPerson.condition)
            .outerjoin(ProtectedPerson, ProtectedPerson.person_ref == ContactReport.person_ref)
            .where(or_(ContactReport.id.in_(resolved), ProtectedPerson.prison_number == pn))
            .order_by(ContactReport.occurred_ts)).all():
        cands = [Candidate(r.prison_number, r.probability, r.path, r.device)
                 for r in s.scalars(select(ContactResolution).where(
                     ContactResolution.report_id == report.id)
                     .order_by(ContactResolution.probability.desc()))]
        prisoner, p, _why = attribute_contact(named, cands, threshold)
        if prisoner != pn:
            continue
        when = (report.occurred_ts or report.received_ts).date()
        condition = f" under a {cond.replace('_', ' ').lower()} against the prisoner" \
            if cond and named == pn else ""
        crime = f"; police crime reference {report.crime_reference}" \
            if report.crime_reference else ""
        link = "the sender is linked to the prisoner" if p is not None else \
            "the sender is not yet linked to the prisoner"
        out.append(Entry(
            when, "CONTACT_REPORT", f"report:{report.report_ref}",
            f"Contact by {report.channel.replace('_', ' ').lower()} reported by a protected "
            f"person{condition}; {link}{crime}",
            f"probability {p:.2f}" if p is not None else "sender unresolved",
            probability=p if p is not None else 0.0))
    for alert in s.scalars(select(Alert).where(Alert.rule == "PROTECTED_PERSON_CONTACTED",
                                               Alert.prison_number == pn)):
        d = alert.details or {}
        if d.get("source") != "call_records":
            continue
        p = d.get("probability")
        out.append(Entry(
            date.fromisoformat(str(d.get("first"))), "CONTACT_CALL_RECORDS",
            f"cdr:{alert.id}",
            f"{d.get('calls')} call(s)/SMS in operator records between {d.get('subject')} and "
            f"a protected person, {d.get('first')} to {d.get('last')}",
            f"probability {p:.2f}" if p is not None else "subject not yet linked",
            probability=float(p) if p is not None else 0.0))
    return out


def _referrals(s: Session, pn: str) -> list[Entry]:
    out = []
    for ref, crime in s.execute(select(Referral, CrimeReferral)
                                .outerjoin(CrimeReferral, CrimeReferral.referral_id == Referral.id)
                                .where(Referral.prison_number == pn)).all():
        offence = crime.offence if crime else ref.summary
        status = f", police status {crime.police_status.lower()}" if crime else ""
        out.append(Entry(ref.created_at.date(), "REFERRAL", f"referral:{ref.id}",
                         f"Crime-in-prison referral: {offence} (crime ref "
                         f"{ref.crime_reference or 'n/a'}){status}; {ref.status.lower()}",
                         "police referral (allegation, not a conviction)"))
    return out


def _intelligence(s: Session, pn: str) -> list[Entry]:
    out = []
    for rep in s.scalars(select(IntelligenceReport)
                         .join(IntelligenceSubject, IntelligenceSubject.report_id ==
                               IntelligenceReport.id)
                         .where(IntelligenceSubject.prison_number == pn)):
        released = frozenset(s.scalars(select(IntelligenceRelease.org_code).where(
            IntelligenceRelease.report_id == rep.id)))
        out.append(Entry(rep.ts.date(), "INTELLIGENCE", f"intel:{rep.report_ref}",
                         f"Intelligence report {rep.report_ref}: {rep.text or ''}".strip(),
                         f"graded {rep.source_evaluation}/{rep.intelligence_assessment}/"
                         f"{rep.handling_code}", handling_code=rep.handling_code,
                         release_to=released))
    return out


def gather(ctx: RuleContext, prison_number: str) -> list[Entry]:
    """Every item of evidence on ``prison_number``, oldest first."""
    threshold = ctx.settings.parole_probability_threshold
    with ctx.store.session() as s:
        devices = _attributions(s, prison_number, ctx.settings.parole_probability_floor)
        idents = sorted({v for _t, v in devices})
        handsets = {v: max(a.probability for a in rows)
                    for (t, v), rows in devices.items() if t in ("IMEI", "IMSI")}
        entries: list[Entry] = [
            *_device_entries(devices), *_seizures(s, prison_number, idents),
            *_orders(s, idents), *_contacts(s, prison_number, threshold),
            *_referrals(s, prison_number), *_intelligence(s, prison_number)]
    entries += _detections(ctx, handsets)
    return sorted(entries, key=lambda e: (e.when, e.kind, e.ref))


def as_dicts(entries: list[Entry]) -> list[dict[str, Any]]:
    """Entries as plain dicts (for templates and JSON)."""
    return [{**e.__dict__, "release_to": sorted(e.release_to)} for e in entries]
