"""Victim liaison's own protected persons: create one, change its condition, add its
numbers and accounts, and read them back, for the web, the API and the CLI alike.

Scoped to the principal's organisation: a victim-liaison officer works the persons their
organisation owns (``protected_persons.owner_org``), the ``system`` principal any; the rule
is :func:`cellwatch.access.policy.protected_person_scope`, the one :mod:`.persons` (search)
applies too. A person of another organisation answers exactly as an unknown one (404, the
denial audited), so nobody learns who another unit protects. The role decides first (403,
audited, before a person is looked up). Every create, change, read and list is audited, in
the same transaction as the change.

The prisoner a condition is against is kept as the prison number the officer named, well
formed, whether or not the store holds him: the answer is the same either way, so the form
is no oracle of who is in prison (a victim-liaison officer may not read prisoners). The
number is joined to ``prisoners`` by value when read (alerts, resolution), so a condition
recorded before he is received works once he is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cellwatch.access.policy import Target, protected_person_scope
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_protected_persons
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, Conflict, Denied, InvalidData, NotFound
from cellwatch.ingest.protected import CONDITIONS as CONDITIONS  # an order's, for the shells
from cellwatch.ingest.values import PRISON_NUMBER
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.protect.parties import read_party

# Said in words on the pages.
CONDITION_LABELS = {"RESTRAINING_ORDER": "Restraining order",
                    "NON_MOLESTATION_ORDER": "Non-molestation order",
                    "LICENCE_CONDITION": "Licence condition",
                    "NO_CONTACT_REQUEST": "No-contact request", "OTHER": "Other"}
# A person's own numbers and accounts (not a handset's or a SIM's serial).
PERSON_IDENTIFIER_TYPES = ("MSISDN", "ACCOUNT")


@dataclass(frozen=True)
class PersonIdentifier:
    """One of the person's numbers or accounts, normalised."""

    id: int
    identifier_type: str
    identifier: str
    lenient: bool


@dataclass(frozen=True)
class PersonView:
    """A protected person as their liaison officer works it."""

    person_ref: str
    prison_number: str
    condition: str
    valid_from: date | None
    valid_to: date | None
    owner_org: str | None
    identifiers: tuple[PersonIdentifier, ...]

    def in_force(self, on: date) -> bool:
        """Whether the condition holds on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to)


def target(person_ref: str | None, owner_org: str | None = None) -> Target:
    """The audit target of a protected person."""
    return Target(Resource.PROTECTED_PERSON, person_ref, owner_org=owner_org)


def unknown(person_ref: str) -> NotFound:
    """The one answer for a person unknown or of another organisation."""
    return NotFound(f"protected person {person_ref} not found")


def mine(access: Access, person: ProtectedPerson | None) -> bool:
    """Whether ``person`` is one the principal's organisation works."""
    return person is not None and bool(protected_person_scope(access.principal,
                                                              person.owner_org))


def open_person(access: Access, session: Session, person_ref: str,
                action: Action) -> ProtectedPerson:
    """The person, inside a guarded transaction; unknown or not the principal's: 404, the
    refusal audited (as the transaction's denial) either way."""
    person = session.get(ProtectedPerson, person_ref)
    if not mine(access, person):
        raise Concealed(f"{access.principal.username} may not {action} protected person "
                        f"{person_ref}: not of its organisation", str(action),
                        target(person_ref), None)
    assert person is not None
    return person


def guarded(access: Access, action: Action, person_ref: str) -> None:
    """The role first (403, audited, before the person is looked up)."""
    access.require_role(action, Resource.PROTECTED_PERSON, person_ref)


def _call(access: Access, action: Action, person_ref: str) -> ProtectedPerson:
    guarded(access, action, person_ref)
    try:
        with access.transaction() as s:
            return open_person(access, s, person_ref, action)
    except NotFound:
        raise unknown(person_ref) from None


def _view(session: Session, person: ProtectedPerson) -> PersonView:
    ids = tuple(PersonIdentifier(i.id, i.identifier_type, i.identifier,
                                 bool((i.extra or {}).get("lenient_handle")))
                for i in session.scalars(select(ProtectedIdentifier).where(
                    ProtectedIdentifier.person_ref == person.person_ref)
                    .order_by(ProtectedIdentifier.id)))
    return PersonView(person.person_ref, person.prison_number, person.condition,
                      person.valid_from, person.valid_to, person.owner_org, ids)


def _condition(condition: str, valid_from: date | None, valid_to: date | None) -> str:
    code = condition.strip().upper().replace(" ", "_").replace("-", "_")
    problems: dict[str, list[str]] = {}
    if code not in CONDITIONS:
        problems["condition"] = [f"one of {', '.join(CONDITIONS)}"]
    if valid_from and valid_to and valid_to < valid_from:
        problems["valid_to"] = [f"{valid_to} is before the condition starts ({valid_from})"]
    if problems:
        raise InvalidData("condition refused", problems)
    return code


def list_persons(access: Access, page: Page = Page()) -> list[PersonView]:
    """The persons the principal's organisation protects (audited)."""
    access.require_role(Action.READ, Resource.PROTECTED_PERSON)
    with access.transaction() as s:
        query = select(ProtectedPerson).where(
            visible_protected_persons(access.principal, ProtectedPerson.owner_org))
        people = list(s.scalars(query.order_by(ProtectedPerson.person_ref)
                                .limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target(None),
                     detail={"returned": [p.person_ref for p in people]})
        return [_view(s, p) for p in people]


def get_person(access: Access, person_ref: str) -> PersonView:
    """One of the organisation's persons with its condition and identifiers (audited)."""
    _call(access, Action.READ, person_ref)
    with access.transaction() as s:
        person = open_person(access, s, person_ref, Action.READ)
        view = _view(s, person)
        access.audit(s, "read", target(person_ref, person.owner_org),
                     detail={"identifiers": len(view.identifiers)})
        return view


def _new_ref(session: Session, org: str | None) -> str:
    while True:
        ref = f"PP-{(org or 'SYS')[:12]}-{secrets.token_hex(3).upper()}"
        if session.get(ProtectedPerson, ref) is None:
            return ref


def create_person(access: Access, prison_number: str, condition: str,
                  valid_from: date | None = None, valid_to: date | None = None,
                  person_ref: str | None = None) -> PersonView:
    """Record a person protected from ``prison_number`` (well formed, held or not: the
    answer is the same), owned by the principal's organisation; ``person_ref`` (opaque) is
    made up when not given."""
    access.require_role(Action.CREATE, Resource.PROTECTED_PERSON, person_ref)
    code = _condition(condition, valid_from, valid_to)
    number = prison_number.strip().upper()
    if not PRISON_NUMBER.fullmatch(number):
        # Its shape only: whether he is held is not said (see the module's docstring).
        raise InvalidData("person refused", {"prison_number": [
            f"{number or 'blank'}: not a prison number (a letter, four digits, two letters)"]})
    ref = (person_ref or "").strip() or None
    if ref is not None and (len(ref) > 64 or not ref.replace("-", "").replace("_", "")
                            .isalnum()):
        raise InvalidData("person refused", {"person_ref": [
            "letters, digits, hyphens and underscores, at most 64"]})
    with access.transaction() as s:
        if ref is not None and s.get(ProtectedPerson, ref) is not None:
            raise Conflict(f"protected person {ref} exists")
        ref = ref or _new_ref(s, access.principal.org_code)
        person = ProtectedPerson(person_ref=ref, prison_number=number, condition=code,
                                 valid_from=valid_from, valid_to=valid_to,
                                 owner_org=access.principal.org_code,
                                 extra={"recorded_by": access.principal.username})
        s.add(person)
        s.flush()
        access.audit(s, "create", target(ref, person.owner_org),
                     detail={"condition": code})
        return _view(s, person)


def change_condition(access: Access, person_ref: str, condition: str,
                     valid_from: date | None = None, valid_to: date | None = None,
                     ) -> PersonView:
    """Change the person's condition or its dates (the old ones kept in the audit)."""
    _call(access, Action.UPDATE, person_ref)
    code = _condition(condition, valid_from, valid_to)
    with access.transaction() as s:
        person = open_person(access, s, person_ref, Action.UPDATE)
        before = {"condition": person.condition,
                  "valid_from": person.valid_from.isoformat() if person.valid_from else None,
                  "valid_to": person.valid_to.isoformat() if person.valid_to else None}
        person.condition, person.valid_from, person.valid_to = code, valid_from, valid_to
        access.audit(s, "update", target(person_ref, person.owner_org),
                     detail={"before": before, "condition": code})
        return _view(s, person)


def add_identifier(access: Access, person_ref: str, text: str,
                   platform: str | None = None) -> PersonView:
    """Add one of the person's numbers or accounts (normalised; 409 if already there)."""
    _call(access, Action.UPDATE, person_ref)
    try:
        party = read_party(text, platform)
    except InvalidData as exc:
        raise InvalidData("identifier refused", {"identifier": [exc.message]}) from None
    if party.type not in PERSON_IDENTIFIER_TYPES:
        raise InvalidData("identifier refused", {"identifier": [
            f"a {party.type} is not a person's number or account"]})
    with access.transaction() as s:
        person = open_person(access, s, person_ref, Action.UPDATE)
        if s.scalars(select(func.count(ProtectedIdentifier.id)).where(
                ProtectedIdentifier.person_ref == person_ref,
                ProtectedIdentifier.identifier == party.value)).one():
            raise Conflict(f"{party.value} is already one of {person_ref}'s identifiers")
        s.add(ProtectedIdentifier(person_ref=person_ref, identifier_type=party.type,
                                  identifier=party.value,
                                  extra={"lenient_handle": True} if party.lenient else None))
        s.flush()
        # The value is the most sensitive datum held: audited by type, never by value.
        access.audit(s, "update", target(person_ref, person.owner_org),
                     detail={"identifier_added": party.type})
        return _view(s, person)


def hand_over_unowned(access: Access, org_code: str) -> list[str]:
    """Give ``org_code`` the persons no organisation owns (a file loaded at the command line
    by the ``system`` principal has no owner, so nobody but ``system`` reads them); the
    ``system`` principal only, each hand-over audited."""
    if not access.principal.is_system:
        raise Denied(f"{access.principal.username} may not hand protected persons over: "
                     "the system principal only", "update", target(None), None)
    with access.transaction() as s:
        people = list(s.scalars(select(ProtectedPerson).where(
            ProtectedPerson.owner_org.is_(None)).order_by(ProtectedPerson.person_ref)))
        for person in people:
            person.owner_org = org_code
            access.audit(s, "update", target(person.person_ref, org_code),
                         detail={"owner_org": org_code, "before": None})
        return [p.person_ref for p in people]
