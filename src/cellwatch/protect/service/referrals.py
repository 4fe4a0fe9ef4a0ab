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
from cellwatch.access.roles import Action, Resource
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
from cellwatch.store.listing import Order

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


def record_crime_referral(access: Access, to_org: str | None, prison_number: str,
                          details: CrimeDetails, acknowledge_days: int = 5,
                          today: date | None = None) -> Referral:
    """A force refers a crime from prison; tracked until acknowledged, due within
    ``acknowledge_days``.

    Taken for any well-formed prison number, known or not, so that the answer tells the
    force nothing of who is held where: ``to_org`` None sends it to the prisoner's
    establishment's security team, or to the national unit to resolve when there is none.
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
    number = prison_number.strip().upper()
    access.require_role(Action.CREATE, Resource.REFERRAL)
    with access.facts() as s:  # facts outside row-level security, never shown to the force
        establishment = s.scalars(select(Prisoner.establishment).where(
            Prisoner.prison_number == number)).first()
        known = s.get(Prisoner, number) is not None
    summary = f"{details.offence} (crime ref {details.crime_reference}), {status.lower()}"
    (referral,) = create_referrals(access, [to_org or security_team(access, number)],
                                   summary, prison_number=number if known else None,
                                   crime_reference=details.crime_reference, reported=True)
    with access.transaction() as s:
        s.add(CrimeReferral(referral_id=referral.id, offence=details.offence.strip(),
                            police_status=status, officer=details.officer,
                            establishment=establishment, notes=details.notes,
                            named_prison_number=number,
                            due_by=(today or date.today()) + timedelta(days=acknowledge_days)))
    return referral


@dataclass(frozen=True)
class CrimeReferralView:
    """A referral with the agreement's fields, as the CLI and API show it."""

    id: int
    from_org: str
    to_org: str | None
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
    establishment, else (unknown, released, or no team registered) the national unit,
    which resolves it. Facts read outside row-level security, like access's own checks;
    the sender is never shown the answer (:func:`view`)."""
    with access.facts() as s:
        est = s.scalars(select(Prisoner.establishment).where(
            Prisoner.prison_number == prison_number.strip().upper())).first()
        team = s.scalars(select(Organisation.code).where(
            Organisation.kind == "ESTABLISHMENT", Organisation.establishment == est,
            Organisation.active.is_(True)).order_by(Organisation.code)).first() \
            if est is not None else None
        national = s.scalars(select(Organisation.code).where(
            Organisation.kind == "NATIONAL", Organisation.active.is_(True))
            .order_by(Organisation.code)).first()
    if team is not None:
        return team
    if national is None:
        raise NotFound("no national unit is registered to receive crime referrals; name --to")
    return national


def view(referral: Referral, crime: CrimeReferral | None, today: date | None = None,
         viewer_org: str | None = None) -> CrimeReferralView:
    """One referral and (if it is a crime-in-prison referral) its crime fields.

    Its sender (``viewer_org`` is ``from_org``, not ``to_org``) sees only what it sent
    and how it stands: not who received it, where the prisoner is, nor who acknowledged,
    which would tell a force whether, and where, the prisoner it named is held.
    """
    due = crime.due_by if crime else None
    sender = viewer_org is not None and viewer_org == referral.from_org \
        and viewer_org != referral.to_org
    named = (crime.named_prison_number if crime else None) or referral.prison_number
    return CrimeReferralView(
        referral.id, referral.from_org, None if sender else referral.to_org, named,
        referral.crime_reference, crime.offence if crime else None,
        crime.police_status if crime else None, crime.officer if crime else None,
        None if sender or crime is None else crime.establishment, referral.status,
        referral.created_by, referral.created_at, due,
        bool(due and referral.status == "SENT" and due < (today or date.today())),
        crime.escalated_at if crime else None,
        None if sender else referral.acknowledged_by, referral.acknowledged_at)


@dataclass(frozen=True)
class ReferralSeen:
    """A referral (access's ``/referrals`` shape) as its reader may see it."""

    id: int
    from_org: str
    to_org: str | None
    prison_number: str | None
    crime_reference: str | None
    summary: str
    status: str
    created_by: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


def seen(referral: Referral, crime: CrimeReferral | None, viewer_org: str) -> ReferralSeen:
    """``referral`` as ``viewer_org`` may see it.

    A crime referral's sender (a force) sees the prison number it named, not the
    referral's key to the prisoner (empty when he is unknown), and neither who received it
    nor who acknowledged it (the security team of the prison that holds him): so it learns
    nothing of whether, or where, he is held. Other referrals are shown as they are: their
    sender chose the receivers and could already see the prisoner it named.
    """
    masked = crime is not None and viewer_org == referral.from_org \
        and viewer_org != referral.to_org
    number = (crime.named_prison_number if crime else None) or referral.prison_number
    return ReferralSeen(
        referral.id, referral.from_org, None if masked else referral.to_org, number,
        referral.crime_reference, referral.summary, referral.status, referral.created_by,
        referral.created_at, None if masked else referral.acknowledged_by,
        referral.acknowledged_at)


def _sent_crimes(access: Access) -> bool:
    org = access.principal.org_code
    with access.facts() as s:  # a fact deciding the order, nothing returned
        return s.scalars(select(CrimeReferral.referral_id).join(
            Referral, Referral.id == CrimeReferral.referral_id).where(
            Referral.from_org == org, Referral.to_org != org).limit(1)).first() is not None


def _crimes(access: Access, ids: list[int]) -> dict[int, CrimeReferral]:
    with access.transaction() as s:
        rows = s.scalars(select(CrimeReferral).where(CrimeReferral.referral_id.in_(ids)))
        return {c.referral_id: c for c in rows}


# Sorting by these would order a force's crime referrals by what it may not see.
_MASKED_SORTS = frozenset({"to_org", "prison_number"})


def list_referrals_seen(access: Access, page: Page = Page(), status: str | None = None,
                        direction: str | None = None, *, since: datetime | None = None,
                        before: datetime | None = None,
                        order: Order | None = None) -> list[ReferralSeen]:
    """The referrals the principal's organisation sent or received (access decides and
    audits; filters and ``order`` as :func:`~cellwatch.cases.service.list_referrals`),
    each as it may see it (:func:`seen`). An organisation that sent crime referrals is
    not listed by receiver or prisoner key: those orders fall back to when sent."""
    if order is not None and order[0] in _MASKED_SORTS and _sent_crimes(access):
        order = ("created_at", order[1])
    rows = list_referrals(access, page, status, direction, since=since, before=before,
                          order=order)
    crimes = _crimes(access, [r.id for r in rows])
    return [seen(r, crimes.get(r.id), access.principal.org_code or "") for r in rows]


def get_referral_seen(access: Access, referral_id: int) -> ReferralSeen:
    """One referral the principal's organisation sent or received, as it may see it."""
    referral = get_referral(access, referral_id)
    return seen(referral, _crimes(access, [referral.id]).get(referral.id),
                access.principal.org_code or "")


def acknowledge_referral_seen(access: Access, referral_id: int) -> ReferralSeen:
    """The receiving organisation acknowledges a referral (once); the answer as it sees it."""
    referral = acknowledge_referral(access, referral_id)
    return seen(referral, _crimes(access, [referral.id]).get(referral.id),
                access.principal.org_code or "")


def list_crime_referrals(access: Access, page: Page = Page(), status: str | None = None,
                         direction: str | None = None) -> list[CrimeReferralView]:
    """The referrals the principal's organisation sent or received (access decides and
    audits), each with its crime fields."""
    rows = list_referrals(access, page, status, direction)
    with access.transaction() as s:
        crimes = {c.referral_id: c for c in s.scalars(select(CrimeReferral).where(
            CrimeReferral.referral_id.in_([r.id for r in rows])))}
        org = access.principal.org_code
        return [view(r, crimes.get(r.id), viewer_org=org) for r in rows]


def get_crime_referral(access: Access, referral_id: int) -> CrimeReferralView:
    """One referral the principal's organisation sent or received, with its crime fields."""
    referral = get_referral(access, referral_id)
    with access.transaction() as s:
        return view(referral, s.get(CrimeReferral, referral_id),
                    viewer_org=access.principal.org_code)


def acknowledge_crime_referral(access: Access, referral_id: int) -> CrimeReferralView:
    """The receiving organisation acknowledges (once); no escalation follows after this."""
    referral = acknowledge_referral(access, referral_id)
    with access.transaction() as s:
        return view(referral, s.get(CrimeReferral, referral_id),
                    viewer_org=access.principal.org_code)
