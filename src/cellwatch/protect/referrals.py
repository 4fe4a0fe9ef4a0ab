"""Crime-in-prison referrals (the Crime in Prison Referral Agreement between HMPPS, the
police and the CPS): a force records a crime committed from prison, it reaches the
establishment's security team and the prisoner's parole record, and its
acknowledgement is tracked; unacknowledged ones are escalated once when overdue.

The referral itself is access's (:func:`cellwatch.access.cases.create_referrals`: parties,
status, acknowledgement, audit); :class:`CrimeReferral` adds the agreement's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from cellwatch.access.cases import create_referrals
from cellwatch.access.models import Referral
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData
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
                                   crime_reference=details.crime_reference)
    with access.transaction() as s:
        establishment = s.scalars(select(Prisoner.establishment).where(
            Prisoner.prison_number == prison_number)).first()
        s.add(CrimeReferral(referral_id=referral.id, offence=details.offence.strip(),
                            police_status=status, officer=details.officer,
                            establishment=establishment, notes=details.notes,
                            due_by=(today or date.today()) + timedelta(days=acknowledge_days)))
    return referral
