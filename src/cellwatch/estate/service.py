"""Prisoners and establishments through the policy: listing is audited, opening needs a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.orm import Session

from cellwatch.access.policy import Target, can
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import in_scope, shared_prisoner, visible_prisoners
from cellwatch.access.service import Access, Page, not_found
from cellwatch.alerts import Alert as Alert  # what the overview presents of an alert
from cellwatch.alerts import list_alerts
from cellwatch.store.events import SeizureItem
from cellwatch.store.reference import Establishment, Location, Prisoner
from cellwatch.tro.models import TroApplication


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


@dataclass
class OverviewRecords:
    """What the estate overview shows from the store, inside the principal's scope."""

    seizures: list[SeizureItem]
    orders: list[TroApplication] | None  # None: the principal's role does not read orders
    open_alerts: list[Alert]
    # Heat-map keys of cells (``LEI|C-120``) -> the landing holding them (``C-1``).
    cell_parents: dict[str, str] = field(default_factory=dict)


def overview_records(access: Access, codes: set[str], detailed: set[str]) -> OverviewRecords:
    """Finds, served-order candidates and open alerts of the principal's establishments
    ``codes``, and the cells' landings of those shown in ``detailed``.

    Finds and orders are read inside the principal's transaction and scope, alerts as the
    alerts page lists them; orders only for a role that reads them (asked without
    raising: the overview did not ask for orders, so nobody is audited as refused).
    """
    p = access.principal
    with access.transaction() as s:
        seizures = list(s.scalars(select(SeizureItem).where(
            in_scope(p, SeizureItem.establishment))))
        orders = None
        if can(p, Action.READ, Target(Resource.TRO_ORDER)):
            # A store the TRO tables have not been migrated into shows no orders yet.
            ready = inspect(s.connection()).has_table(TroApplication.__tablename__)
            orders = list(s.scalars(select(TroApplication).where(
                in_scope(p, TroApplication.establishment)))) if ready else []
        parents = _cells_to_landings(s, detailed) if detailed else {}
    alerts = [a for a in list_alerts(access.store, p, status="OPEN") if a.establishment in codes]
    return OverviewRecords(seizures, orders, alerts, parents)


def _cells_to_landings(session: Session, codes: set[str]) -> dict[str, str]:
    """Heat-map keys of cells (``A-101`` at ``LEI``) -> the key of the place holding them.

    The lake's heat map cuts location codes by position (wing, landing), which is right
    where codes are wing-landing-cell (``HEI-A-2-014``) but gives one row per cell where a
    prison numbers cells straight off the wing (``LEI-C-120``): 239 rows for Leeds. The
    store's hierarchy rolls such cells up to their parent.
    """
    rows = session.execute(
        select(Location.code, Location.parent_code, Location.establishment).where(
            Location.establishment.in_(codes), Location.type == "CELL",
            Location.parent_code.is_not(None)))
    return {f"{est}|{code.split('-', 1)[-1]}": parent.split("-", 1)[-1]
            for code, parent, est in rows if parent}
