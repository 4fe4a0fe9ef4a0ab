"""Suspected staff or visitor phones: the queue that holds them out of disconnection
candidates and attribution. A thin shell over :mod:`cellwatch.guard.service`, which
decides (scoped like TRO candidates) and audits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.guard import service

router = APIRouter(prefix="/guard", tags=["guard"])
HoldId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class HoldOut(BaseModel):
    """A phone held (or flagged) by the guard, with the evidence and any decision."""

    id: int
    identifier_type: str
    identifier: str
    establishment: str
    flag: str
    status: str
    allow_listed: bool
    evidence: dict[str, Any]
    first_flagged_at: str
    computed_at: str
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    allow_entry_id: int | None


class AllowIn(BaseModel):
    """Allow-list a held phone: why, and as what."""

    reason: str = Field(min_length=1, max_length=2000)
    kind: str = Field(default="STAFF", pattern=r"^(?i:staff|official|contractor)$")


class ReleaseIn(BaseModel):
    """Release a held phone as contraband: why."""

    reason: str = Field(min_length=1, max_length=2000)


@router.get("/holds", response_model=list[HoldOut])
def list_holds(access: AccessDep, page: PageDep,
               establishment: Annotated[str | None, Query(
                   max_length=16, pattern=r"^[A-Za-z0-9_-]+$")] = None,
               status: Annotated[str | None, Query(
                   pattern=r"^(?i:held|flagged|allowed|released)$")] = None,
               ) -> list[HoldOut]:
    """The queue within the caller's establishments, undecided first."""
    rows = service.list_holds(access, establishment.upper() if establishment else None,
                              status, page)
    return [HoldOut.model_validate(r) for r in rows]


@router.get("/holds/{hold_id}", response_model=HoldOut)
def get_hold(access: AccessDep, hold_id: HoldId) -> HoldOut:
    """One row with its evidence (404 outside the caller's establishments)."""
    return HoldOut.model_validate(service.get_hold(access, hold_id))


@router.post("/holds/{hold_id}/allow", response_model=HoldOut)
def allow(access: AccessDep, hold_id: HoldId, body: AllowIn) -> HoldOut:
    """Allow-list the phone and its linked identifiers (a supervisor; 409 if decided)."""
    return HoldOut.model_validate(service.allow(access, hold_id, body.reason, body.kind))


@router.post("/holds/{hold_id}/release", response_model=HoldOut)
def release(access: AccessDep, hold_id: HoldId, body: ReleaseIn) -> HoldOut:
    """Release the phone as contraband: back into candidates and attribution."""
    return HoldOut.model_validate(service.release(access, hold_id, body.reason))
