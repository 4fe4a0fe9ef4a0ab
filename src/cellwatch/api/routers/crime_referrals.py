"""Crime-in-prison referrals with the agreement's fields (offence, police status, officer,
due date, overdue, escalation): access's ``/referrals`` carries parties and status only.

A thin shell over :mod:`cellwatch.protect.service.referrals`; access decides and audits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.protect.service import referrals as crime
from cellwatch.protect.service.referrals import POLICE_STATUSES, CrimeDetails, CrimeReferralView

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


@router.get("", response_model=list[CrimeReferralView])
def list_referrals(access: AccessDep, page: PageDep,
                   status: Literal["SENT", "ACKNOWLEDGED"] | None = None,
                   direction: Literal["in", "out"] | None = None) -> list[CrimeReferralView]:
    """Referrals the caller's organisation sent or received, with their crime fields."""
    return list(crime.list_crime_referrals(access, page, status, direction))


@router.post("", response_model=CrimeReferralView, status_code=201)
def record(access: AccessDep, body: CrimeReferralIn) -> CrimeReferralView:
    """Record a crime from prison, for any well-formed prison number: it goes to the
    establishment's security team, or to the national unit to resolve. The answer shows
    the sender what it sent, never where the prisoner is nor who received it."""
    days = access.settings.referral_acknowledge_days if access.settings else 5
    referral = crime.record_crime_referral(
        access, body.to_org, body.prison_number, CrimeDetails(body.offence, body.crime_reference,
                                             body.police_status, body.officer, body.notes),
        acknowledge_days=days)
    return crime.get_crime_referral(access, referral.id)


@router.get("/{referral_id}", response_model=CrimeReferralView)
def get_referral(access: AccessDep, referral_id: ReferralId) -> CrimeReferralView:
    """One referral with its crime fields."""
    return crime.get_crime_referral(access, referral_id)


@router.post("/{referral_id}/acknowledge", response_model=CrimeReferralView)
def acknowledge(access: AccessDep, referral_id: ReferralId) -> CrimeReferralView:
    """Acknowledge a referral addressed to the caller's organisation."""
    return crime.acknowledge_crime_referral(access, referral_id)
