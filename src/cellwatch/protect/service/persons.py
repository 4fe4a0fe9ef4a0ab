"""Reading protected persons' details: the only door to their numbers and accounts.

A protected person's identifiers are the most sensitive data cellwatch holds. They are
read here and nowhere else, by:

* a user holding the ``victim_liaison`` role (any protected person), or
* the owning organisation's team (``protected_persons.owner_org``): its users whose
  roles read prisoner records (an administrator who only manages accounts is not the team),
* the local ``system`` principal (the store's owner at the command line).

Every read, list and refusal is written to the audit log. A refusal says the same
whether or not the person exists, so the refusal is no oracle of who is protected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.service import Access
from cellwatch.errors import Denied, NotFound
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson


@dataclass(frozen=True)
class ProtectedIdentifierOut:
    """One of a protected person's numbers or accounts, normalised."""

    identifier_type: str
    identifier: str


@dataclass(frozen=True)
class ProtectedDetails:
    """A protected person's condition and contact details."""

    person_ref: str
    prison_number: str
    condition: str
    valid_from: date | None
    valid_to: date | None
    owner_org: str | None
    identifiers: tuple[ProtectedIdentifierOut, ...]


def _liaison(principal: Principal) -> bool:
    return principal.is_system or permitted(principal.roles, Resource.PROTECTED_PERSON,
                                            Action.READ)


def _owning_team(principal: Principal, owner_org: str | None) -> bool:
    return (owner_org is not None and principal.org_code == owner_org
            and permitted(principal.roles, Resource.PRISONER, Action.READ))


def may_read(principal: Principal, owner_org: str | None) -> bool:
    """Whether ``principal`` may read the details of a person owned by ``owner_org``."""
    return _liaison(principal) or _owning_team(principal, owner_org)


def _target(person_ref: str | None, owner_org: str | None = None) -> Target:
    return Target(Resource.PROTECTED_PERSON, person_ref, owner_org=owner_org)


def _deny(access: Access, person_ref: str | None, reason: str | None,
          action: str = "read") -> Denied:
    return Denied(f"{access.principal.username} may not read protected persons' details: "
                  "victim liaison and the owning team only", action,
                  _target(person_ref), reason)


def get_protected_person(access: Access, person_ref: str,
                         reason: str | None = None) -> ProtectedDetails:
    """One protected person's condition, numbers and accounts (audited, allowed or not)."""
    with access.facts() as s:
        person = s.get(ProtectedPerson, person_ref)
        owner = person.owner_org if person is not None else None
    with access.transaction() as s:
        if not may_read(access.principal, owner):
            raise _deny(access, person_ref, reason)  # audited by the transaction
        if person is None:
            raise NotFound(f"protected person {person_ref} not found")
        found = s.get(ProtectedPerson, person_ref)
        assert found is not None
        ids = tuple(ProtectedIdentifierOut(i.identifier_type, i.identifier) for i in s.scalars(
            select(ProtectedIdentifier).where(ProtectedIdentifier.person_ref == person_ref)
            .order_by(ProtectedIdentifier.id)))
        access.audit(s, "read", _target(person_ref, owner), reason,
                     detail={"identifiers": len(ids)})
        return ProtectedDetails(found.person_ref, found.prison_number, found.condition,
                                found.valid_from, found.valid_to, found.owner_org, ids)


def list_protected_persons(access: Access, prison_number: str | None = None,
                           reason: str | None = None) -> list[ProtectedDetails]:
    """The protected persons the principal may read (all for victim liaison; the
    owning team its own), with their details; refused outright to everyone else."""
    principal = access.principal
    with access.transaction() as s:
        if not _liaison(principal) and not (
                principal.org_code and permitted(principal.roles, Resource.PRISONER,
                                                 Action.READ)):
            raise _deny(access, None, reason, "list")
        query = select(ProtectedPerson)
        if not _liaison(principal):
            query = query.where(ProtectedPerson.owner_org == principal.org_code)
        if prison_number:
            query = query.where(ProtectedPerson.prison_number == prison_number.upper())
        people = list(s.scalars(query.order_by(ProtectedPerson.person_ref)))
        ids: dict[str, list[ProtectedIdentifierOut]] = {}
        for i in s.scalars(select(ProtectedIdentifier).where(
                ProtectedIdentifier.person_ref.in_([p.person_ref for p in people]))
                .order_by(ProtectedIdentifier.id)):
            ids.setdefault(i.person_ref, []).append(
                ProtectedIdentifierOut(i.identifier_type, i.identifier))
        access.audit(s, "list", _target(None), reason,
                     detail={"returned": [p.person_ref for p in people]})
        return [ProtectedDetails(p.person_ref, p.prison_number, p.condition, p.valid_from,
                                 p.valid_to, p.owner_org, tuple(ids.get(p.person_ref, ())))
                for p in people]
