"""Raising alerts (de-duplicated), and moving them through their lifecycle.

    OPEN ──assign──> ASSIGNED ──acknowledge──> ACKNOWLEDGED ──close(outcome)──> CLOSED
      └───────────────acknowledge──────────────────┘                 ^
      └──────────────────────────── close(outcome) ──────────────────┘

Re-assigning an ASSIGNED alert is allowed (hand-over); nothing leaves CLOSED.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.alerts.models import Alert
from cellwatch.errors import IllegalTransition, InvalidData, NotFound
from cellwatch.store import Store, utcnow

STATUSES = ("OPEN", "ASSIGNED", "ACKNOWLEDGED", "CLOSED")
OUTCOMES = (
    "ACTIONED",
    "REFERRED_TO_POLICE",
    "DISCONNECTION_REQUESTED",
    "NO_FURTHER_ACTION",
    "FALSE_POSITIVE",
    "DUPLICATE",
)
# From each status, the statuses an alert may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    "OPEN": frozenset({"ASSIGNED", "ACKNOWLEDGED", "CLOSED"}),
    "ASSIGNED": frozenset({"ASSIGNED", "ACKNOWLEDGED", "CLOSED"}),
    "ACKNOWLEDGED": frozenset({"CLOSED"}),
    "CLOSED": frozenset(),
}


def raise_alert(
    session: Session,
    rule: str,
    key: str,
    prison_number: str | None = None,
    person_ref: str | None = None,
    identifier: str | None = None,
    establishment: str | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> Alert | None:
    """Insert an OPEN alert unless ``(rule, key)`` was raised before; then return None.

    ``key`` names the thing alerted on (``"PP-0001|A1234BC|+447700900123"``), so the
    same facts found by a later run raise nothing new. The caller's transaction commits.

    >>> # raise_alert(s, "FLAGGED_DEVICE_DETECTED", "imei|2026-10-01", summary="...")
    """
    if not rule or not key or not summary:
        raise InvalidData("alert refused", {"alert": ["rule, key and summary are required"]})
    exists = session.scalars(
        select(Alert.id).where(Alert.rule == rule, Alert.dedupe_key == key[:300])
    ).first()
    if exists is not None:
        return None
    alert = Alert(
        rule=rule, dedupe_key=key[:300], status="OPEN", prison_number=prison_number,
        person_ref=person_ref, identifier=identifier, establishment=establishment,
        summary=summary, details=details, created_ts=utcnow(),
    )
    session.add(alert)
    session.flush()
    return alert


def _move(session: Session, alert_id: int, to: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    if to not in TRANSITIONS[alert.status]:
        raise IllegalTransition(f"alert {alert_id} is {alert.status}; it cannot become {to}")
    alert.status = to
    return alert


def _history(alert: Alert, entry: dict[str, Any]) -> None:
    # A new dict, so the JSON column is seen as changed.
    details = dict(alert.details or {})
    details["history"] = [*details.get("history", []), {"at": utcnow().isoformat(), **entry}]
    alert.details = details


def assign_in(session: Session, alert_id: int, to_user: str, by: str) -> Alert:
    """:func:`assign` inside the caller's transaction."""
    if not to_user.strip():
        raise InvalidData("assignment refused", {"to_user": ["name the user"]})
    alert = _move(session, alert_id, "ASSIGNED")
    alert.assigned_to, alert.assigned_at = to_user.strip(), utcnow()
    _history(alert, {"by": by, "status": "ASSIGNED", "assigned_to": to_user.strip()})
    return alert


def acknowledge_in(session: Session, alert_id: int, by: str) -> Alert:
    """:func:`acknowledge` inside the caller's transaction."""
    alert = _move(session, alert_id, "ACKNOWLEDGED")
    alert.acknowledged_by, alert.acknowledged_at = by, utcnow()
    if alert.assigned_to is None:
        alert.assigned_to, alert.assigned_at = by, alert.acknowledged_at
    _history(alert, {"by": by, "status": "ACKNOWLEDGED"})
    return alert


def close_in(session: Session, alert_id: int, outcome: str, by: str,
             note: str | None = None) -> Alert:
    """:func:`close` inside the caller's transaction."""
    value = outcome.strip().upper().replace(" ", "_").replace("-", "_")
    if value not in OUTCOMES:
        raise InvalidData("close refused", {"outcome": [f"one of {', '.join(OUTCOMES)}"]})
    alert = _move(session, alert_id, "CLOSED")
    alert.outcome, alert.outcome_note = value, note
    alert.closed_by, alert.closed_at = by, utcnow()
    _history(alert, {"by": by, "status": "CLOSED", "outcome": value})
    return alert


def assign(store: Store, alert_id: int, to_user: str, by: str) -> Alert:
    """Give an alert to a person to work; hand-over between people is allowed."""
    with store.session() as s:
        return assign_in(s, alert_id, to_user, by)


def acknowledge(store: Store, alert_id: int, by: str) -> Alert:
    """Record that someone has taken the alert in."""
    with store.session() as s:
        return acknowledge_in(s, alert_id, by)


def close(store: Store, alert_id: int, outcome: str, by: str, note: str | None = None) -> Alert:
    """Close an alert with one of :data:`OUTCOMES` (and a note saying what was done)."""
    with store.session() as s:
        return close_in(s, alert_id, outcome, by, note)


def get_alert(store: Store, alert_id: int) -> Alert:
    """One alert by id."""
    with store.session() as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id} not found")
        return alert
