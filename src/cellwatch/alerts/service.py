"""Alerts for a principal: list, open, assign, acknowledge and close, scoped and audited.

Scope is :func:`cellwatch.alerts.export.visible_alerts` (an establishment's team sees its
establishment's alerts, a region its region's, national units all; police, the Parole
Board and operators none). Working an alert (assign, acknowledge, close) takes a role
that works cases (analyst, supervisor, investigator): an administrator or an operator's
liaison may see the estate but does not work its alerts. An alert outside the scope
answers exactly as a missing one does (:class:`NotFound`, the same message), so nobody
learns that it exists; the refusal is still audited as denied.

Every list, read and lifecycle change is appended to the audit chain
(:func:`cellwatch.access.audit.append`) in the same transaction as the change; each change
is also kept in the alert's own ``details.history``. Refusals are audited on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cellwatch.access import audit as audit_log
from cellwatch.access.models import User
from cellwatch.access.principal import Principal, principal_for
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access, Page
from cellwatch.alerts.export import EXPORT_COLUMNS, EXPORT_TYPES, export_alerts, visible_alerts
from cellwatch.alerts.lifecycle import OUTCOMES as OUTCOMES  # the outcomes a close takes
from cellwatch.alerts.lifecycle import acknowledge_in, assign_in, close_in
from cellwatch.alerts.models import Alert
from cellwatch.alerts.redact import redact
from cellwatch.alerts.rules import RuleSpec, load_rules
from cellwatch.csvsafe import table_schema
from cellwatch.errors import (
    AccessDenied,
    AuthenticationFailed,
    ConfigError,
    InvalidData,
    NotFound,
)
from cellwatch.store.listing import Order, SortColumn, sorted_by

if TYPE_CHECKING:
    from cellwatch.alerts.detect.run import RunResult

RESOURCE = "alert"


def _event(access: Access, action: str, alert_id: int | None, outcome: str,
           detail: Mapping[str, Any] | None = None) -> audit_log.AuditEvent:
    p = access.principal
    return audit_log.AuditEvent(principal=p.username, org=p.org_code, action=action,
                                resource_type=RESOURCE,
                                resource_id=None if alert_id is None else str(alert_id),
                                outcome=outcome, detail=detail)


def _refuse(access: Access, action: str, alert_id: int | None, why: str) -> AccessDenied:
    audit_log.append_now(access.store, _event(access, action, alert_id, "denied",
                                              {"why": why}))
    return AccessDenied(f"{access.principal.username} may not {action} alert "
                        f"{alert_id if alert_id is not None else ''}: {why}".strip())


def _hidden(access: Access, action: str, alert_id: int) -> NotFound:
    """Audit the denial of an existing alert outside the scope, answered as a missing one."""
    audit_log.append_now(access.store, _event(access, action, alert_id, "denied",
                                              {"why": "outside your scope"}))
    return _missing(alert_id)


# The last evidence of an alert, or when it was raised if none is recorded.
LAST_EVIDENCE = func.coalesce(Alert.last_seen, Alert.created_ts)
# What the list may be sorted by: open work (OPEN, ASSIGNED) before acknowledged, closed last.
SORTS: dict[str, SortColumn] = {
    "id": Alert.id, "priority": Alert.priority, "last_seen": LAST_EVIDENCE,
    "status": case({"OPEN": 0, "ASSIGNED": 1, "ACKNOWLEDGED": 2}, value=Alert.status, else_=3),
    "rule": Alert.rule, "establishment": Alert.establishment,
    "assigned_to": Alert.assigned_to, "prison_number": Alert.prison_number,
}


def _missing(alert_id: int) -> NotFound:
    return NotFound(f"alert {alert_id} not found")


def _visible(session: Session, access: Access, alert_id: int) -> Alert | None:
    return session.scalars(select(Alert).where(
        Alert.id == alert_id, visible_alerts(access.principal))).first()


def list_for(access: Access, page: Page = Page(), status: str | None = None,
             rule: str | None = None, *, establishment: str | None = None,
             priority: int | None = None, assignee: str | None = None,
             since: datetime | None = None, before: datetime | None = None,
             order: Order | None = None) -> list[Alert]:
    """Alerts the principal may see, newest first or in ``order`` (a key of
    :data:`SORTS`), narrowed by the filters given (audited with the ids returned).

    ``since``/``before`` bound the last evidence (the creation when there is none).
    """
    query = select(Alert).where(visible_alerts(access.principal))
    if status:
        query = query.where(Alert.status == status.upper())
    if rule:
        query = query.where(Alert.rule == rule.upper())
    if establishment:
        query = query.where(Alert.establishment == establishment)
    if priority is not None:
        query = query.where(Alert.priority == priority)
    if assignee:
        query = query.where(Alert.assigned_to == assignee)
    if since is not None:
        query = query.where(since <= LAST_EVIDENCE)
    if before is not None:
        query = query.where(before > LAST_EVIDENCE)
    query = sorted_by(query.order_by(Alert.id.desc()), SORTS, order, Alert.id.desc())
    with access.store.session() as s:
        rows = list(s.scalars(query.limit(page.limit).offset(page.offset)))
        audit_log.append(s, _event(access, "list", None, "allowed",
                                   {"returned": [a.id for a in rows]}))
    return redact(access, rows)


def get_for(access: Access, alert_id: int) -> Alert:
    """One alert within the principal's scope (audited)."""
    with access.store.session() as s:
        alert = _visible(s, access, alert_id)
        if alert is not None:
            audit_log.append(s, _event(access, "read", alert_id, "allowed"))
            s.commit()
            return redact(access, [alert])[0]
        exists = s.get(Alert, alert_id) is not None
    if not (access.principal.is_system or permitted(
            access.principal.roles, Resource.PRISONER, Action.READ)):
        # Refused the same way whether the alert exists or not: nothing is learnt.
        raise _refuse(access, "read", alert_id, "outside your scope")
    if exists:
        raise _hidden(access, "read", alert_id)
    raise _missing(alert_id)


def _may_work(access: Access, action: str, alert_id: int) -> None:
    principal = access.principal
    if not (principal.is_system or permitted(principal.roles, Resource.CASE, Action.UPDATE)):
        raise _refuse(access, action, alert_id, "no role of yours works alerts")


def _can_work(session: Session, principal: Principal, alert_id: int) -> bool:
    """Whether ``principal`` could see and work the alert (an assignee must)."""
    if not (principal.is_system or permitted(principal.roles, Resource.CASE, Action.UPDATE)):
        return False
    return session.scalars(select(Alert.id).where(
        Alert.id == alert_id, visible_alerts(principal))).first() is not None


def _work(access: Access, action: str, alert_id: int, detail: Mapping[str, Any],
          change: Callable[[Session], Alert]) -> Alert:
    _may_work(access, action, alert_id)
    with access.store.session() as s:
        if _visible(s, access, alert_id) is None:
            exists = s.get(Alert, alert_id) is not None
        else:
            alert = change(s)
            audit_log.append(s, _event(access, action, alert_id, "allowed",
                                       {**detail, "status": alert.status}))
            s.commit()
            return redact(access, [alert])[0]
    if exists:
        raise _hidden(access, action, alert_id)
    raise _missing(alert_id)


def assign_for(access: Access, alert_id: int, to_user: str) -> Alert:
    """Give an alert to an active user (hand-over allowed)."""
    name = to_user.strip()
    _may_work(access, "assign", alert_id)  # the principal's own role first: nothing is told
    with access.store.session() as s:
        user = s.scalars(select(User).where(User.username == name)).first()
        if user is None or not user.active:
            raise InvalidData("assignment refused", {"to_user": [f"no active user {name!r}"]})
        try:
            assignee = principal_for(s, name)
        except AuthenticationFailed as exc:
            raise InvalidData("assignment refused",
                              {"to_user": [f"{name!r} cannot sign in"]}) from exc
        # Only said of an alert the principal may see (else _work answers not found).
        unseen = _visible(s, access, alert_id) is not None and not _can_work(s, assignee,
                                                                            alert_id)
    if unseen:
        why = f"{name} cannot see or work alert {alert_id}"
        audit_log.append_now(access.store, _event(access, "assign", alert_id, "denied",
                                                  {"why": why, "assigned_to": name}))
        raise InvalidData(f"assignment refused: {why}", {"to_user": [why]})
    by = access.principal.username
    return _work(access, "assign", alert_id, {"assigned_to": name},
                 lambda s: assign_in(s, alert_id, name, by))


def acknowledge_for(access: Access, alert_id: int) -> Alert:
    """Record that the principal has taken the alert in."""
    by = access.principal.username
    return _work(access, "acknowledge", alert_id, {},
                 lambda s: acknowledge_in(s, alert_id, by))


def close_for(access: Access, alert_id: int, outcome: str, note: str | None = None) -> Alert:
    """Close an alert with an outcome (and a note of what was done)."""
    by = access.principal.username
    return _work(access, "close", alert_id, {"outcome": outcome.strip().upper()},
                 lambda s: close_in(s, alert_id, outcome, by, note))


def run_rules(access: Access, as_of: date | None = None, only: Sequence[str] = (),
              deliver: bool = True) -> RunResult:
    """Run the alert rules now (or ``only`` those), estate-wide as after an ingest, and
    deliver what they raise. Nothing raised is shown here: each alert is then read
    through the scope above. The principal was resolved by the caller (an unknown one is
    refused before this)."""
    from cellwatch.alerts.detect.run import run_rules as run

    if access.settings is None:
        raise ConfigError("the alert rules read the lake: the Access needs settings")
    return run(access.settings, access.store, as_of=as_of, only=only, deliver=deliver)


def rule_specs() -> list[RuleSpec]:
    """The alert rules as configured (``rules.yaml``), and what fires each."""
    return list(load_rules().values())


def write_export(access: Access, path: Path) -> int:
    """Write every alert the principal may see as interchange.md's ``alerts`` export; the
    caller decides and audits it (:func:`cellwatch.exchange.service.exports.audited_export`)."""
    return export_alerts(access.store, access.principal, path)


def export_schema() -> dict[str, Any]:
    """The Table Schema written beside the alerts export."""
    return table_schema(EXPORT_COLUMNS, EXPORT_TYPES)
