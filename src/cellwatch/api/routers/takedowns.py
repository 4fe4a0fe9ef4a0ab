"""Social-media takedown requests: list, open, draft and move them along their lifecycle.

A thin shell over :mod:`cellwatch.takedown.service`, which decides and audits. An illegal
move is the lifecycle's ``IllegalTransition``, shown as 409 by the problem handler; a
request outside the caller's scope answers 404, as a missing one does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.takedown import service
from cellwatch.takedown.service import Request

router = APIRouter(prefix="/takedowns", tags=["takedowns"])
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PRISON_NUMBER = r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$"
STATE = r"^[A-Za-z_]+$"
CODE = r"^[A-Za-z0-9_-]+$"


class TakedownTransitionOut(BaseModel):
    """One step of a request's history."""

    from_: str | None = Field(alias="from")
    to: str
    actor: str
    at: datetime
    reason: str


class TakedownOut(BaseModel):
    """A takedown request with its history."""

    id: int
    platform: str
    account: str
    prison_number: str
    establishment: str | None
    state: str
    reason: str
    platform_ref: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    transitions: list[TakedownTransitionOut]


class TakedownIn(BaseModel):
    """Draft a request: the account (profile URL, ``platform:id``, or handle with platform)."""

    account: str = Field(min_length=1, max_length=500)
    prison_number: str = Field(pattern=PRISON_NUMBER)
    reason: str = Field(min_length=1, max_length=2000)
    platform: str | None = Field(default=None, min_length=1, max_length=40)


class TakedownTransitionIn(BaseModel):
    """A move along the lifecycle, and the platform's reference when it gives one."""

    state: str = Field(min_length=1, max_length=32, pattern=STATE)
    reason: str = Field(min_length=1, max_length=2000)
    platform_ref: str | None = Field(default=None, max_length=100)


def _out(request: Request) -> TakedownOut:
    body: dict[str, Any] = request.to_dict()
    return TakedownOut.model_validate(body)


@router.get("", response_model=list[TakedownOut])
def list_takedowns(access: AccessDep, page: PageDep,
                   state: Annotated[str | None, Query(max_length=32, pattern=STATE)] = None,
                   prison_number: Annotated[str | None, Query(pattern=PRISON_NUMBER)] = None,
                   establishment: Annotated[str | None, Query(max_length=16,
                                                              pattern=CODE)] = None,
                   ) -> list[TakedownOut]:
    """Requests within the caller's establishments, newest first."""
    return [_out(r) for r in service.list_for(access, page, state, prison_number,
                                              establishment)]


@router.get("/{request_id}", response_model=TakedownOut)
def get_takedown(access: AccessDep, request_id: RequestId) -> TakedownOut:
    """One request with its history."""
    return _out(service.get_for(access, request_id))


@router.post("", response_model=TakedownOut, status_code=201)
def create_takedown(access: AccessDep, body: TakedownIn) -> TakedownOut:
    """Draft a request for an account linked to the prisoner (409 if unlinked or requested)."""
    return _out(service.draft_for(access, body.account, body.prison_number, body.reason,
                                  platform=body.platform))


@router.post("/{request_id}/transition", response_model=TakedownOut)
def transition(access: AccessDep, request_id: RequestId,
               body: TakedownTransitionIn) -> TakedownOut:
    """Move the request on (409 when its lifecycle does not allow the move)."""
    return _out(service.transition_for(access, request_id, body.state, body.reason,
                                       platform_ref=body.platform_ref))
