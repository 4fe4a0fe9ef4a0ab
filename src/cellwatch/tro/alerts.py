"""TRO alerts, kept in ``tro_alerts`` (no shared alerts table exists yet).

``dedupe_key`` names the thing alerted on, so running a scan again raises nothing new:
exactly one alert per reappearance, per overdue line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.store import Store
from cellwatch.tro.models import TroAlert

# Stable rule names (the first is the interchange's name for it).
REAPPEARED = "DISCONNECTED_IDENTIFIER_REAPPEARED"
HANDSET_NEW_SIM = "TRO_HANDSET_NEW_SIM"
REPLACEMENT_DEVICE = "TRO_REPLACEMENT_DEVICE"
COMPLIANCE_OVERDUE = "TRO_COMPLIANCE_OVERDUE"


@dataclass(frozen=True)
class AlertSpec:
    """An alert to raise unless one with the same ``dedupe_key`` exists."""

    rule: str
    dedupe_key: str
    summary: str
    identifier_type: str | None = None
    identifier: str | None = None
    establishment: str | None = None
    application_id: int | None = None
    line_id: int | None = None
    prison_number: str | None = None
    details: dict[str, Any] | None = None


def raise_alert(session: Session, spec: AlertSpec) -> TroAlert | None:
    """Insert the alert; None if it was raised before (idempotent)."""
    exists = session.scalars(select(TroAlert.id).where(TroAlert.dedupe_key == spec.dedupe_key))
    if exists.first() is not None:
        return None
    alert = TroAlert(rule=spec.rule, dedupe_key=spec.dedupe_key, summary=spec.summary,
                     identifier_type=spec.identifier_type, identifier=spec.identifier,
                     establishment=spec.establishment, application_id=spec.application_id,
                     line_id=spec.line_id, prison_number=spec.prison_number,
                     details=spec.details, status="OPEN")
    session.add(alert)
    session.flush()
    return alert


def list_alerts(store: Store, rule: str | None = None) -> list[dict[str, Any]]:
    """Every TRO alert (optionally of one rule), oldest first, JSON-ready."""
    with store.session() as s:
        query = select(TroAlert).order_by(TroAlert.id)
        if rule:
            query = query.where(TroAlert.rule == rule)
        return [
            {"alert_id": a.id, "rule": a.rule, "created_ts": a.created_ts, "status": a.status,
             "prison_number": a.prison_number, "identifier": a.identifier,
             "establishment": a.establishment, "summary": a.summary}
            for a in s.scalars(query)
        ]
