"""Crime-in-prison referrals (the Crime in Prison Referral Agreement between HMPPS, the
police and the CPS): a force records a crime committed from prison, it reaches the
establishment's security team and the prisoner's parole record, and its
acknowledgement is tracked; unacknowledged ones are escalated once when overdue.

The referral itself is access's (:func:`cellwatch.cases.service.create_referrals`: parties,
status, acknowledgement, audit); :class:`CrimeReferral` adds the agreement's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from cellwatch.access.models import Organisation, Referral
from cellwatch.access.service import Access, Page
from cellwatch.cases.service import (
    acknowledge_referral,
    create_referrals,
    get_referral,
    list_referrals,
)
from cellwatch.errors import InvalidData, NotFound
from cellwatch.protect.models import CrimeReferral
from cellwatch.store import Prisoner

POLICE_STATUSES = ("REPORTED", "UNDER_INVESTIGATION", "CHARGED", "NO_FURTHER_ACTION",
                   "CONVICTED", "ACQUITTED")


@dataclass(frozen=True)
class CrimeDetails:
    """What the force records about the crime."""

    offence: str
    crime_reference: str
    police_status: str = "REPORTED"
    officer: str | None = None
    notes: str | None = None


def record_crime_referral(access: Access, to_org: str, prison_number: str,
                          details: CrimeDetails, acknowledge_days: int = 5,
                          today: date | None = None) -> Referral:
    """A force refers a crime from prison to the establishment's team; tracked until
    acknowledged, due within ``acknowledge_days``.
    """
    status = details.police_status.strip().upper().replace(" ", "_")
    problems: dict[str, list[str]] = {}
    if not details.offence.strip():
        problems["offence"] = ["required"]
    if not details.crime_reference.strip():
        problems["crime_reference"] = ["required"]
    if status not in POLICE_STATUSES:
        problems["police_status"] = [f"one of {', '.join(POLICE_STATUSES)}"]
    if problems:
        raise InvalidData("referral refused", problems)
    summary = f"{details.offence} (crime ref {details.crime_reference}), {status.lower()}"
    (referral,) = create_referrals(access, [to_org], summary, prison_number=prison_number,
                                   crime_reference=details.crime_reference, reported=True)
    with access.transaction() as s:
        establishment = s.scalars(select(Prisoner.establishment).where(
            Prisoner.prison_number == prison_number)).first()
        s.add(CrimeReferral(referral_id=referral.id, offence=details.offence.strip(),
                            police_status=status, officer=details.officer,
                            establishment=establishment, notes=details.notes,
                            due_by=(today or date.today()) + timedelta(days=acknowledge_days)))
    return referral


@dataclass(frozen=True)
class CrimeReferralView:
    """A referral with the agreement's fields, as the CLI and API show it."""

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


def security_team(access: Access, prison_number: str) -> str:
    """The organisation a crime from prison goes to: the security team of the prisoner's
    establishment (a fact read outside row-level security, like access's own checks)."""
    with access.facts() as s:
        est = s.scalars(select(Prisoner.establishment).where(
            Prisoner.prison_number == prison_number.upper())).first()
        if est is None:
            raise NotFound(f"prisoner {prison_number} is not in an establishment; name --to")
        org = s.scalars(select(Organisation.code).where(
            Organisation.kind == "ESTABLISHMENT", Organisation.establishment == est,
            Organisation.active.is_(True)).order_by(Organisation.code)).first()
        if org is None:
            raise NotFound(f"no security team is registered for {est}; name --to")
        return org


def view(referral: Referral, crime: CrimeReferral | None,
         today: date | None = None) -> CrimeReferralView:
    """One referral and (if it is a crime-in-prison referral) its crime fields."""
    due = crime.due_by if crime else None
    return CrimeReferralView(
        referral.id, referral.from_org, referral.to_org, referral.prison_number,
        referral.crime_reference, crime.offence if crime else None,
        crime.police_status if crime else None, crime.officer if crime else None,
        crime.establishment if crime else None, referral.status, referral.created_by,
        referral.created_at, due,
        bool(due and referral.status == "SENT" and due < (today or date.today())),
        crime.escalated_at if crime else None, referral.acknowledged_by,
        referral.acknowledged_at)


def list_crime_referrals(access: Access, page: Page = Page(), status: str | None = None,
                         direction: str | None = None) -> list[CrimeReferralView]:
    """The referrals the principal's organisation sent or received (access decides and
    audits), each with its crime fields."""
    rows = list_referrals(access, page, status, direction)
    with access.transaction() as s:
        crimes = {c.referral_id: c for c in s.scalars(select(CrimeReferral).where(
            CrimeReferral.referral_id.in_([r.id for r in rows])))}
        return [view(r, crimes.get(r.id)) for r in rows]


def get_crime_referral(access: Access, referral_id: int) -> CrimeReferralView:
    """One referral the principal's organisation sent or received, with its crime fields."""
    referral = get_referral(access, referral_id)
    with access.transaction() as s:
        return view(referral, s.get(CrimeReferral, referral_id))


def acknowledge_crime_referral(access: Access, referral_id: int) -> CrimeReferralView:
    """The receiving organisation acknowledges (once); no escalation follows after this."""
    referral = acknowledge_referral(access, referral_id)
    with access.transaction() as s:
        return view(referral, s.get(CrimeReferral, referral_id))
