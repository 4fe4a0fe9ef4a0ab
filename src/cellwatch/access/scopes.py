"""The policy's scope rules as SQL filters, so lists and counts never fetch what may not be seen.

Each function mirrors a rule of :mod:`cellwatch.access.policy`; the tests check that a
list holds exactly the records ``can`` allows one by one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, false, or_, select, true

from cellwatch.access.models import (
    Case,
    CaseShare,
    CaseSubject,
    IntelligenceRelease,
    IntelligenceReport,
    IntelligenceSubject,
    Referral,
)
from cellwatch.access.principal import Principal
from cellwatch.access.roles import OrgKind
from cellwatch.store.reference import Prisoner


def in_scope(principal: Principal, column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """The establishment in ``column`` lies within the principal's geography."""
    if principal.establishments is None:
        return true()
    if not principal.establishments:
        return false()
    return column.in_(sorted(principal.establishments))


def visible_cases(principal: Principal) -> ColumnElement[bool]:
    """Cases the principal's organisation owns or has been given a share of."""
    if principal.is_system:
        return true()
    org = principal.org_code
    shared = exists().where(CaseShare.case_id == Case.id, CaseShare.org_code == org)
    return or_(Case.owner_org == org, shared)


def shared_prisoner(principal: Principal, column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """The prisoner in ``column`` is a subject of a visible case or of a referral the org
    received. A referral does not widen its sender's view: naming a prisoner in one's own
    referral (a force reporting a crime) shares nothing back."""
    if principal.org_code is None:
        return false()
    org = principal.org_code
    in_cases = select(CaseSubject.prison_number).join(Case, Case.id == CaseSubject.case_id) \
        .where(visible_cases(principal))
    in_referrals = select(Referral.prison_number).where(
        Referral.prison_number.is_not(None), Referral.to_org == org)
    return or_(column.in_(in_cases), column.in_(in_referrals))


def visible_prisoners(principal: Principal) -> ColumnElement[bool]:
    """Prisoners the principal may see."""
    if principal.is_system:
        return true()
    return or_(in_scope(principal, Prisoner.establishment),
               shared_prisoner(principal, Prisoner.prison_number))


def visible_intelligence(principal: Principal) -> ColumnElement[bool]:
    """Intelligence the principal may see: owned, named by a C code, or P-coded in scope."""
    if principal.is_system:
        return true()
    org = principal.org_code
    released = exists().where(IntelligenceRelease.report_id == IntelligenceReport.id,
                              IntelligenceRelease.org_code == org)
    subject_shared = exists().where(
        IntelligenceSubject.report_id == IntelligenceReport.id,
        shared_prisoner(principal, IntelligenceSubject.prison_number))
    return or_(
        IntelligenceReport.owner_org == org,
        and_(IntelligenceReport.handling_code == "C", released),
        and_(IntelligenceReport.handling_code == "P",
             or_(in_scope(principal, IntelligenceReport.establishment), subject_shared)),
    )


def visible_referrals(principal: Principal) -> ColumnElement[bool]:
    """Referrals the principal's organisation sent or received."""
    if principal.is_system:
        return true()
    org = principal.org_code
    return or_(Referral.from_org == org, Referral.to_org == org)


def visible_protected_persons(principal: Principal,
                              owner: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """Protected persons (their owning organisation in ``owner``) the principal's
    organisation owns: :func:`cellwatch.access.policy.protected_person_scope` in SQL."""
    if principal.is_system:
        return true()
    if principal.org_code is None:
        return false()
    return owner == principal.org_code


def own_or_national(principal: Principal, mine: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whole-estate principals see all; others only rows matching ``mine``."""
    if principal.is_system or principal.org_kind is OrgKind.NATIONAL:
        return true()
    return mine
