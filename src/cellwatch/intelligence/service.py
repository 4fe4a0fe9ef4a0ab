"""Graded intelligence through the policy: handling codes enforced, dissemination recorded."""

from __future__ import annotations

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
from cellwatch.access.policy import Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import shared_prisoner, visible_intelligence
from cellwatch.access.service import Access, Page, not_found


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
