"""PROTECTED_PERSON_CONTACTED: a prisoner-linked identifier contacts a protected person.

Two sources, one alert per protected person and prisoner (``key = person|prisoner``), so a
campaign seen in reports and in call records alerts once; every run rewrites it from the
current resolutions (counts, last seen, who the sender is linked to), so its text never
says "not linked" once the attributions link the sender:

* reports of contact whose sender resolves to a prisoner (:mod:`cellwatch.protect.resolve`);
* call records between a protected number and any subject, in DuckDB over the lake; each
  subject identifier (number, SIM, handset) is then resolved the same way.

Summaries name the prisoner's side only (sender, device): never the protected person's
number or account, since alerts are exported and sent by webhook and email.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.alerts.raising import AlertDraft, Raised, priority, upsert_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.lake.rule_context import RuleContext
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


@dataclass
class Contact:
    """What is known of one protected person's contact from one prisoner's side."""

    person_ref: str | None
    person: str
    prisoner: str
    reports: list[ContactReport] = field(default_factory=list)
    calls: int = 0
    calls_first: datetime | None = None
    calls_last: datetime | None = None
    subject: str = ""
    probability: float | None = None
    path: str = ""
    others: list[str] = field(default_factory=list)

    def weigh(self, p: float | None, why: str, others: list[str]) -> None:
        """Keep the strongest resolution seen (None: unresolved, put down by condition)."""
        if p is not None and (self.probability is None or p > self.probability):
            self.probability, self.path = p, why
        elif self.probability is None and not self.path:
            self.path = why
        self.others = sorted(set(self.others) | set(others))[:10]

    def times(self) -> list[datetime]:
        """Every dated piece of evidence (reports, first and last call)."""
        out = [(r.occurred_ts or r.received_ts) for r in self.reports]
        return out + [t for t in (self.calls_first, self.calls_last) if t is not None]


def _say(prisoner: str, p: float | None, threshold: float) -> str:
    if p is None:
        return (f"the sender is not linked to any prisoner by the current attributions; "
                f"put down to {prisoner}, whom the condition is against (UNCONFIRMED)")
    label = "" if p >= threshold else " (unconfirmed)"
    return f"attributed to {prisoner} (p={p:.2f}){label}"


def _establishment(s: Session, prison_number: str) -> str | None:
    return s.scalars(select(Prisoner.establishment)
                     .where(Prisoner.prison_number == prison_number)).first()


Found = dict[tuple[str, str], Contact]


def from_reports(ctx: RuleContext, found: Found) -> None:
    """Reports of contact, put down to a prisoner from their current resolution."""
    resolve_open_reports(ctx.store)
    threshold = ctx.settings.parole_probability_threshold
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
            c = found.setdefault((person, prisoner),
                                 Contact(report.person_ref, person, prisoner))
            s.expunge(report)
            c.reports.append(report)
            c.weigh(p, why, [x.prison_number for x in cands if x.prison_number != prisoner])


def _protected_numbers(ctx: RuleContext) -> pa.Table:
    with ctx.store.session() as s:
        rows = s.execute(select(ProtectedIdentifier.person_ref, ProtectedIdentifier.identifier)
                         .where(ProtectedIdentifier.identifier_type == "MSISDN")).all()
    return pa.table({"person_ref": [r[0] for r in rows], "number": [r[1] for r in rows]})


def from_call_records(ctx: RuleContext, found: Found) -> None:
    """Calls and SMS between a protected number and a subject, resolved to a prisoner."""
    numbers = _protected_numbers(ctx)
    if numbers.num_rows == 0:
        return
    hits = ctx.query(CDR_SQL, tables={"cw_protected_numbers": numbers})
    threshold = ctx.settings.parole_probability_threshold
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
            c = found.setdefault((hit["person_ref"], prisoner),
                                 Contact(hit["person_ref"], hit["person_ref"], prisoner))
            c.calls += int(hit["n"])
            c.calls_first = first if c.calls_first is None else min(c.calls_first, first)
            last: datetime = hit["last_ts"]
            c.calls_last = last if c.calls_last is None else max(c.calls_last, last)
            c.subject = c.subject or subject
            c.weigh(p, why, [])


def _draft(c: Contact, ctx: RuleContext, establishment: str | None,
           severity: str) -> AlertDraft:
    threshold = ctx.settings.parole_probability_threshold
    parts = []
    if c.reports:
        days = sorted((r.occurred_ts or r.received_ts).date() for r in c.reports)
        latest = max(c.reports, key=lambda r: (r.occurred_ts or r.received_ts, r.id))
        channels = ", ".join(sorted({r.channel for r in c.reports}))
        crime = f", crime ref {latest.crime_reference}" if latest.crime_reference else ""
        parts.append(f"{len(c.reports)} report(s) of contact ({channels}) to protected person "
                     f"{c.person} from {days[0]} to {days[-1]}, latest {latest.report_ref} "
                     f"from {latest.sender}{crime}")
    if c.calls and c.calls_first and c.calls_last:
        parts.append(f"{c.calls} call(s)/SMS between {c.subject} and protected person "
                     f"{c.person} from {c.calls_first.date()} to {c.calls_last.date()}")
    times = c.times()
    sender = c.reports[-1].sender if c.reports else c.subject.split(" ", 1)[-1]
    return AlertDraft(
        RULE, f"{c.person}|{c.prisoner}",
        f"{'; '.join(parts)}; {_say(c.prisoner, c.probability, threshold)}. "
        f"As of {ctx.as_of}.",
        prison_number=c.prisoner, person_ref=c.person_ref, identifier=sender,
        establishment=establishment,
        details={"source": "contact_report" if c.reports else "call_records",
                 "reports": [r.report_ref for r in c.reports], "calls": c.calls,
                 "subject": c.subject or None,
                 "calls_first": c.calls_first.date().isoformat() if c.calls_first else None,
                 "calls_last": c.calls_last.date().isoformat() if c.calls_last else None,
                 "probability": c.probability, "path": c.path, "other_candidates": c.others},
        priority=priority(severity, c.probability is not None
                          and c.probability >= threshold),
        first_seen=min(times) if times else None, last_seen=max(times) if times else None,
        evidence_count=len(c.reports) + c.calls, as_of=ctx.as_of)


def protected_person_contacted(ctx: RuleContext) -> list[Raised]:
    """The rule: reports and call records, one alert per person and prisoner, kept current."""
    found: Found = {}
    from_reports(ctx, found)
    from_call_records(ctx, found)
    severity = load_rules()[RULE].severity
    out: list[Raised] = []
    with ctx.store.session() as s:
        for key in sorted(found):
            c = found[key]
            out.append(upsert_alert(s, _draft(c, ctx, _establishment(s, c.prisoner), severity)))
    return out


def protected_prisoners(ctx: RuleContext) -> dict[str, list[str]]:
    """Prisoners with a protected person whose condition is in force, and those persons."""
    out: dict[str, list[str]] = {}
    with ctx.store.session() as s:
        for p in s.scalars(select(ProtectedPerson).order_by(ProtectedPerson.person_ref)):
            if (p.valid_from is None or p.valid_from <= ctx.as_of) and (
                    p.valid_to is None or ctx.as_of <= p.valid_to):
                out.setdefault(p.prison_number, []).append(p.person_ref)
    return out
