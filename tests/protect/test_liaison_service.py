"""Victim liaison's own persons through the service layer: create, condition, identifiers,
reports of contact resolved through the identity graph, and the alerts about them; scoped
to the officer's organisation (another's answers as unknown), audited, refusals included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from protect_support import attribute
from sqlalchemy import select

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.attribution.models import IdentityLink
from cellwatch.errors import AccessDenied, Conflict, InvalidData, NotFound
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.protect.service import contacts, liaison
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.store.reference import Prisoner

IMEI, IMSI, SENDER = "352099001761481", "234150123456789", "+447700900222"


@pytest.fixture
def world(store: Store) -> Store:
    build_estate(store)
    admin = Access(store, SYSTEM)
    create_user(admin, "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    create_user(admin, "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    seen = datetime(2026, 10, 1, tzinfo=UTC)
    with store.session() as s:  # the sender's number -> SIM -> handset of A1111AA
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="IMEI", b=IMEI, source="detections",
                           first_seen=seen, last_seen=seen, count=5, status="ACTIVE"))
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="MSISDN", b=SENDER,
                           source="call_records", first_seen=seen, last_seen=seen, count=9,
                           status="ACTIVE"))
    attribute(store, [("IMEI", IMEI, "A1111AA", 0.93)])
    return store


def _as(store: Store, user: str, settings: Settings | None = None) -> Access:
    with store.session() as s:
        return Access(store, principal_for(s, user), settings)


def test_an_officer_creates_a_person_adds_identifiers_and_changes_the_condition(
        world: Store) -> None:
    access = _as(world, "wmp_victim")
    person = liaison.create_person(access, "a1111aa", "restraining order",
                                   valid_from=date(2026, 1, 1))
    assert person.owner_org == "WMP"
    assert person.condition == "RESTRAINING_ORDER"
    liaison.add_identifier(access, person.person_ref, "07700 900111")
    changed = liaison.add_identifier(access, person.person_ref, "@Victim.One", "instagram")
    assert [i.identifier for i in changed.identifiers] == ["+447700900111",
                                                           "instagram:victim.one"]
    with pytest.raises(Conflict):
        liaison.add_identifier(access, person.person_ref, "+44 7700 900111")
    with pytest.raises(InvalidData) as bad:
        liaison.add_identifier(access, person.person_ref, "352099001761481")
    assert "identifier" in bad.value.errors
    later = liaison.change_condition(access, person.person_ref, "NON_MOLESTATION_ORDER",
                                     date(2026, 2, 1), date(2027, 2, 1))
    assert (later.condition, later.valid_to) == ("NON_MOLESTATION_ORDER", date(2027, 2, 1))
    assert [p.person_ref for p in liaison.list_persons(access)] == [person.person_ref]
    with world.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.resource_type == "protected_person",
            AuditEntry.principal == "wmp_victim"))]
        # An identifier's value is never written to the audit log.
        details = " ".join(str(a.detail) for a in s.scalars(select(AuditEntry)))
    assert actions.count("create") == 1
    assert actions.count("update") == 3
    assert "900111" not in details


def test_bad_conditions_are_refused_by_field(world: Store) -> None:
    access = _as(world, "wmp_victim")
    with pytest.raises(InvalidData) as bad:
        liaison.create_person(access, "A1111AA", "curfew")
    assert "condition" in bad.value.errors
    with pytest.raises(InvalidData) as ends:
        liaison.create_person(access, "A1111AA", "OTHER", date(2026, 5, 1), date(2026, 4, 1))
    assert "valid_to" in ends.value.errors
    with pytest.raises(InvalidData) as malformed:
        liaison.create_person(access, "Z999ZZ", "OTHER")
    assert "prison_number" in malformed.value.errors


def test_an_unknown_prison_number_is_answered_as_a_known_one(world: Store) -> None:
    """The form is no oracle of who is in prison: a person is recorded against a well-formed
    number whether or not the store holds him, and the answers differ only in the number."""
    access = _as(world, "wmp_victim")
    known = liaison.create_person(access, "A1111AA", "OTHER", person_ref="PP-K")
    unknown = liaison.create_person(access, "z9999zz", "OTHER", person_ref="PP-U")
    assert unknown.prison_number == "Z9999ZZ"
    assert (known.condition, known.owner_org, known.identifiers) == \
        (unknown.condition, unknown.owner_org, unknown.identifiers)
    assert [p.person_ref for p in liaison.list_persons(access)] == ["PP-K", "PP-U"]
    with world.session() as s:
        outcomes = [(a.action, a.outcome) for a in s.scalars(select(AuditEntry).where(
            AuditEntry.resource_id.in_(["PP-K", "PP-U"])).order_by(AuditEntry.id))]
    assert outcomes == [("create", "allowed"), ("create", "allowed")]


def test_another_organisations_person_answers_as_an_unknown_one(world: Store) -> None:
    person = liaison.create_person(_as(world, "wmp_victim"), "A1111AA", "OTHER",
                                   person_ref="PP-WMP-1")
    other = _as(world, "nat_victim")
    for call in (lambda: liaison.get_person(other, person.person_ref),
                 lambda: liaison.add_identifier(other, person.person_ref, "07700900333"),
                 lambda: liaison.change_condition(other, person.person_ref, "OTHER"),
                 lambda: contacts.person_reports(other, person.person_ref),
                 lambda: contacts.record_report(other, person.person_ref, SENDER, "SMS")):
        with pytest.raises(NotFound) as hidden:
            call()
        with pytest.raises(NotFound) as missing:
            liaison.get_person(other, "PP-NONE")
        assert str(hidden.value).replace(person.person_ref, "X") == \
            str(missing.value).replace("PP-NONE", "X")
    assert liaison.list_persons(other) == []
    with world.session() as s:
        denied = list(s.scalars(select(AuditEntry).where(AuditEntry.principal == "nat_victim",
                                                         AuditEntry.outcome == "denied")))
    assert len(denied) >= 5


def test_roles_without_protected_persons_are_refused_before_a_look_up(world: Store) -> None:
    analyst = _as(world, "hei_analyst")
    with pytest.raises(AccessDenied):
        liaison.create_person(analyst, "A1111AA", "OTHER")
    with pytest.raises(AccessDenied):
        liaison.get_person(analyst, "PP-NONE")
    with pytest.raises(AccessDenied):
        contacts.person_alerts(_as(world, "parole_cm"))


def test_a_report_resolves_to_the_named_prisoner_and_raises_the_alert(
        world: Store, settings: Settings) -> None:
    access = _as(world, "wmp_victim", settings)
    person = liaison.create_person(access, "A1111AA", "RESTRAINING_ORDER",
                                   date(2026, 1, 1))
    liaison.add_identifier(access, person.person_ref, "07700 900111")
    report = contacts.record_report(
        access, person.person_ref, "07700 900222", "sms",
        occurred_ts=datetime(2026, 10, 5, 21, tzinfo=UTC), contacted="07700900111",
        content="you can't hide")
    assert report.contacted == "+447700900111"
    assert report.sender == SENDER
    assert report.resolution.status == "RESOLVED"
    assert report.resolution.prisoner == "A1111AA"
    assert report.resolution.confirmed
    assert report.resolution.path is not None
    assert IMEI in report.resolution.path
    alerts = contacts.person_alerts(access, person.person_ref)
    assert [a.rule for a in alerts] == ["PROTECTED_PERSON_CONTACTED"]
    assert alerts[0].summary is not None
    assert "A1111AA" in alerts[0].summary
    assert [r.id for r in contacts.person_reports(access, person.person_ref)] == [report.id]
    with pytest.raises(NotFound):
        contacts.get_report(_as(world, "nat_victim"), report.id)
    with pytest.raises(InvalidData) as wrong:
        contacts.record_report(access, person.person_ref, SENDER, "SMS",
                               contacted="07700900999")
    assert "contacted" in wrong.value.errors


def test_a_resolution_to_another_prisoner_is_left_out_not_shown(
        world: Store, settings: Settings) -> None:
    access = _as(world, "wmp_victim", settings)
    # The condition is against A3333CC; the graph confirms A1111AA behind the sender.
    person = liaison.create_person(access, "A3333CC", "RESTRAINING_ORDER")
    # Within the attribution's period: a report of today would find it over (the fixture's
    # run ends on 30 November), and must not be resolved through it.
    report = contacts.record_report(access, person.person_ref, SENDER, "CALL",
                                    occurred_ts=datetime(2026, 10, 5, 21, tzinfo=UTC))
    assert report.resolution.status == "RESOLVED"
    assert report.resolution.other
    assert report.resolution.prisoner is None
    assert report.resolution.path is None
    alerts = contacts.person_alerts(access)
    assert alerts
    assert all(a.summary is None for a in alerts)


def test_an_unknown_sender_stays_open(world: Store, settings: Settings) -> None:
    access = _as(world, "wmp_victim", settings)
    person = liaison.create_person(access, "A1111AA", "OTHER")
    report = contacts.record_report(access, person.person_ref, "07700 900555", "CALL")
    assert report.resolution.status == "OPEN"
    assert report.resolution.prisoner is None
    with world.session() as s:
        assert s.get(ProtectedPerson, person.person_ref) is not None
        assert s.scalars(select(ProtectedIdentifier)).all() == []


def test_a_person_named_against_a_prisoner_not_yet_held_works_once_he_is(
        world: Store, settings: Settings) -> None:
    """The number is joined to prisoners by value when read: no link to make later."""
    access = _as(world, "wmp_victim", settings)
    person = liaison.create_person(access, "A7777ZZ", "RESTRAINING_ORDER", date(2026, 1, 1))
    liaison.add_identifier(access, person.person_ref, "07700 900111")
    when = datetime(2026, 10, 5, 21, tzinfo=UTC)
    before = contacts.record_report(access, person.person_ref, SENDER, "sms",
                                    occurred_ts=when, contacted="07700900111")
    assert before.resolution.prisoner != "A7777ZZ"  # the graph reaches only A1111AA yet
    with world.session() as s:  # he is received, and his handset attributed to him
        s.add(Prisoner(prison_number="A7777ZZ", surname="Later", forenames="Received",
                       establishment="HEI"))
    attribute(world, [("IMEI", IMEI, "A7777ZZ", 0.93)])
    after = contacts.record_report(access, person.person_ref, SENDER, "sms",
                                   occurred_ts=when, contacted="07700900111")
    assert after.resolution.prisoner == "A7777ZZ"
    assert after.resolution.confirmed
    alerts = contacts.person_alerts(access, person.person_ref)
    assert any("A7777ZZ" in (a.summary or "") for a in alerts)


def test_persons_nobody_owns_are_handed_over_by_the_system_principal_only(
        world: Store) -> None:
    """A file loaded at the command line by ``system`` has no owner: nobody else reads its
    persons until they are handed to an organisation (what ``make demo`` does)."""
    with world.session() as s:
        s.add(ProtectedPerson(person_ref="PP-LOADED", prison_number="A1111AA",
                              condition="OTHER", owner_org=None))
    wmp = _as(world, "wmp_victim")
    assert liaison.list_persons(wmp) == []
    with pytest.raises(AccessDenied):
        liaison.hand_over_unowned(wmp, "WMP")
    assert liaison.hand_over_unowned(Access(world, SYSTEM), "WMP") == ["PP-LOADED"]
    assert [p.person_ref for p in liaison.list_persons(wmp)] == ["PP-LOADED"]
    assert liaison.hand_over_unowned(Access(world, SYSTEM), "NIU") == []
