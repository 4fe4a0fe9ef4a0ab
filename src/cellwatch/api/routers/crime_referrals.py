"""Crime-in-prison referrals with the agreement's fields (offence, police status, officer,
due date, overdue, escalation): access's ``/referrals`` carries parties and status only.

A thin shell over :mod:`cellwatch.protect.referrals`; access decides and audits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.protect import referrals as crime
from cellwatch.protect.referrals import POLICE_STATUSES, CrimeDetails

router = APIRouter(prefix="/crime-referrals", tags=["referrals"])
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PoliceStatus = Literal[POLICE_STATUSES]  # type: ignore[valid-type]


class CrimeReferralIn(BaseModel):
    """A force records a crime committed from prison."""

    prison_number: str = Field(pattern=r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")
    offence: str = Field(min_length=1, max_length=300)
    crime_reference: str = Field(min_length=1, max_length=64)
    officer: str | None = Field(default=None, max_length=200)
    police_status: PoliceStatus = "REPORTED"
    notes: str | None = Field(default=None, max_length=10_000)
    to_org: str | None = Field(default=None, min_length=1, max_length=32,
                               pattern=r"^[A-Za-z0-9_-]+$",
                               description="Default: the establishment's security team.")


class CrimeReferralOut(BaseModel):
    """A referral, its crime fields and where its acknowledgement stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    from_org: str
    to_org: str
    prison_number: str | None
    crime_reference: str | None
    offence: str | None
    police_status: str | None
    officer: str | None
    establishment: str | None
    status: str
    created_by: str
    created_at: datetime
    due_by: date | None
    overdue: bool
    escalated_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None


@router.get("", response_model=list[CrimeReferralOut])
def list_referrals(access: AccessDep, page: PageDep,
                   status: Literal["SENT", "ACKNOWLEDGED"] | None = None,
                   direction: Literal["in", "out"] | None = None) -> list[CrimeReferralOut]:
    """Referrals the caller's organisation sent or received, with their crime fields."""
    rows = crime.list_crime_referrals(access, page, status, direction)
    return [CrimeReferralOut.model_validate(r) for r in rows]


@router.post("", response_model=CrimeReferralOut, status_code=201)
def record(access: AccessDep, body: CrimeReferralIn) -> CrimeReferralOut:
    """Record a crime from prison; it goes to the establishment's security team."""
    number = body.prison_number.upper()
    to_org = body.to_org or crime.security_team(access, number)
    days = access.settings.referral_acknowledge_days if access.settings else 5
    referral = crime.record_crime_referral(
        access, to_org, number, CrimeDetails(body.offence, body.crime_reference,
                                             body.police_status, body.officer, body.notes),
        acknowledge_days=days)
    return CrimeReferralOut.model_validate(crime.get_crime_referral(access, referral.id))


@router.get("/{referral_id}", response_model=CrimeReferralOut)
def get_referral(access: AccessDep, referral_id: ReferralId) -> CrimeReferralOut:
    """One referral with its crime fields."""
    return CrimeReferralOut.model_validate(crime.get_crime_referral(access, referral_id))


@router.post("/{referral_id}/acknowledge", response_model=CrimeReferralOut)
def acknowledge(access: AccessDep, referral_id: ReferralId) -> CrimeReferralOut:
    """Acknowledge a referral addressed to the caller's organisation."""
    return CrimeReferralOut.model_validate(crime.acknowledge_crime_referral(access,
                                                                            referral_id))
