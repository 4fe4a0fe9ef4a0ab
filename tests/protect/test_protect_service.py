"""Who reads a protected person's numbers and accounts: the owning organisation only (its
victim liaison and its prison team), every read and refusal audited; another organisation's
person answers exactly as an unknown one. Run against every user of the access fixture
estate (one organisation of every kind, a user of every role) plus two liaison officers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cellwatch.access.audit import verify_chain
from cellwatch.access.fixtures import USERS, build_estate
from cellwatch.access.models import AuditEntry, User
from cellwatch.access.policy import may_read_protected, reads_protected_persons
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.errors import AccessDenied, NotFound
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.protect.service.persons import get_protected_person, list_protected_persons
from cellwatch.store import Store

LIAISON = (("nat_liaison", "NIU"), ("wmp_liaison", "WMP"))
# The owning team (HEI-SIT) reads through its case-working roles; its administrator not;
# victim liaison of other organisations (national or police) not either.
ALLOWED = {"hei_analyst", "hei_supervisor"}


def _world(store: Store) -> None:
    build_estate(store)
    with store.session() as s:
        hash_ = s.scalars(select(User.password_hash)).first()
        for name, org in LIAISON:
            s.add(User(username=name, org_code=org, roles=["victim_liaison"],
                       password_hash=hash_, active=True, token_version=0))
        s.add(ProtectedPerson(person_ref="PP-1", prison_number="A1111AA",
                              condition="restraining order", owner_org="HEI-SIT"))
        s.add(ProtectedPerson(person_ref="PP-2", prison_number="A3333CC",
                              condition="licence condition", owner_org="LEI-SIT"))
        s.add(ProtectedPerson(person_ref="PP-3", prison_number="A3333CC",
                              condition="restraining order", owner_org="WMP"))
        s.flush()
        s.add(ProtectedIdentifier(person_ref="PP-1", identifier_type="MSISDN",
                                  identifier="+447700900111"))
        s.add(ProtectedIdentifier(person_ref="PP-1", identifier_type="ACCOUNT",
                                  identifier="instagram:victim.one"))


def _access(store: Store, username: str) -> Access:
    with store.session() as s:
        return Access(store, principal_for(s, username))


def _audit(store: Store, username: str) -> list[tuple[str, str, str | None]]:
    with store.session() as s:
        return [(e.action, e.outcome, e.resource_id) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.principal == username,
                                     AuditEntry.resource_type == "protected_person")
            .order_by(AuditEntry.id))]


def test_every_kind_of_user(store: Store) -> None:
    _world(store)
    names = [u[0] for u in USERS] + [n for n, _ in LIAISON]
    for name in names:
        access = _access(store, name)
        if name in ALLOWED:
            details = get_protected_person(access, "PP-1", reason="safety planning")
            assert [i.identifier for i in details.identifiers] == [
                "+447700900111", "instagram:victim.one"], name
            assert details.condition == "restraining order"
            assert _audit(store, name) == [("read", "allowed", "PP-1")]
        elif reads_protected_persons(access.principal):
            # Another organisation's person: the answer an unknown one gets (404).
            with pytest.raises(NotFound) as hidden:
                get_protected_person(access, "PP-1")
            with pytest.raises(NotFound) as missing:
                get_protected_person(access, "PP-9")
            assert str(hidden.value).replace("PP-1", "X") == \
                str(missing.value).replace("PP-9", "X"), name
            assert _audit(store, name)[0] == ("read", "denied", "PP-1"), name
        else:
            with pytest.raises(AccessDenied):
                get_protected_person(access, "PP-1")
            assert _audit(store, name) == [("read", "denied", "PP-1")], name
    assert verify_chain(store).ok


def test_owning_team_reads_only_its_own(store: Store) -> None:
    _world(store)
    hei = _access(store, "hei_analyst")
    with pytest.raises(NotFound):
        get_protected_person(hei, "PP-2")  # owned by Leeds: as if unknown
    assert [p.person_ref for p in list_protected_persons(hei)] == ["PP-1"]
    lei = _access(store, "lei_analyst")
    assert [p.person_ref for p in list_protected_persons(lei)] == ["PP-2"]
    liaison = _access(store, "wmp_liaison")
    assert [p.person_ref for p in list_protected_persons(liaison)] == ["PP-3"]
    assert [p.person_ref for p in list_protected_persons(liaison, "a3333cc")] == ["PP-3"]
    assert get_protected_person(liaison, "PP-3").owner_org == "WMP"
    assert _audit(store, "wmp_liaison")[-1][:2] == ("read", "allowed")


def test_victim_liaison_reads_only_its_own_organisations(store: Store) -> None:
    """Victim liaison of one organisation, national included, reads, lists and searches
    (by prison number) only the persons its organisation owns."""
    _world(store)
    national = _access(store, "nat_liaison")
    assert list_protected_persons(national) == []
    assert list_protected_persons(national, "A3333CC") == []
    for ref in ("PP-1", "PP-2", "PP-3"):
        with pytest.raises(NotFound):
            get_protected_person(national, ref)
    police = _access(store, "wmp_liaison")
    for ref in ("PP-1", "PP-2"):
        with pytest.raises(NotFound):
            get_protected_person(police, ref)


@pytest.mark.parametrize("name", ["voda_liaison", "nat_admin", "wmp_investigator",
                                  "parole_cm"])
def test_list_outside_liaison_and_teams(store: Store, name: str) -> None:
    _world(store)
    access = _access(store, name)
    if name in ("voda_liaison", "nat_admin"):
        # Neither reads prisoner records: refused outright, and audited.
        with pytest.raises(AccessDenied):
            list_protected_persons(access)
        assert _audit(store, name) == [("list", "denied", None)]
    else:
        # A team that reads prisoners lists only what its organisation owns.
        own = ["PP-3"] if name == "wmp_investigator" else []
        assert [p.person_ref for p in list_protected_persons(access)] == own


def test_unknown_person_is_not_an_oracle(store: Store) -> None:
    _world(store)
    with pytest.raises(NotFound):
        get_protected_person(_access(store, "wm_analyst"), "PP-404")
    with pytest.raises(NotFound):
        get_protected_person(_access(store, "wm_analyst"), "PP-1")
    with pytest.raises(AccessDenied):
        get_protected_person(_access(store, "voda_liaison"), "PP-404")
    with pytest.raises(NotFound):
        get_protected_person(_access(store, "nat_liaison"), "PP-404")
    system = Access(store, SYSTEM)
    assert get_protected_person(system, "PP-2").identifiers == ()


def test_the_sql_scope_lists_exactly_what_the_rule_allows_one_by_one(store: Store) -> None:
    """``scopes.visible_protected_persons`` (lists, search) and ``policy.may_read_protected``
    (one person) are one rule: for every user, the list is the persons allowed one by one."""
    _world(store)
    with store.session() as s:
        owners = {p.person_ref: p.owner_org for p in s.scalars(select(ProtectedPerson))}
    for name in [u[0] for u in USERS] + [n for n, _ in LIAISON]:
        access = _access(store, name)
        if not reads_protected_persons(access.principal):
            continue
        allowed = sorted(ref for ref, org in owners.items()
                         if may_read_protected(access.principal, org))
        assert [p.person_ref for p in list_protected_persons(access)] == allowed, name
