"""Cases and operations, shared explicitly; referrals tracked until acknowledged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.models import Case, CaseShare, CaseSubject, Organisation, Referral
from cellwatch.access.policy import SHARE_LEVELS, Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_cases, visible_referrals
from cellwatch.access.service import Access, Denied, Page, not_found
from cellwatch.errors import Conflict, IllegalTransition, InvalidData, NotFound
from cellwatch.estate.service import prisoner_target
from cellwatch.store import utcnow
from cellwatch.store.listing import Order, SortColumn, sorted_by
from cellwatch.store.reference import Establishment, Prisoner

CASE_KINDS = ("CASE", "OPERATION", "INVESTIGATION")


def case_target(session: Session, principal: Principal, case: Case) -> Target:
    """The policy facts about one case, for this principal."""
    level = None
    if principal.org_code:
        share = session.get(CaseShare, (case.id, principal.org_code))
        level = share.level if share else None
    return Target(Resource.CASE, case.ref, establishment=case.establishment,
                  owner_org=case.owner_org, share_level=level)


def _org(access: Access) -> str:
    if access.principal.org_code is None:
        raise InvalidData("the system principal belongs to no organisation",
                          {"principal": ["act as a user of the owning organisation"]})
    return access.principal.org_code


def create_case(access: Access, ref: str, title: str, kind: str = "CASE",
                description: str | None = None, establishment: str | None = None,
                subjects: Sequence[str] = ()) -> Case:
    """Open a case owned by the principal's organisation."""
    if kind.upper() not in CASE_KINDS:
        raise InvalidData("case refused", {"kind": [f"one of {', '.join(CASE_KINDS)}"]})
    target = Target(Resource.CASE, ref)
    access.require_role(Action.CREATE, Resource.CASE, ref)
    subjects = _visible_prisoners(access, subjects)
    with access.transaction() as s:
        access.check(Action.CREATE, target)
        owner = _org(access)
        if s.scalars(select(Case).where(Case.ref == ref)).first() is not None:
            raise Conflict(f"case {ref} exists")
        if establishment is not None and s.get(Establishment, establishment) is None:
            # Caught here, not by the foreign key: a client error, not a store failure.
            raise InvalidData("case refused", {"establishment": [
                f"unknown establishment {establishment}"]})
        case = Case(ref=ref, title=title, kind=kind.upper(), description=description,
                    owner_org=owner, establishment=establishment, status="OPEN",
                    created_by=access.principal.username)
        s.add(case)
        s.flush()
        _add_subjects(s, case, subjects)
        access.audit(s, "create", target, detail={"subjects": list(subjects)})
        return case


def _known_prisoners(access: Access, subjects: Sequence[str]) -> list[str]:
    # A fact check, outside row-level security (a force reporting a crime names a prisoner
    # it cannot see; the referral shares nothing back with it).
    numbers = list(dict.fromkeys(p.upper() for p in subjects))
    with access.facts() as s:
        for number in numbers:
            if s.get(Prisoner, number) is None:
                raise not_found(Resource.PRISONER, number)
    return numbers


def _visible_prisoners(access: Access, subjects: Sequence[str]) -> list[str]:
    """The prisoners named, each one the principal may already read.

    Naming a prisoner in a case or a referral shares their record onward, so only what one
    sees may be named: one out of scope is refused (audited) exactly as an unknown one.
    """
    numbers = list(dict.fromkeys(p.upper() for p in subjects))
    if not numbers:
        return numbers
    access.require_role(Action.READ, Resource.PRISONER, numbers[0])
    targets = []
    with access.facts() as s:
        for number in numbers:
            found = s.get(Prisoner, number)
            if found is None:
                raise not_found(Resource.PRISONER, number)
            targets.append(prisoner_target(s, access.principal, found))
    with access.transaction():
        for target in targets:
            access.check(Action.READ, target)
    return numbers


def _add_subjects(session: Session, case: Case, numbers: Sequence[str]) -> None:
    for number in numbers:
        if session.get(CaseSubject, (case.id, number)) is None:
            session.add(CaseSubject(case_id=case.id, prison_number=number))


def _find_case(access: Access, ref: str, action: Action) -> Target:
    # The role first: a principal no role lets do ``action`` to cases learns nothing of refs.
    access.require_role(action, Resource.CASE, ref)
    with access.facts() as s:
        case = s.scalars(select(Case).where(Case.ref == ref)).one_or_none()
        if case is None:
            raise not_found(Resource.CASE, ref)
        return case_target(s, access.principal, case)


def get_case(access: Access, ref: str) -> Case:
    """Open a case the principal's organisation owns or has been given a share of."""
    target = _find_case(access, ref, Action.READ)
    with access.transaction() as s:
        access.check(Action.READ, target)
        access.audit(s, "read", target)
        return s.scalars(select(Case).where(Case.ref == ref)).one()


def case_details(access: Access, case: Case) -> tuple[list[str], dict[str, str]]:
    """Subjects and shares of a case the caller has already been allowed to open."""
    with access.transaction() as s:
        subjects = list(s.scalars(select(CaseSubject.prison_number)
                                  .where(CaseSubject.case_id == case.id)))
        shares = {sh.org_code: sh.level for sh in s.scalars(
            select(CaseShare).where(CaseShare.case_id == case.id))}
        return sorted(subjects), shares


def list_cases(access: Access, page: Page = Page(), status: str | None = None) -> list[Case]:
    """Cases owned by or shared with the principal's organisation."""
    target = Target(Resource.CASE)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        query = select(Case).where(visible_cases(access.principal))
        if status:
            query = query.where(Case.status == status.upper())
        rows = list(s.scalars(query.order_by(Case.id).limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target, detail={"returned": [c.ref for c in rows]})
        return rows


def share_case(access: Access, ref: str, org_code: str, level: str = "READ") -> CaseShare:
    """Give another organisation access to a case at ``level`` (READ, CONTRIBUTE, MANAGE)."""
    if level.upper() not in SHARE_LEVELS:
        raise InvalidData("share refused", {"level": [f"one of {', '.join(SHARE_LEVELS)}"]})
    target = _find_case(access, ref, Action.SHARE)
    with access.transaction() as s:
        access.check(Action.SHARE, target)
        if s.get(Organisation, org_code) is None:
            raise NotFound(f"organisation {org_code} not known")
        case = s.scalars(select(Case).where(Case.ref == ref)).one()
        share = s.get(CaseShare, (case.id, org_code))
        if share is None:
            share = CaseShare(case_id=case.id, org_code=org_code, level=level.upper(),
                              granted_by=access.principal.username)
            s.add(share)
        share.level = level.upper()
        access.audit(s, "share", target, detail={"org": org_code, "level": level.upper()})
        return share


def add_case_subjects(access: Access, ref: str, subjects: Sequence[str]) -> Case:
    """Add prisoners to a case (CONTRIBUTE or more); sharing the case shares their records."""
    target = _find_case(access, ref, Action.UPDATE)
    with access.transaction():
        access.check(Action.UPDATE, target)  # before the subjects: no probing a hidden case
    subjects = _visible_prisoners(access, subjects)
    with access.transaction() as s:
        access.check(Action.UPDATE, target)
        case = s.scalars(select(Case).where(Case.ref == ref)).one()
        _add_subjects(s, case, subjects)
        access.audit(s, "update", target, detail={"subjects_added": list(subjects)})
        return case


def close_case(access: Access, ref: str) -> Case:
    """Close a case: its owner organisation, or one it is shared with at MANAGE (once; 409
    after). A case of others answers as unknown (404); one shared below MANAGE, 403."""
    target = _find_case(access, ref, Action.UPDATE)
    with access.transaction() as s:
        access.check(Action.UPDATE, target)
        if not (access.principal.is_system or access.principal.org_code == target.owner_org
                or target.share_level == "MANAGE"):
            raise Denied(f"{access.principal.username} may not close case {ref}: the owner "
                         "or a MANAGE share closes it", str(Action.UPDATE), target, None)
        case = s.scalars(select(Case).where(Case.ref == ref)).one()
        if case.status == "CLOSED":
            raise IllegalTransition(f"case {ref} is already CLOSED")
        case.status = "CLOSED"
        access.audit(s, "close", target)
        return case


def create_referrals(access: Access, to_orgs: Sequence[str], summary: str,
                     prison_number: str | None = None, crime_reference: str | None = None,
                     case_ref: str | None = None, reported: bool = False) -> list[Referral]:
    """Refer a crime committed from prison to each of ``to_orgs``; one tracked referral each.

    The prisoner named must be one the sender may read (a referral shares the record with
    its receivers), unless ``reported``: a force reporting a crime names whom the victim
    named, and the referral shares nothing back with it.
    """
    if not to_orgs:
        raise InvalidData("referral refused", {"to_orgs": ["name at least one organisation"]})
    access.require_role(Action.CREATE, Resource.REFERRAL)
    case_target_ = _find_case(access, case_ref, Action.READ) if case_ref else None
    if prison_number:
        if reported:
            _known_prisoners(access, [prison_number])
        else:
            _visible_prisoners(access, [prison_number])
    with access.transaction() as s:
        sender = _org(access)
        access.check(Action.CREATE, Target(Resource.REFERRAL, owner_org=sender))
        if case_target_ is not None:
            access.check(Action.READ, case_target_)
        case_id = s.scalars(select(Case.id).where(Case.ref == case_ref)).first() \
            if case_ref else None
        made = []
        for to in dict.fromkeys(to_orgs):
            if s.get(Organisation, to) is None:
                raise NotFound(f"organisation {to} not known")
            referral = Referral(from_org=sender, to_org=to, case_id=case_id, summary=summary,
                                prison_number=prison_number.upper() if prison_number else None,
                                crime_reference=crime_reference, status="SENT",
                                created_by=access.principal.username)
            s.add(referral)
            s.flush()
            access.audit(s, "create", _referral_target(referral), detail={"to": to})
            made.append(referral)
        return made


def _referral_target(referral: Referral) -> Target:
    return Target(Resource.REFERRAL, str(referral.id), owner_org=referral.from_org,
                  recipient_org=referral.to_org)


# What a list of referrals may be sorted by.
REFERRAL_SORTS: dict[str, SortColumn] = {
    "id": Referral.id, "created_at": Referral.created_at, "status": Referral.status,
    "from_org": Referral.from_org, "to_org": Referral.to_org,
    "prison_number": Referral.prison_number}


def list_referrals(access: Access, page: Page = Page(), status: str | None = None,
                   direction: str | None = None, *, since: datetime | None = None,
                   before: datetime | None = None,
                   order: Order | None = None) -> list[Referral]:
    """Referrals sent or received by the principal's organisation (``direction`` in/out),
    oldest first or in ``order``; ``since``/``before`` bound when sent."""
    target = Target(Resource.REFERRAL)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        query = select(Referral).where(visible_referrals(access.principal))
        if status:
            query = query.where(Referral.status == status.upper())
        if direction == "in":
            query = query.where(Referral.to_org == access.principal.org_code)
        elif direction == "out":
            query = query.where(Referral.from_org == access.principal.org_code)
        if since is not None:
            query = query.where(Referral.created_at >= since)
        if before is not None:
            query = query.where(Referral.created_at < before)
        query = sorted_by(query.order_by(Referral.id), REFERRAL_SORTS, order, Referral.id)
        rows = list(s.scalars(query.limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target, detail={"returned": [r.id for r in rows]})
        return rows


def _find_referral(access: Access, referral_id: int, action: Action) -> Target:
    access.require_role(action, Resource.REFERRAL, str(referral_id))
    with access.facts() as s:
        referral = s.get(Referral, referral_id)
        if referral is None:
            raise not_found(Resource.REFERRAL, referral_id)
        return _referral_target(referral)


def get_referral(access: Access, referral_id: int) -> Referral:
    """Open a referral the principal's organisation sent or received."""
    target = _find_referral(access, referral_id, Action.READ)
    with access.transaction() as s:
        access.check(Action.READ, target)
        access.audit(s, "read", target)
        referral = s.get(Referral, referral_id)
        assert referral is not None
        return referral


def acknowledge_referral(access: Access, referral_id: int) -> Referral:
    """The receiving organisation acknowledges a referral; only once."""
    target = _find_referral(access, referral_id, Action.ACKNOWLEDGE)
    with access.transaction() as s:
        access.check(Action.ACKNOWLEDGE, target)
        referral = s.get(Referral, referral_id)
        assert referral is not None
        if referral.status != "SENT":
            raise IllegalTransition(f"referral {referral_id} is {referral.status}, not SENT")
        referral.status = "ACKNOWLEDGED"
        referral.acknowledged_by = access.principal.username
        referral.acknowledged_at = utcnow()
        access.audit(s, "acknowledge", target)
        return referral
