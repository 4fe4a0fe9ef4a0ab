"""Referrals between organisations, tracked until acknowledged.

A thin shell: access decides and audits (:mod:`cellwatch.cases.service`), and each
referral is shown as its reader may see it (:func:`cellwatch.protect.service.referrals.seen`:
a force is not told who received its crime referral, nor whether the prisoner is known).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import ReferralIn, ReferralOut
from cellwatch.cases import service as cases
from cellwatch.protect.service import referrals

router = APIRouter(prefix="/referrals", tags=["referrals"])
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=list[ReferralOut])
def list_referrals(access: AccessDep, page: PageDep,
                   status: Literal["SENT", "ACKNOWLEDGED"] | None = None,
                   direction: Literal["in", "out"] | None = None) -> list[ReferralOut]:
    """Referrals the caller's organisation sent or received."""
    rows = referrals.list_referrals_seen(access, page, status, direction)
    return [ReferralOut.model_validate(r) for r in rows]


@router.post("", response_model=list[ReferralOut], status_code=201)
def create_referrals(access: AccessDep, body: ReferralIn) -> list[ReferralOut]:
    """Refer to each organisation named (e.g. the establishment and the Parole Board)."""
    rows = cases.create_referrals(access, body.to_orgs, body.summary, body.prison_number,
                                  body.crime_reference, body.case_ref)
    return [ReferralOut.model_validate(r) for r in rows]


@router.get("/{referral_id}", response_model=ReferralOut)
def get_referral(access: AccessDep, referral_id: ReferralId) -> ReferralOut:
    """One referral."""
    return ReferralOut.model_validate(referrals.get_referral_seen(access, referral_id))


@router.post("/{referral_id}/acknowledge", response_model=ReferralOut)
def acknowledge(access: AccessDep, referral_id: ReferralId) -> ReferralOut:
    """Acknowledge a referral addressed to the caller's organisation."""
    return ReferralOut.model_validate(referrals.acknowledge_referral_seen(access, referral_id))
