"""Statements from records about the prisoner himself: reports of contact put down to
him, contact found in call records, crime-in-prison referrals, graded intelligence.

Nothing here reads a protected person's identifiers: a report of contact appears as its
date, channel and condition, never who or where.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cellwatch.access.models import (
    IntelligenceRelease,
    IntelligenceReport,
    IntelligenceSubject,
    Referral,
)
from cellwatch.alerts.models import Alert
from cellwatch.protect.models import (
    ContactReport,
    ContactResolution,
    CrimeReferral,
    ProtectedPerson,
)
from cellwatch.protect.resolve import Candidate, attribute_contact
from cellwatch.statements.model import Basis, Statement

RECORD = Basis(recorded=True)


def contacts(s: Session, pn: str, threshold: float) -> list[Statement]:
    """Reports of contact put down to the prisoner (as the alert rule does, from the
    current resolution), and contact found in call records (from the alerts, which keep
    only the prisoner's side)."""
    resolved = select(ContactResolution.report_id).where(ContactResolution.prison_number == pn)
    out = []
    for report, named, cond in s.execute(
            select(ContactReport, ProtectedPerson.prison_number, ProtectedPerson.condition)
            .outerjoin(ProtectedPerson, ProtectedPerson.person_ref == ContactReport.person_ref)
            .where(or_(ContactReport.id.in_(resolved), ProtectedPerson.prison_number == pn))
            .order_by(ContactReport.occurred_ts, ContactReport.id)).all():
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
        link = f"the sender is linked to the prisoner (probability {p:.2f})" \
            if p is not None else "the sender is not linked to any prisoner"
        out.append(Statement(
            when, "CONTACT_REPORT", f"report:{report.report_ref}", pn,
            f"Contact by {report.channel.replace('_', ' ').lower()} reported by a protected "
            f"person{condition}; {link}{crime}",
            f"probability {p:.2f}" if p is not None else "sender unresolved",
            RECORD if named == pn and p is None else Basis(recorded=False),
            probability_override=p if p is not None else 0.0))
    for alert in s.scalars(select(Alert).where(Alert.rule == "PROTECTED_PERSON_CONTACTED",
                                               Alert.prison_number == pn)
                           .order_by(Alert.id)):
        d = alert.details or {}
        calls = d.get("calls")
        if not calls or not d.get("calls_first"):
            continue
        p = d.get("probability")
        out.append(Statement(
            date.fromisoformat(str(d["calls_first"])), "CONTACT_CALL_RECORDS", f"cdr:{alert.id}",
            pn,
            f"{calls} call(s)/SMS in operator records between {d.get('subject')} and a "
            f"protected person, {d.get('calls_first')} to {d.get('calls_last')}",
            f"probability {p:.2f}" if p is not None else "subject not linked to any prisoner",
            Basis(recorded=False), count=int(calls),
            probability_override=float(p) if p is not None else 0.0))
    return out


def referrals(s: Session, pn: str) -> list[Statement]:
    """Referrals naming the prisoner: crime-in-prison referrals (allegations, not
    convictions) and referrals between agencies (such as to the Parole Board), each said as
    what it is: one agency passing a matter to another is not an allegation of a crime."""
    out = []
    for ref, crime in s.execute(select(Referral, CrimeReferral)
                                .outerjoin(CrimeReferral, CrimeReferral.referral_id == Referral.id)
                                .where(Referral.prison_number == pn)
                                .order_by(Referral.id)).all():
        crime_ref = f" (crime ref {ref.crime_reference})" if ref.crime_reference else ""
        if crime is not None:
            text = (f"Crime-in-prison referral: {crime.offence}{crime_ref}, police status "
                    f"{crime.police_status.lower()}; {ref.status.lower()}")
            basis = "police referral (allegation, not a conviction)"
        else:
            text = (f"Referral from {ref.from_org} to {ref.to_org}: {ref.summary}{crime_ref}; "
                    f"{ref.status.lower()}")
            basis = "referral between agencies (what was passed on, not a finding)"
        out.append(Statement(ref.created_at.date(), "REFERRAL", f"referral:{ref.id}", pn,
                             text, basis, RECORD))
    return out


def intelligence(s: Session, pn: str) -> list[Statement]:
    """Graded intelligence naming the prisoner, with its handling code and releases."""
    out = []
    for rep in s.scalars(select(IntelligenceReport)
                         .join(IntelligenceSubject, IntelligenceSubject.report_id ==
                               IntelligenceReport.id)
                         .where(IntelligenceSubject.prison_number == pn)
                         .order_by(IntelligenceReport.ts, IntelligenceReport.id)):
        released = frozenset(s.scalars(select(IntelligenceRelease.org_code).where(
            IntelligenceRelease.report_id == rep.id)))
        out.append(Statement(rep.ts.date(), "INTELLIGENCE", f"intel:{rep.report_ref}", pn,
                             f"Intelligence report {rep.report_ref}: {rep.text or ''}".strip(),
                             f"graded {rep.source_evaluation}/{rep.intelligence_assessment}/"
                             f"{rep.handling_code}", RECORD, handling_code=rep.handling_code,
                             release_to=released,
                             extra={"grading": f"{rep.source_evaluation}/"
                                               f"{rep.intelligence_assessment}"}))
    return out
