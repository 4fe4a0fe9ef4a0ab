"""Alerts: list (scoped to the caller), open, assign, acknowledge, close with an outcome.

A thin shell over :mod:`cellwatch.alerts.service`, which scopes and audits. Schemas live
here rather than in the shared ``schemas`` module: they are this router's alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cellwatch.alerts import service
from cellwatch.api.deps import AccessDep, PageDep

router = APIRouter(prefix="/alerts", tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Outcome = Literal[service.OUTCOMES]  # type: ignore[valid-type]


class AlertOut(BaseModel):
    """An alert and where it stands in its lifecycle (never a protected person's details)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule: str
    created_ts: datetime
    status: str
    prison_number: str | None
    person_ref: str | None
    identifier: str | None
    establishment: str | None
    summary: str
    details: dict[str, Any] | None
    assigned_to: str | None
    assigned_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    outcome: str | None
    outcome_note: str | None


class AssignIn(BaseModel):
    """Who is to work the alert."""

    to_user: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")


class CloseIn(BaseModel):
    """How the alert ended, and what was done."""

    outcome: Outcome
    note: str | None = Field(default=None, max_length=10_000)


@router.get("", response_model=list[AlertOut])
def list_alerts(access: AccessDep, page: PageDep,
                status: Literal["OPEN", "ASSIGNED", "ACKNOWLEDGED", "CLOSED"] | None = None,
                rule: Annotated[str | None, Field(max_length=64,
                                                  pattern=r"^[A-Za-z_]+$")] = None,
                ) -> list[AlertOut]:
    """Alerts within the caller's scope, newest first."""
    return [AlertOut.model_validate(a) for a in service.list_for(access, page, status, rule)]


@router.get("/{alert_id}", response_model=AlertOut)
def get_alert(access: AccessDep, alert_id: AlertId) -> AlertOut:
    """One alert."""
    return AlertOut.model_validate(service.get_for(access, alert_id))


@router.post("/{alert_id}/assign", response_model=AlertOut)
def assign(access: AccessDep, alert_id: AlertId, body: AssignIn) -> AlertOut:
    """Give the alert to a user to work (hand-over allowed)."""
    return AlertOut.model_validate(service.assign_for(access, alert_id, body.to_user))


@router.post("/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge(access: AccessDep, alert_id: AlertId) -> AlertOut:
    """Record that the caller has taken the alert in."""
    return AlertOut.model_validate(service.acknowledge_for(access, alert_id))


@router.post("/{alert_id}/close", response_model=AlertOut)
def close(access: AccessDep, alert_id: AlertId, body: CloseIn) -> AlertOut:
    """Close the alert with an outcome."""
    return AlertOut.model_validate(service.close_for(access, alert_id, body.outcome,
                                                     body.note))
