"""Prisoners and establishments through the policy: listing is audited, opening needs a reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from cellwatch.access.policy import Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import in_scope, shared_prisoner, visible_prisoners
from cellwatch.access.service import Access, Page, not_found
from cellwatch.store.reference import Establishment, Prisoner


@dataclass(frozen=True)
class PrisonerFilter:
    """Filters of the prisoner list; every value is bound as a parameter, never spliced."""

    establishment: str | None = None
    surname: str | None = None  # prefix, case-insensitive
    prison_number: str | None = None


def _filters(f: PrisonerFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.establishment:
        where.append(Prisoner.establishment == f.establishment.upper())
    if f.surname:
        # LIKE wildcards in the input are escaped: a filter matches text, not patterns.
        escaped = f.surname.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Prisoner.surname.ilike(escaped + "%", escape="\\"))
    if f.prison_number:
        where.append(Prisoner.prison_number == f.prison_number.upper())
    return where


def prisoner_target(session: Session, principal: Principal, prisoner: Prisoner) -> Target:
    """The policy facts about one prisoner, for this principal."""
    shared = principal.org_code is not None and session.scalar(
        select(Prisoner.prison_number).where(
            Prisoner.prison_number == prisoner.prison_number,
            shared_prisoner(principal, Prisoner.prison_number)).limit(1)) is not None
    return Target(Resource.PRISONER, prisoner.prison_number,
                  establishment=prisoner.establishment, via_sharing=bool(shared))


def list_prisoners(access: Access, page: Page = Page(),
                   filters: PrisonerFilter = PrisonerFilter()) -> list[Prisoner]:
    """Prisoners the principal may see, filtered; the query itself is audited."""
    target = Target(Resource.PRISONER)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        query = select(Prisoner).where(visible_prisoners(access.principal), *_filters(filters))
        rows = list(s.scalars(query.order_by(Prisoner.prison_number)
                              .limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target, detail={
            "filters": {k: v for k, v in vars(filters).items() if v},
            "returned": [p.prison_number for p in rows]})
        return rows


def get_prisoner(access: Access, prison_number: str, reason: str | None = None) -> Prisoner:
    """Open one prisoner's record; outside the principal's own organisation a reason is required.

    Unknown and out of scope answer alike (:func:`~cellwatch.access.service.not_found`).
    """
    number = prison_number.upper()
    access.require_role(Action.READ, Resource.PRISONER, number)
    with access.facts() as s:
        found = s.get(Prisoner, number)
        if found is None:
            raise not_found(Resource.PRISONER, number)
        target = prisoner_target(s, access.principal, found)
    with access.transaction() as s:
        access.check(Action.READ, target, reason=reason, opening=True)
        prisoner = s.get(Prisoner, target.id)
        if prisoner is None:  # row-level security disagrees with the policy: fail closed
            raise not_found(Resource.PRISONER, number)
        access.audit(s, "read", target, reason=reason)
        return prisoner


def list_establishments(access: Access, page: Page = Page(),
                        region: str | None = None, mine: bool = False) -> list[Establishment]:
    """The estate (not secret); ``mine`` keeps the principal's own establishments only."""
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.ESTABLISHMENT), role_only=True)
        query = select(Establishment).order_by(Establishment.code)
        if region:
            query = query.where(Establishment.region == region)
        if mine:
            query = query.where(in_scope(access.principal, Establishment.code))
        return list(s.scalars(query.limit(page.limit).offset(page.offset)))
