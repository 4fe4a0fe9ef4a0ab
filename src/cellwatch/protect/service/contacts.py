"""Reports of contact as victim liaison records and follows them: which of the person's
numbers or accounts was contacted, by which number or account, when; then what the
identity graph makes of the sender, and the alerts raised about the person.

Scoped as :mod:`cellwatch.protect.service.liaison` is (the organisation's own persons;
another's answers as unknown, 404). A report is resolved at once
(:func:`cellwatch.protect.resolve.resolve_report`) and the contact rule is run, so the alert
is there when the page comes back. What the officer may not see is left out, not refused:
a resolution to a prisoner other than the one the condition names is said as "another
prisoner" without his number or the path to him (the officer reads no prisoner records),
and an alert put down to another prisoner shows its state without its text.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.roles import Action
from cellwatch.access.service import Access
from cellwatch.alerts.detect.run import run_rules
from cellwatch.alerts.models import Alert
from cellwatch.alerts.redact import redact
from cellwatch.errors import Concealed, InvalidData, NotFound
from cellwatch.ingest.contact_reports import CHANNELS as CHANNELS  # a report's, for the shells
from cellwatch.protect.models import (
    ContactReport,
    ContactResolution,
    ProtectedIdentifier,
    ProtectedPerson,
)
from cellwatch.protect.parties import read_party
from cellwatch.protect.resolve import Candidate, attribute_contact, resolve_report
from cellwatch.protect.service.liaison import guarded, mine, open_person, target, unknown
from cellwatch.store import utcnow

RULE = "PROTECTED_PERSON_CONTACTED"
CONTENT_MAX = 20_000


@dataclass(frozen=True)
class Resolution:
    """What the graph makes of a report's sender, as the liaison officer may see it.

    ``prisoner`` is the condition's prisoner when the contact is put down to him, else
    None; ``other`` says it is put down to another prisoner (not named here).
    """

    status: str  # OPEN (sender not linked yet) or RESOLVED
    prisoner: str | None
    probability: float | None
    path: str | None
    other: bool
    confirmed: bool


@dataclass(frozen=True)
class ReportView:
    """A report of contact and its resolution."""

    id: int
    report_ref: str
    person_ref: str
    contacted: str | None
    channel: str
    sender_type: str
    sender: str
    occurred_ts: datetime | None
    received_ts: datetime
    crime_reference: str | None
    content: str | None
    resolution: Resolution


@dataclass(frozen=True)
class PersonAlert:
    """An alert about one of the organisation's persons."""

    id: int
    rule: str
    status: str
    priority: int
    person_ref: str
    created_ts: datetime
    last_seen: datetime | None
    evidence_count: int | None
    summary: str | None  # None: put down to another prisoner, text left out


def _threshold(access: Access) -> float:
    return access.settings.parole_probability_threshold if access.settings else 0.8


def _resolution(session: Session, report: ContactReport, named: str,
                threshold: float) -> Resolution:
    rows = session.scalars(select(ContactResolution).where(
        ContactResolution.report_id == report.id)
        .order_by(ContactResolution.probability.desc())).all()
    cands = [Candidate(r.prison_number, r.probability, r.path, r.device) for r in rows]
    if not cands:
        return Resolution(report.resolution, None, None, None, False, False)
    prisoner, p, why = attribute_contact(named, cands, threshold)
    if prisoner == named:
        return Resolution(report.resolution, named, p, why, False,
                          p is not None and p >= threshold)
    return Resolution(report.resolution, None, None, None, True,
                      p is not None and p >= threshold)


def _view(session: Session, report: ContactReport, named: str,
          threshold: float) -> ReportView:
    contacted = (report.extra or {}).get("contacted")
    return ReportView(report.id, report.report_ref, report.person_ref or "",
                      str(contacted) if contacted else None, report.channel,
                      report.sender_type, report.sender, report.occurred_ts,
                      report.received_ts, report.crime_reference, report.content,
                      _resolution(session, report, named, threshold))


def _contacted(session: Session, person_ref: str, text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    own = {i.identifier for i in session.scalars(select(ProtectedIdentifier).where(
        ProtectedIdentifier.person_ref == person_ref))}
    if text.strip() in own:
        return text.strip()
    try:
        value = read_party(text).value
    except InvalidData:
        value = None
    if value not in own:
        raise InvalidData("report refused", {"contacted": [
            "choose one of the person's own numbers or accounts"]})
    return value


def record_report(access: Access, person_ref: str, sender: str, channel: str,
                  occurred_ts: datetime | None = None, contacted: str | None = None,
                  platform: str | None = None, content: str | None = None,
                  crime_reference: str | None = None) -> ReportView:
    """Record that ``sender`` contacted the person (on ``contacted``, one of their own
    identifiers), resolve the sender through the graph and run the contact rule."""
    guarded(access, Action.UPDATE, person_ref)
    code = channel.strip().upper()
    problems: dict[str, list[str]] = {}
    if code not in CHANNELS:
        problems["channel"] = [f"one of {', '.join(CHANNELS)}"]
    now = utcnow()
    if occurred_ts is not None and occurred_ts.tzinfo is None:
        problems["occurred_ts"] = ["give the time with its zone"]
    elif occurred_ts is not None and occurred_ts > now:
        problems["occurred_ts"] = ["after now: a report is of contact that happened"]
    if content is not None and len(content) > CONTENT_MAX:
        problems["content"] = [f"at most {CONTENT_MAX} characters"]
    if problems:
        raise InvalidData("report refused", problems)
    try:
        party = read_party(sender, platform)
    except InvalidData as exc:
        raise InvalidData("report refused", {"sender": [exc.message]}) from None
    try:
        with access.transaction() as s:
            person = open_person(access, s, person_ref, Action.UPDATE)
            where = _contacted(s, person_ref, contacted)
            report = ContactReport(
                report_ref=f"CR-{now:%Y%m%d}-{secrets.token_hex(3).upper()}",
                received_ts=now, occurred_ts=occurred_ts,
                reporting_org=access.principal.org_code,
                crime_reference=(crime_reference or "").strip()[:64] or None,
                person_ref=person_ref, channel=code, sender_type=party.type,
                sender=party.value, content=(content or "").strip() or None,
                resolution="OPEN",
                extra={"contacted": where, "recorded_by": access.principal.username,
                       **({"lenient_handle": True} if party.lenient else {})})
            s.add(report)
            s.flush()
            resolve_report(s, report)
            access.audit(s, "create", target(person_ref, person.owner_org),
                         detail={"contact_report": report.report_ref, "channel": code,
                                 "resolution": report.resolution})
            report_id = report.id
    except NotFound:
        raise unknown(person_ref) from None
    if access.settings is not None:  # the alert is there when the page comes back
        run_rules(access.settings, access.store, only=(RULE,))
    return get_report(access, report_id)


def _report_person(access: Access, report_id: int) -> str:
    with access.facts() as s:
        row = s.get(ContactReport, report_id)
        person = row.person_ref if row is not None else None
        owner = s.get(ProtectedPerson, person) if person else None
        if owner is None or not mine(access, owner):
            person = None
    return person or ""


def get_report(access: Access, report_id: int) -> ReportView:
    """One report of one of the organisation's persons, with its resolution (audited)."""
    guarded(access, Action.READ, str(report_id))
    person_ref = _report_person(access, report_id)
    try:
        with access.transaction() as s:
            if not person_ref:
                raise Concealed(f"report {report_id} is of no person of "
                                f"{access.principal.org_code}", "read",
                                target(f"report {report_id}"), None)
            person = open_person(access, s, person_ref, Action.READ)
            report = s.get(ContactReport, report_id)
            assert report is not None
            view = _view(s, report, person.prison_number, _threshold(access))
            access.audit(s, "read", target(person_ref, person.owner_org),
                         detail={"contact_report": report.report_ref})
            return view
    except NotFound:
        raise NotFound(f"report of contact {report_id} not found") from None


def person_reports(access: Access, person_ref: str) -> list[ReportView]:
    """The person's reports of contact, newest first, with their resolutions (audited)."""
    guarded(access, Action.READ, person_ref)
    try:
        with access.transaction() as s:
            person = open_person(access, s, person_ref, Action.READ)
            rows = list(s.scalars(select(ContactReport)
                                  .where(ContactReport.person_ref == person_ref)
                                  .order_by(ContactReport.received_ts.desc(),
                                            ContactReport.id.desc())))
            threshold = _threshold(access)
            views = [_view(s, r, person.prison_number, threshold) for r in rows]
            access.audit(s, "list", target(person_ref, person.owner_org),
                         detail={"contact_reports": [r.report_ref for r in rows]})
            return views
    except NotFound:
        raise unknown(person_ref) from None


def person_alerts(access: Access, person_ref: str | None = None,
                  open_only: bool = False) -> list[PersonAlert]:
    """Alerts about the organisation's persons (or one of them), newest first (audited).

    An alert put down to a prisoner other than the one the person's condition names is
    listed without its text: its state is the officer's business, the prisoner is not.
    """
    guarded(access, Action.READ, person_ref or "")
    try:
        with access.transaction() as s:
            query = select(ProtectedPerson)
            if person_ref is not None:
                query = query.where(ProtectedPerson.person_ref == person_ref)
                open_person(access, s, person_ref, Action.READ)
            if not access.principal.is_system:
                query = query.where(ProtectedPerson.owner_org == access.principal.org_code)
            named = {p.person_ref: p.prison_number for p in s.scalars(query)}
            alerts = list(s.scalars(select(Alert).where(Alert.person_ref.in_(list(named)))
                                    .order_by(Alert.created_ts.desc(), Alert.id.desc())))
            if open_only:
                alerts = [a for a in alerts if a.status != "CLOSED"]
            access.audit(s, "list", target(person_ref),
                         detail={"alerts": [a.id for a in alerts]})
    except NotFound:
        raise unknown(person_ref or "") from None
    shown = redact(access, alerts)
    return [PersonAlert(a.id, a.rule, a.status, a.priority, a.person_ref or "",
                        a.created_ts.astimezone(UTC), a.last_seen, a.evidence_count,
                        a.summary if a.prison_number == named.get(a.person_ref or "")
                        else None) for a in shown]
