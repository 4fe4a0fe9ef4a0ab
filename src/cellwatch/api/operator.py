"""The operator's view: the TRO order lines served on the caller's network, and its answers.

A thin shell over :mod:`cellwatch.tro.service.operator`, which decides and audits: only the
``operator_liaison`` users of a mobile network operator's organisation get anything
(others 403); a line of another network, or of an order not served, answers 404 as a
missing one does. An answer is recorded as an ingested response file's row would be.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import Text
from cellwatch.tro.service import operator as tro_operator
from cellwatch.tro.service.operator import OperatorLine

router = APIRouter(prefix="/operator", tags=["operator"])
LineId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Outcome = Literal["DONE", "NOT_FOUND", "ALREADY_DISCONNECTED", "DISPUTED"]
Status = Literal["PENDING", "DONE", "NOT_FOUND", "ALREADY_DISCONNECTED", "DISPUTED"]


class OperatorLineOut(BaseModel):
    """One order line to action: what, by when, and how it stands. Nothing else of the order."""

    order_ref: str = Field(description="The order's reference; quote it to the prison service")
    line_id: int
    line_no: int = Field(description="The line's number on the order, as in its batch file")
    identifier_type: str = Field(description="IMSI, MSISDN or IMEI")
    identifier: str
    action: str = Field(description="DISCONNECT_SIM or BLOCK_HANDSET")
    served_date: date | None
    compliance_due: date | None = Field(description="The last working day to action it")
    status: str = Field(description="PENDING until answered, then the newest answer's outcome")
    operator_ref: str | None
    actioned_ts: datetime | None
    working_days_late: int = Field(description="Working days past the deadline while PENDING")


class ResponseIn(BaseModel):
    """The operator's answer to one line."""

    outcome: Outcome
    operator_ref: Text(100) | None = None  # type: ignore[valid-type]
    note: Text(2000) | None = None  # type: ignore[valid-type]
    actioned_ts: datetime | None = Field(
        default=None, description="When it was done, between the day of service and now "
        "(default now); without an offset, Europe/London time.")


def _out(line: OperatorLine) -> OperatorLineOut:
    return OperatorLineOut.model_validate(line.to_dict())


@router.get("/lines", response_model=list[OperatorLineOut])
def list_lines(access: AccessDep, page: PageDep,
               status: Annotated[Status | None, Query()] = None) -> list[OperatorLineOut]:
    """Lines served on the caller's network, the earliest deadline first."""
    return [_out(x) for x in tro_operator.operator_lines(access, status, page)]


@router.post("/lines/{line_id}/response", response_model=OperatorLineOut)
def record_response(access: AccessDep, line_id: LineId, body: ResponseIn) -> OperatorLineOut:
    """Record what the operator did with a line; the order moves on as with a response file
    (ACKNOWLEDGED at the first answer, DISCONNECTED when every line is done)."""
    line = tro_operator.record_response(access, line_id, body.outcome, body.operator_ref,
                                        body.note, body.actioned_ts)
    return _out(line)
