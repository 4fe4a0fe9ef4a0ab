"""Telecommunications Restriction Orders: candidates, applications and their lifecycle.

A thin shell over :mod:`cellwatch.tro.service.orders`, which decides and audits. An illegal
move is the lifecycle's ``IllegalTransition``, shown as 409 by the problem handler.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.tro.service import orders as service
from cellwatch.tro.service.shared import Order

router = APIRouter(prefix="/tro", tags=["tro"])
Ref = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Code = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
State = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$")]


class CandidateOut(BaseModel):
    """An identifier with enough evidence of use inside an establishment."""

    identifier_type: str
    identifier: str
    establishment: str
    operator: str | None
    action: str
    evidence_days: int
    first_seen: datetime
    last_seen: datetime
    score: float
    # NIGHT_USE: a staff-like or allow-listed phone also seen at night in the cells.
    guard_flag: str | None = None


class OrderSummaryOut(BaseModel):
    """An application or order in a list."""

    ref: str
    establishment: str
    state: str
    lines: int


class LineOut(BaseModel):
    """One identifier of an order, with its operator's progress."""

    line_no: int
    identifier_type: str
    identifier: str
    operator: str | None
    action: str
    status: str
    compliance_due: date | None
    actioned_ts: datetime | None
    evidence_days: int | None
    score: float | None


class TransitionOut(BaseModel):
    """One step of an order's history."""

    from_: str | None = Field(alias="from")
    to: str
    actor: str
    at: datetime
    reason: str | None


class OrderOut(BaseModel):
    """An application or order with its lines and history."""

    ref: str
    establishment: str
    state: str
    court: str | None
    court_ref: str | None
    order_date: date | None
    served_date: date | None
    created_by: str
    lines: list[LineOut]
    transitions: list[TransitionOut]


class ApplicationIn(BaseModel):
    """Draft an application: the identifiers named, or every candidate of the establishment."""

    establishment: Code
    identifiers: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=500)
    reason: str = Field(default="application drafted", min_length=1, max_length=2000)


class TransitionIn(BaseModel):
    """A move along the lifecycle; GRANTED needs the court and the order date."""

    state: State
    reason: str = Field(min_length=1, max_length=2000)
    court: str | None = Field(default=None, max_length=200)
    court_ref: str | None = Field(default=None, max_length=100)
    order_date: date | None = None


def _out(order: Order) -> OrderOut:
    body: dict[str, Any] = order.to_dict()
    return OrderOut.model_validate(body)


@router.get("/candidates", response_model=list[CandidateOut])
async def list_candidates(access: AccessDep, page: PageDep,
                          establishment: Annotated[str | None, Query(
                              max_length=16, pattern=r"^[A-Za-z0-9_-]+$")] = None,
                          ) -> list[CandidateOut]:
    """Candidates within the caller's establishments, best first (the materialised set,
    refreshed after every ingest)."""
    found = await run_in_threadpool(service.list_candidates, access, establishment, page)
    return [CandidateOut(action=c.action, **{k: getattr(c, k) for k in (
        "identifier_type", "identifier", "establishment", "operator", "evidence_days",
        "first_seen", "last_seen", "score", "guard_flag")}) for c in found]


@router.get("/orders", response_model=list[OrderSummaryOut])
def list_orders(access: AccessDep, page: PageDep,
                establishment: Annotated[str | None, Query(
                    max_length=16, pattern=r"^[A-Za-z0-9_-]+$")] = None,
                state: Annotated[str | None, Query(max_length=32,
                                                   pattern=r"^[A-Za-z_]+$")] = None,
                ) -> list[OrderSummaryOut]:
    """Applications and orders within the caller's establishments, newest first."""
    return [OrderSummaryOut.model_validate(o)
            for o in service.list_orders(access, page, establishment, state)]


@router.get("/orders/{ref}", response_model=OrderOut)
def get_order(access: AccessDep, ref: Ref) -> OrderOut:
    """One order with its lines and history."""
    return _out(service.get_order(access, ref))


@router.post("/orders", response_model=OrderOut, status_code=201)
async def create_order(access: AccessDep, body: ApplicationIn) -> OrderOut:
    """Draft an application from the identifiers named, or from every candidate."""
    order = await run_in_threadpool(service.create_application, access,
                                    body.establishment.upper(), body.identifiers, body.reason)
    return _out(order)


@router.post("/orders/{ref}/transition", response_model=OrderOut)
def transition(access: AccessDep, ref: Ref, body: TransitionIn) -> OrderOut:
    """Move the order on (409 when its lifecycle does not allow the move)."""
    return _out(service.transition(access, ref, body.state, body.reason, court=body.court,
                                   court_ref=body.court_ref, order_date=body.order_date))
