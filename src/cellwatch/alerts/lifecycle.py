"""Moving alerts through their lifecycle (``lifecycle.yaml``, checked by the shared
:mod:`cellwatch.lifecycle`); raising them is :mod:`cellwatch.alerts.raising`.

    OPEN ──assign──> ASSIGNED ──acknowledge──> ACKNOWLEDGED ──close(outcome)──> CLOSED
      └───────────────acknowledge──────────────────┘                 ^
      └──────────────────────────── close(outcome) ──────────────────┘

Re-assigning an ASSIGNED alert is allowed (hand-over); nothing leaves CLOSED.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from cellwatch.alerts.models import Alert
from cellwatch.alerts.raising import raise_alert, upsert_alert
from cellwatch.errors import InvalidData, NotFound
from cellwatch.lifecycle import Lifecycle, parse_lifecycle
from cellwatch.store import Store, utcnow

__all__ = ["OUTCOMES", "STATUSES", "acknowledge", "acknowledge_in", "alert_lifecycle",
           "assign", "assign_in", "close", "close_in", "get_alert", "raise_alert",
           "upsert_alert"]

OUTCOMES = (
    "ACTIONED",
    "REFERRED_TO_POLICE",
    "DISCONNECTION_REQUESTED",
    "NO_FURTHER_ACTION",
    "FALSE_POSITIVE",
    "DUPLICATE",
)


@functools.lru_cache(maxsize=1)
def alert_lifecycle() -> Lifecycle:
    """The bundled alert lifecycle (``lifecycle.yaml``; cached: it is immutable)."""
    text = resources.files("cellwatch.alerts").joinpath("lifecycle.yaml").read_text("utf-8")
    return parse_lifecycle(yaml.safe_load(text))


STATUSES = tuple(alert_lifecycle().states)


def _move(session: Session, alert_id: int, to: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    alert_lifecycle().check(alert.status, to, str(alert_id))
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
