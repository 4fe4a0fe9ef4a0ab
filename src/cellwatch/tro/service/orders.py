"""TROs for a principal: candidates, applications and orders, decided and audited.

:mod:`cellwatch.tro.orders` and :mod:`cellwatch.tro.candidates` trust their caller; the
API, the web and the CLI (as ``CELLWATCH_PRINCIPAL``, the local ``system`` by default)
come through here instead. The rules:

* Role (data, :data:`cellwatch.access.roles.ROLE_PERMISSIONS`): analysts and
  supervisors read, draft and move orders; only a supervisor APPROVEs or FILEs one.
  Police, the Parole Board and operators' liaisons hold no TRO permission, so they
  see no order at all.
* Scope: reading follows geography (national all, a region its region, an
  establishment's team its own). Drafting and moving an order is the work of the
  establishment's own team or a national unit; a region reads but does not work them.
  Verification scans and moves every establishment's orders at once, so it is the work
  of a national unit (or the local ``system``) alone.

Every decision is audited through :meth:`Access.audit`; a refusal raises
:class:`~cellwatch.errors.Denied`, which :meth:`Access.transaction` audits on its
own. An existing order outside the principal's reading scope answers exactly as a
missing one does (:class:`~cellwatch.errors.NotFound`, the same message), so its
existence does not leak; the denial is still audited. The orders module still records
each change in ``tro_transitions`` and as ``tro.create`` / ``tro.transition``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from cellwatch.access.policy import Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, OrgKind, Resource
from cellwatch.access.scopes import in_scope
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, ConfigError, Denied, InvalidData, NotFound
from cellwatch.settings import Settings
from cellwatch.store.listing import Order, SortColumn, sorted_by
from cellwatch.tro import batch, orders, overdue, verify
from cellwatch.tro.candidates import Candidate
from cellwatch.tro.materialise import CandidateSet, Narrowing, candidate_set
from cellwatch.tro.models import TroApplication, TroLine
from cellwatch.tro.policy import EvidencePolicy

LONDON = ZoneInfo("Europe/London")

# Moves that commit the prison service to a court application: a supervisor's sign-off.
SIGN_OFF_STATES = frozenset({"APPROVED", "FILED"})


def _missing(ref: str) -> NotFound:
    return NotFound(f"no TRO application {ref}")


def _works(principal: Principal, establishment: str) -> bool:
    """Whether the principal may draft or move orders of ``establishment``."""
    if principal.is_system or principal.org_kind is OrgKind.NATIONAL:
        return True
    return principal.org_kind is OrgKind.ESTABLISHMENT and principal.covers(establishment)


def _decide(access: Access, action: Action, audit_action: str, ref: str | None = None,
            establishment: str | None = None, *, whole_list: bool = False,
            estate_wide: bool = False, detail: dict[str, Any] | None = None) -> None:
    """Check role, then scope, for one order (looked up by ``ref``) or establishment.

    The decision is audited under ``audit_action`` either way. The role is asked first,
    so a principal with no TRO permission learns nothing, not even whether ``ref`` exists.
    ``whole_list`` asks the role only: the caller narrows the list to the scope itself.
    ``estate_wide`` also asks for a principal who works every establishment's orders.
    An existing order outside the reading scope raises :class:`NotFound`, as a missing one
    does, after its denial is audited; one read but not worked (a region) is refused.
    """
    _decide_in(access, action, audit_action, ref, establishment,
               whole_list=whole_list, estate_wide=estate_wide, detail=detail)


def _decide_in(access: Access, action: Action, audit_action: str, ref: str | None,
               establishment: str | None, *, whole_list: bool, estate_wide: bool,
               detail: dict[str, Any] | None) -> None:
    """The decision itself, in a transaction that audits any :class:`Denied`."""
    p = access.principal
    target = Target(Resource.TRO_ORDER, ref, establishment=establishment)
    with access.transaction() as s:
        try:
            access.check(action, target, role_only=True)
        except Denied as exc:
            # Re-raised under the TRO action name, so the audit log reads as the allowed ones do.
            raise Denied(exc.message, audit_action, target, None) from exc
        if estate_wide and not (p.is_system or p.org_kind is OrgKind.NATIONAL):
            raise Denied(f"{p.username} may not {action} every establishment's orders: only a "
                         "national unit or the local system works the whole estate",
                         audit_action, target, None)
        if ref is not None and establishment is None:
            establishment = _establishment_of(access, ref)
            target = Target(Resource.TRO_ORDER, ref, establishment=establishment)
        if not whole_list:
            if ref is not None and not p.covers(establishment):
                # Audited as denied by Access.transaction; answered as a missing order.
                raise Concealed(f"{p.username} may not {action} {target.type} {ref}: "
                                "outside your establishments", audit_action, target, None,
                                unknown=_missing(ref).message)
            if action is Action.READ:
                in_reach, why = p.covers(establishment), "outside your establishments"
            else:
                in_reach = establishment is not None and _works(p, establishment)
                why = "only the establishment's own team or a national unit works its orders"
            if not in_reach:
                raise Denied(f"{p.username} may not {action} {target.type} "
                             f"{ref or establishment}: {why}", audit_action, target, None)
        access.audit(s, audit_action, target, detail=detail)


def _establishment_of(access: Access, ref: str) -> str:
    # Read outside row-level security: the fact decides, and is not returned.
    with access.facts() as s:
        est = s.scalars(select(TroApplication.establishment)
                        .where(TroApplication.ref == ref)).first()
    if est is None:
        raise _missing(ref)
    return est


def lake_settings(access: Access) -> Settings:
    """The settings the TRO code reads the lake with (they must be on the Access)."""
    if access.settings is None:
        raise ConfigError("TRO candidates need settings (the lake) on the Access")
    return access.settings


def candidates(access: Access, establishment: str | None = None,
               page: Page | None = Page(), policy: EvidencePolicy | None = None,
               narrow: Narrowing = Narrowing()) -> CandidateSet:
    """Candidates in the principal's establishments (or the one named), best first,
    from the materialised set, with when it was computed.

    ``page`` None gives them all (the CLI's list and export); a ``policy`` other than the
    bundled one is computed on the spot; ``narrow`` filters and orders them (the queue).
    """
    # Without an establishment, the list is narrowed to the principal's geography below.
    _decide(access, Action.READ, "tro.candidates.list", None, establishment,
            whole_list=establishment is None)
    return candidate_set(lake_settings(access), access.store, policy, establishment,
                         within=access.principal.establishments,
                         offset=page.offset if page else 0, limit=page.limit if page else None,
                         narrow=narrow)


def list_candidates(access: Access, establishment: str | None = None,
                    page: Page | None = Page(),
                    policy: EvidencePolicy | None = None) -> list[Candidate]:
    """The candidates of :func:`candidates` alone."""
    return candidates(access, establishment, page, policy).candidates


# What the orders list may be sorted by.
ORDER_SORTS: dict[str, SortColumn] = {
    "ref": TroApplication.ref, "establishment": TroApplication.establishment,
    "state": TroApplication.state, "created_at": TroApplication.created_at,
    "updated_at": TroApplication.updated_at, "lines": func.count(TroLine.id)}


def list_orders(access: Access, page: Page = Page(), establishment: str | None = None,
                state: str | None = None, *, since: datetime | None = None,
                before: datetime | None = None,
                order: Order | None = None) -> list[dict[str, Any]]:
    """Applications and orders in the principal's establishments, newest first or in
    ``order`` (a key of :data:`ORDER_SORTS`); ``since``/``before`` bound when drafted."""
    # The same query as orders.list_orders, narrowed in SQL so nothing unseen is fetched.
    query = (select(TroApplication.ref, TroApplication.establishment, TroApplication.state,
                    func.count(TroLine.id), TroApplication.created_at,
                    TroApplication.updated_at)
             .join(TroLine, TroLine.application_id == TroApplication.id, isouter=True)
             .where(in_scope(access.principal, TroApplication.establishment))
             .group_by(TroApplication.id).order_by(TroApplication.id.desc()))
    query = sorted_by(query, ORDER_SORTS, order, TroApplication.id.desc())
    query = query.limit(page.limit).offset(page.offset)
    if establishment:
        query = query.where(TroApplication.establishment == establishment)
    if state:
        query = query.where(TroApplication.state == state.upper())
    if since is not None:
        query = query.where(TroApplication.created_at >= since)
    if before is not None:
        query = query.where(TroApplication.created_at < before)
    # tro_* tables sit outside row-level security; the scope is the WHERE above.
    with access.store.session() as s:
        rows = [{"ref": r, "establishment": e, "state": st, "lines": n, "created_at": c,
                 "updated_at": u} for r, e, st, n, c, u in s.execute(query)]
    # Decided after the read so the audit names what is returned; on refusal nothing is.
    _decide(access, Action.READ, "tro.list", whole_list=True,
            detail={"returned": [r["ref"] for r in rows]})
    return rows


def get_order(access: Access, ref: str) -> orders.Order:
    """One order within the principal's establishments (audited; refused if outside)."""
    _decide(access, Action.READ, "tro.read", ref)
    return orders.get_order(access.store, ref)


def create_application(access: Access, establishment: str,
                       identifiers: Sequence[str] | None = None,
                       reason: str = "application drafted",
                       policy: EvidencePolicy | None = None) -> orders.Order:
    """Draft an application for ``identifiers`` (every candidate there if None)."""
    _decide(access, Action.CREATE, "tro.create.decision", None, establishment,
            detail={"identifiers": "all candidates" if identifiers is None
                    else list(identifiers)})
    found = candidate_set(lake_settings(access), access.store, policy, establishment)
    chosen = orders.select_for_application(found.candidates, establishment, identifiers)
    return orders.create_application(access.store, access.principal.username, establishment,
                                     chosen, reason=reason)


def _check_dates(recorded: date | None, to: str, order_date: date | None,
                 on: date | None) -> None:
    """Refuse an order date after today, and serving before the order was made.

    (A step's own date may be ahead: an order is served on the day agreed with the court.)
    """
    today = datetime.now(LONDON).date()  # a court's day is a UK day
    if order_date is not None and order_date > today:
        raise InvalidData(f"the order date {order_date} is in the future",
                          {"order_date": [f"must be today ({today}) or earlier"]})
    made = order_date or recorded
    served = on or today
    if to == "SERVED" and made is not None and served < made:
        raise InvalidData(f"an order cannot be served ({served}) before it was made ({made})",
                          {"on": [f"must be on or after the order date {made}"]})


def transition(access: Access, ref: str, target: str, reason: str, *,
               court: str | None = None, court_ref: str | None = None,
               order_date: date | None = None, on: date | None = None) -> orders.Order:
    """Move order ``ref`` to ``target`` (``on`` the day it happened); APPROVED and FILED
    take a supervisor."""
    to = target.strip().upper()
    if not to:
        raise InvalidData("a transition needs a target state", {"state": ["required"]})
    action = Action.APPROVE if to in SIGN_OFF_STATES else Action.UPDATE
    _decide(access, action, "tro.transition.decision", ref, detail={"to": to})
    _check_dates(orders.get_order(access.store, ref).application.order_date, to,
                 order_date, on)
    return orders.transition(access.store, lake_settings(access), access.principal.username, ref,
                             to, reason, court=court, court_ref=court_ref,
                             order_date=order_date, on=on)


def write_pack(access: Access, ref: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the application pack (HTML and PDF) of an order the principal may read."""
    _decide(access, Action.READ, "tro.pack", ref)
    from cellwatch.tro.pack import write_pack as write  # fpdf is slow to import; packs only

    return write(access.store, ref, out_dir)


def write_batches(access: Access, ref: str, out_dir: Path) -> dict[str, Path]:
    """Write one batch file per operator for an order the principal may read."""
    _decide(access, Action.READ, "tro.batch", ref)
    return batch.write_batches(access.store, lake_settings(access), ref, out_dir)


def overdue_lines(access: Access, as_of: date | None = None, escalate: bool = True,
                  ) -> tuple[list[overdue.OverdueLine], list[overdue.OverdueLine]]:
    """Overdue lines in the principal's establishments, and those escalated now.

    Escalating (one alert per newly overdue line) changes the lines, so it takes the role
    that moves orders; it reaches the principal's establishments only.
    """
    p = access.principal
    lines = [x for x in overdue.overdue_lines(access.store, as_of) if p.covers(x.establishment)]
    # Decided after the read so the audit names what is returned; on refusal nothing is.
    _decide(access, Action.UPDATE if escalate else Action.READ, "tro.overdue",
            whole_list=True, detail={"escalate": escalate,
                                     "returned": [x.line_id for x in lines]})
    if not escalate:
        return lines, []
    return lines, overdue.escalate_overdue(access.store, as_of, within=p.establishments)


def verify_orders(access: Access, as_of: datetime | None = None,
                  policy: EvidencePolicy | None = None) -> verify.VerifyResult:
    """Scan the lake for reappearances and mark quiet orders VERIFIED, estate-wide."""
    _decide(access, Action.UPDATE, "tro.verify", whole_list=True, estate_wide=True)
    return verify.verify(lake_settings(access), access.store, access.principal.username, as_of,
                         policy)


def disconnection_metrics(access: Access) -> list[dict[str, Any]]:
    """Days from first detection to disconnection, for the principal's establishments."""
    rows = [r for r in verify.time_to_disconnection(access.store)
            if access.principal.covers(r["establishment"])]
    _decide(access, Action.READ, "tro.metrics", whole_list=True,
            detail={"establishments": [r["establishment"] for r in rows]})
    return rows


TRO_RULES = (verify.REAPPEARED, verify.HANDSET_NEW_SIM, verify.REPLACEMENT_DEVICE,
             overdue.COMPLIANCE_OVERDUE)


def _tro_alerts(access: Access, rule: str | None) -> list[dict[str, Any]]:
    from cellwatch.alerts.models import Alert

    with access.store.session() as s:
        query = select(Alert).where(Alert.rule.in_(TRO_RULES)).order_by(Alert.id)
        if rule:
            query = query.where(Alert.rule == rule)
        return [{"alert_id": a.id, "rule": a.rule, "created_ts": a.created_ts,
                 "status": a.status, "prison_number": a.prison_number,
                 "identifier": a.identifier, "establishment": a.establishment,
                 "summary": a.summary} for a in s.scalars(query)]


def list_alerts(access: Access, rule: str | None = None) -> list[dict[str, Any]]:
    """TRO alerts (in the shared alerts table) of the principal's establishments, oldest
    first."""
    rows = [a for a in _tro_alerts(access, rule)
            if access.principal.covers(a["establishment"])]
    _decide(access, Action.READ, "tro.alerts.list", whole_list=True,
            detail={"returned": [a["alert_id"] for a in rows]})
    return rows
