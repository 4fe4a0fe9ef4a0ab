"""Reading protected persons' details: the only door to their numbers and accounts.

A protected person's identifiers are the most sensitive data cellwatch holds. They are
read here (and on victim liaison's own pages, :mod:`.liaison`, under the same rule) by the
organisation that owns the person (``protected_persons.owner_org``) and nobody else:

* its users with the ``victim_liaison`` role, and its users whose roles read prisoner
  records (the owning prison team; an administrator who only manages accounts is not),
* the local ``system`` principal (the store's owner at the command line).

The rule is :func:`cellwatch.access.policy.may_read_protected` (and its SQL twin
:func:`cellwatch.access.scopes.visible_protected_persons`). A role that reads no protected
person is refused (403); a person of another organisation answers exactly as an unknown one
(404), so nobody learns whom another unit protects. Every read, list and refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from cellwatch.access.policy import Target, may_read_protected, reads_protected_persons
from cellwatch.access.principal import Principal
from cellwatch.access.roles import Resource
from cellwatch.access.scopes import visible_protected_persons
from cellwatch.access.service import Access
from cellwatch.errors import Concealed, Denied
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


def may_read(principal: Principal, owner_org: str | None) -> bool:
    """Whether ``principal`` may read the details of a person owned by ``owner_org``."""
    return bool(may_read_protected(principal, owner_org))


def _target(person_ref: str | None, owner_org: str | None = None) -> Target:
    return Target(Resource.PROTECTED_PERSON, person_ref, owner_org=owner_org)


def _role(access: Access, person_ref: str | None, reason: str | None,
          action: str = "read") -> None:
    if not reads_protected_persons(access.principal):
        raise Denied(f"{access.principal.username} may not read protected persons' details: "
                     "victim liaison and the owning team only", action,
                     _target(person_ref), reason)  # audited by the transaction


def get_protected_person(access: Access, person_ref: str,
                         reason: str | None = None) -> ProtectedDetails:
    """One protected person's condition, numbers and accounts (audited, allowed or not)."""
    with access.transaction() as s:
        _role(access, person_ref, reason)
        found = s.get(ProtectedPerson, person_ref)
        if found is None or not may_read(access.principal, found.owner_org):
            raise Concealed(f"{access.principal.username} may not read protected person "
                            f"{person_ref}: not of its organisation", "read",
                            _target(person_ref), reason,
                            unknown=f"protected person {person_ref} not found")
        ids = tuple(ProtectedIdentifierOut(i.identifier_type, i.identifier) for i in s.scalars(
            select(ProtectedIdentifier).where(ProtectedIdentifier.person_ref == person_ref)
            .order_by(ProtectedIdentifier.id)))
        access.audit(s, "read", _target(person_ref, found.owner_org), reason,
                     detail={"identifiers": len(ids)})
        return ProtectedDetails(found.person_ref, found.prison_number, found.condition,
                                found.valid_from, found.valid_to, found.owner_org, ids)


def list_protected_persons(access: Access, prison_number: str | None = None,
                           reason: str | None = None) -> list[ProtectedDetails]:
    """The protected persons the principal may read (its organisation's), with their
    details; refused outright to a role that reads none."""
    with access.transaction() as s:
        _role(access, None, reason, "list")
        query = select(ProtectedPerson).where(
            visible_protected_persons(access.principal, ProtectedPerson.owner_org))
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
