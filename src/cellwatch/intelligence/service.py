"""Graded intelligence through the policy: handling codes enforced, dissemination recorded."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from cellwatch.access.models import (
    Dissemination,
    IntelligenceRelease,
    IntelligenceReport,
    IntelligenceSubject,
)
from cellwatch.access.policy import Target, can
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import shared_prisoner, visible_intelligence
from cellwatch.access.service import Access, Page, not_found
from cellwatch.errors import Denied, InvalidData, NotFound
from cellwatch.estate.service import prisoner_target
from cellwatch.ingest.intelligence import read_identifiers, read_subjects
from cellwatch.intelligence.handling import named_organisations
from cellwatch.store import Establishment, Prisoner, utcnow


def intelligence_target(session: Session, principal: Principal,
                        report: IntelligenceReport) -> Target:
    """The policy facts about one report, for this principal."""
    releases = frozenset(session.scalars(select(IntelligenceRelease.org_code)
                                         .where(IntelligenceRelease.report_id == report.id)))
    shared = principal.org_code is not None and session.scalar(
        select(IntelligenceSubject.prison_number).where(
            IntelligenceSubject.report_id == report.id,
            shared_prisoner(principal, IntelligenceSubject.prison_number)).limit(1)) is not None
    return Target(Resource.INTELLIGENCE, report.report_ref, establishment=report.establishment,
                  owner_org=report.owner_org, handling_code=report.handling_code,
                  release_to=releases, via_sharing=shared)


@dataclass(frozen=True)
class IntelligenceFilter:
    """Filters of the intelligence list (bound parameters only)."""

    establishment: str | None = None
    handling_code: str | None = None
    subject: str | None = None


def _filters(f: IntelligenceFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.establishment:
        where.append(IntelligenceReport.establishment == f.establishment.upper())
    if f.handling_code:
        where.append(IntelligenceReport.handling_code == f.handling_code.upper())
    if f.subject:
        where.append(IntelligenceReport.id.in_(
            select(IntelligenceSubject.report_id)
            .where(IntelligenceSubject.prison_number == f.subject.upper())))
    return where


def disseminate(session: Session, access: Access, reports: Iterable[IntelligenceReport],
                 channel: str, reason: str | None) -> None:
    """Record each report shown outside the organisation that owns it."""
    # Anything shown outside the organisation that owns it has gone outward: keep a record.
    principal = access.principal
    for report in reports:
        if principal.is_system or report.owner_org == principal.org_code:
            continue
        session.add(Dissemination(report_id=report.id, to_org=principal.org_code,
                                  principal=principal.username, channel=channel, reason=reason))


def subjects_of(access: Access, report_ids: list[int]) -> dict[int, list[str]]:
    """Subjects of reports already allowed (the caller holds them)."""
    out: dict[int, list[str]] = {i: [] for i in report_ids}
    with access.transaction() as s:
        rows = s.execute(select(IntelligenceSubject.report_id, IntelligenceSubject.prison_number)
                         .where(IntelligenceSubject.report_id.in_(report_ids)))
        for report_id, prison_number in rows:
            out[report_id].append(prison_number)
    return out


def list_intelligence(access: Access, page: Page = Page(),
                      filters: IntelligenceFilter = IntelligenceFilter(),
                      channel: str = "API") -> list[IntelligenceReport]:
    """Reports the principal may see; what crosses an organisation's boundary is recorded."""
    target = Target(Resource.INTELLIGENCE)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        query = select(IntelligenceReport).where(visible_intelligence(access.principal),
                                                 *_filters(filters))
        rows = list(s.scalars(query.order_by(IntelligenceReport.ts.desc(), IntelligenceReport.id)
                              .limit(page.limit).offset(page.offset)))
        disseminate(s, access, rows, channel, None)
        access.audit(s, "list", target, detail={
            "filters": {k: v for k, v in vars(filters).items() if v},
            "returned": [r.report_ref for r in rows]})
        return rows


def get_intelligence(access: Access, report_ref: str, reason: str | None = None,
                     channel: str = "API") -> IntelligenceReport:
    """Open one report; C-coded items only for the organisations they name (to anyone else
    it answers as an unknown report does)."""
    access.require_role(Action.READ, Resource.INTELLIGENCE, report_ref)
    with access.facts() as s:
        found = s.scalars(select(IntelligenceReport)
                          .where(IntelligenceReport.report_ref == report_ref)).one_or_none()
        if found is None:
            raise not_found(Resource.INTELLIGENCE, report_ref)
        target = intelligence_target(s, access.principal, found)
    with access.transaction() as s:
        access.check(Action.READ, target, reason=reason, opening=True)
        report = s.get(IntelligenceReport, found.id)
        if report is None:  # row-level security disagrees with the policy: fail closed
            raise not_found(Resource.INTELLIGENCE, report_ref)
        disseminate(s, access, [report], channel, reason)
        access.audit(s, "read", target, reason=reason,
                     detail={"handling_code": report.handling_code})
        return report


def export_intelligence(access: Access, reason: str,
                        filters: IntelligenceFilter = IntelligenceFilter()) -> list[
                            IntelligenceReport]:
    """Every report the principal may see, for export: needs the export permission and a reason."""
    target = Target(Resource.INTELLIGENCE)
    with access.transaction() as s:
        access.check(Action.EXPORT, target, reason=reason, role_only=True)
        if not reason.strip():
            access.check(Action.EXPORT, target, reason=None, opening=True)
        query = select(IntelligenceReport).where(visible_intelligence(access.principal),
                                                 *_filters(filters))
        rows = list(s.scalars(query.order_by(IntelligenceReport.id)))
        disseminate(s, access, rows, "EXPORT", reason)
        access.audit(s, "export", target, reason=reason,
                     detail={"returned": [r.report_ref for r in rows]})
        return rows


GRADES = {"source_evaluation": ("1", "2", "3"),
          "intelligence_assessment": ("A", "B", "C", "D", "E"),
          "handling_code": ("P", "C")}


@dataclass(frozen=True)
class IntelligenceDraft:
    """A report as submitted by a person (the web form; the ingest's rules apply)."""

    text: str
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str | None = None
    establishment: str | None = None
    subjects: str = ""  # prison numbers separated by spaces, commas or semicolons
    identifiers: str = ""  # IMEI, IMSI, ICCID or numbers, one a line or comma-separated


def _parts(text: str) -> str:
    return ";".join(text.replace(",", " ").replace(";", " ").split())


def _lines(text: str) -> str:
    # A number may be written with spaces (+44 7700 900222): split on lines and commas only.
    return ";".join(text.replace(",", "\n").replace(";", "\n").splitlines())


def _draft_problems(draft: IntelligenceDraft) -> tuple[dict[str, list[str]], list[str],
                                                        list[str]]:
    errors: dict[str, list[str]] = {}
    for name, allowed in GRADES.items():
        if getattr(draft, name).strip().upper() not in allowed:
            errors[name] = [f"one of {', '.join(allowed)}"]
    if not draft.text.strip():
        errors["text"] = ["say what the intelligence is"]
    if draft.handling_code.strip().upper() == "C" and not (draft.handling_conditions or "").strip():
        errors["handling_conditions"] = ["required when the handling code is C (name the "
                                         "organisations it may go to)"]
    subjects, bad = read_subjects(_parts(draft.subjects))
    if bad:
        errors["subjects"] = [f"{part!r} is not a prison number" for part in bad]
    identifiers, reasons = read_identifiers(_lines(draft.identifiers))
    if reasons:
        errors["identifiers"] = reasons
    return errors, subjects, identifiers


def _unseen_subjects(access: Access, numbers: list[str]) -> list[str]:
    """The prisoners named that the principal may not read: unknown and out of scope alike
    (each refusal audited), so naming one tells nothing about whether it exists."""
    unseen = []
    for number in numbers:
        with access.facts() as s:
            found = s.get(Prisoner, number)
            target = None if found is None else prisoner_target(s, access.principal, found)
        if target is None:
            unseen.append(number)
            continue
        try:
            with access.transaction():
                access.check(Action.READ, target)
        except (Denied, NotFound):
            unseen.append(number)
    return unseen


def submit_intelligence(access: Access, draft: IntelligenceDraft) -> IntelligenceReport:
    """Record a graded report owned by the principal's organisation (3x5x2: source 1-3,
    assessment A-E, handling P or C with conditions); subjects only prisoners it may read."""
    access.require_role(Action.CREATE, Resource.INTELLIGENCE)
    org = access.principal.org_code
    if org is None:
        raise InvalidData("report refused", {"principal": ["act as a user of an organisation"]})
    errors, subjects, identifiers = _draft_problems(draft)
    establishment = (draft.establishment or "").strip().upper() or None
    with access.facts() as s:
        if establishment is not None and s.get(Establishment, establishment) is None:
            errors["establishment"] = [f"unknown establishment {establishment}"]
    # The ingest's rule (the owner aside): a team writes for the establishments it covers.
    where = Target(Resource.INTELLIGENCE, establishment=establishment)
    if "establishment" not in errors and not can(access.principal, Action.CREATE, where):
        errors["establishment"] = [f"{establishment} is outside your establishments"]
    unseen = _unseen_subjects(access, subjects)
    if unseen:
        errors["subjects"] = [f"unknown prisoner {n}" for n in unseen]
    if errors:
        raise InvalidData("report refused", errors)
    code = draft.handling_code.strip().upper()
    now = utcnow()
    ref = f"IR-{org}-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"
    target = Target(Resource.INTELLIGENCE, ref, establishment=establishment)
    with access.transaction() as s:
        access.check(Action.CREATE, target)
        conditions = (draft.handling_conditions or "").strip() or None
        report = IntelligenceReport(
            report_ref=ref, ts=now, establishment=establishment,
            source_evaluation=draft.source_evaluation.strip(),
            intelligence_assessment=draft.intelligence_assessment.strip().upper(),
            handling_code=code, handling_conditions=conditions, owner_org=org,
            identifiers=identifiers, text=draft.text.strip())
        s.add(report)
        s.flush()
        s.add_all(IntelligenceSubject(report_id=report.id, prison_number=n) for n in subjects)
        releases = named_organisations(s, conditions) if code == "C" else []
        s.add_all(IntelligenceRelease(report_id=report.id, org_code=o) for o in releases)
        access.audit(s, "create", target, detail={
            "grade": f"{report.source_evaluation}{report.intelligence_assessment}{code}",
            "subjects": subjects, "released_to": releases})
        return report
