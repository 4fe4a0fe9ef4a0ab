"""What came of a referral (its receiver records outcomes) and requests for an update
(the Parole Board asks the team that referred a prisoner): a thin shell over
:mod:`cellwatch.protect.service.outcomes` and :mod:`cellwatch.protect.service.updates`,
which decide and audit; the web's pages call the same functions.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.protect.service import outcomes, updates
from cellwatch.protect.service.outcomes import OUTCOMES, OutcomeView
from cellwatch.protect.service.updates import UpdateRequestView

router = APIRouter(tags=["referrals"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class OutcomeIn(BaseModel):
    """What came of the referral, on which date (default today), with a note."""

    outcome: Outcome
    outcome_date: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class UpdateRequestIn(BaseModel):
    """Ask the team that referred a prisoner for an update."""

    prison_number: str = Field(pattern=r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")
    note: str = Field(min_length=1, max_length=2000)


class UpdateDoneIn(BaseModel):
    """What the team did (optional)."""

    answer: str | None = Field(default=None, max_length=2000)


@router.get("/referrals/{referral_id}/outcomes", response_model=list[OutcomeView])
def list_outcomes(access: AccessDep, referral_id: Id) -> list[OutcomeView]:
    """The referral's outcomes, newest first (its sender or receiver)."""
    return outcomes.list_outcomes(access, referral_id)


@router.post("/referrals/{referral_id}/outcomes", response_model=OutcomeView,
             status_code=201)
def record_outcome(access: AccessDep, referral_id: Id, body: OutcomeIn) -> OutcomeView:
    """The receiver records what came of an acknowledged referral (409 before)."""
    return outcomes.record_outcome(access, referral_id, body.outcome, body.outcome_date,
                                   body.note)


@router.get("/update-requests", response_model=list[UpdateRequestView])
def list_update_requests(access: AccessDep, page: PageDep,
                         direction: Literal["in", "out"] | None = None,
                         status: Literal["OPEN", "DONE"] | None = None,
                         ) -> list[UpdateRequestView]:
    """Requests the caller's organisation made (out) or must answer (in), newest first."""
    return updates.list_update_requests(access, direction, status, page=page)


@router.post("/update-requests", response_model=UpdateRequestView, status_code=201)
def request_update(access: AccessDep, body: UpdateRequestIn) -> UpdateRequestView:
    """Ask the team that referred the prisoner to the caller's organisation for news."""
    return updates.request_update(access, body.prison_number, body.note)


@router.post("/update-requests/{request_id}/done", response_model=UpdateRequestView)
def complete(access: AccessDep, request_id: Id, body: UpdateDoneIn) -> UpdateRequestView:
    """The team asked marks the request done (409 if it already is)."""
    return updates.complete_update_request(access, request_id, body.answer)
