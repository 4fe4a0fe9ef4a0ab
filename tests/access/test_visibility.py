"""Users of every kind see exactly what they should: lists match one-by-one decisions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from cellwatch.access.models import AuditEntry
from cellwatch.access.service import Access
from cellwatch.errors import AccessDenied, NotFound
from cellwatch.estate import service as people
from cellwatch.intelligence import service as intel
from cellwatch.store import Store

ALL_PRISONERS = ["A1111AA", "A2222BB", "A3333CC", "A4444DD"]
PRISONERS = {
    "nat_analyst": ALL_PRISONERS,
    "wm_analyst": ["A1111AA", "A2222BB"],
    "hei_analyst": ["A1111AA"],
    "hei_supervisor": ["A1111AA"],
    "lei_analyst": ["A3333CC"],
    "wmp_investigator": [],
    "parole_cm": [],
    "nat_admin": None,  # None: the role does not read prisoners at all
    "lei_admin": None,
    "voda_liaison": None,
}
INTELLIGENCE = {
    "nat_analyst": ["IR-C-NIU", "IR-P-HEI", "IR-P-LEI"],
    "wm_analyst": ["IR-P-HEI"],
    "hei_analyst": ["IR-P-HEI"],
    "hei_supervisor": ["IR-P-HEI"],
    "lei_analyst": ["IR-P-LEI"],
    "wmp_investigator": ["IR-C-WMP"],
    "parole_cm": ["IR-C-NIU"],
    "nat_admin": None,
    "lei_admin": None,
    "voda_liaison": None,
}
REPORTS = ["IR-C-NIU", "IR-C-WMP", "IR-P-HEI", "IR-P-LEI"]


def _denials(store: Store, username: str) -> int:
    with store.session() as s:
        return len(list(s.scalars(select(AuditEntry).where(
            AuditEntry.principal == username, AuditEntry.outcome == "denied"))))


@pytest.mark.parametrize(("username", "expected"), PRISONERS.items())
def test_prisoner_list_and_records(as_user: Callable[[str], Access], estate: Store,
                                   username: str, expected: list[str] | None) -> None:
    access = as_user(username)
    if expected is None:
        with pytest.raises(AccessDenied):
            people.list_prisoners(access)
        assert _denials(estate, username) == 1
        return
    assert [p.prison_number for p in people.list_prisoners(access)] == expected
    for number in ALL_PRISONERS:
        before = _denials(estate, username)
        if number in expected:
            assert people.get_prisoner(access, number, reason="op BADGER").prison_number == number
        else:
            # Out of scope answers exactly as an unknown prisoner (issue 17, hole 4).
            with pytest.raises(NotFound, match=f"^prisoner {number} not found$"):
                people.get_prisoner(access, number, reason="op BADGER")
            assert _denials(estate, username) == before + 1  # every denial is audited


@pytest.mark.parametrize(("username", "expected"), INTELLIGENCE.items())
def test_intelligence_list_and_items(as_user: Callable[[str], Access], username: str,
                                     expected: list[str] | None) -> None:
    access = as_user(username)
    if expected is None:
        with pytest.raises(AccessDenied):
            intel.list_intelligence(access)
        return
    assert sorted(r.report_ref for r in intel.list_intelligence(access)) == expected
    for ref in REPORTS:
        if ref in expected:
            assert intel.get_intelligence(access, ref, reason="briefing").report_ref == ref
        else:
            with pytest.raises(NotFound, match=f"^intelligence report {ref} not found$"):
                intel.get_intelligence(access, ref, reason="briefing")


def test_c_code_never_reaches_unnamed_orgs_through_any_filter(
        as_user: Callable[[str], Access]) -> None:
    for username in ("nat_analyst", "wm_analyst", "hei_analyst", "hei_supervisor"):
        access = as_user(username)
        for f in (intel.IntelligenceFilter(), intel.IntelligenceFilter(handling_code="C"),
                  intel.IntelligenceFilter(establishment="HEI"),
                  intel.IntelligenceFilter(subject="A1111AA")):
            assert "IR-C-WMP" not in [r.report_ref for r in intel.list_intelligence(access,
                                                                                   filters=f)]


def test_reason_required_outside_own_organisation(as_user: Callable[[str], Access],
                                                  estate: Store) -> None:
    regional = as_user("wm_analyst")
    with pytest.raises(AccessDenied, match="reason"):
        people.get_prisoner(regional, "A1111AA")
    with pytest.raises(AccessDenied, match="reason"):
        people.get_prisoner(regional, "A1111AA", reason="   ")
    assert people.get_prisoner(regional, "A1111AA", reason="op BADGER").surname == "Smith"
    # Inside one's own establishment no reason is needed.
    assert people.get_prisoner(as_user("hei_analyst"), "A1111AA").surname == "Smith"
    with estate.session() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.outcome == "allowed",
            AuditEntry.principal == "wm_analyst")).one()
    assert (entry.reason, entry.outcome, entry.resource_id) == ("op BADGER", "allowed",
                                                                 "A1111AA")


def test_unknown_prisoner_is_not_found(as_user: Callable[[str], Access]) -> None:
    with pytest.raises(NotFound):
        people.get_prisoner(as_user("nat_analyst"), "Z9999ZZ", reason="x")


def test_sql_metacharacters_in_filters_match_nothing(as_user: Callable[[str], Access]) -> None:
    access = as_user("nat_analyst")
    for evil in ("' OR '1'='1", "%", "_", "\\", "A1111AA'; DROP TABLE prisoners; --", "O'"):
        rows = people.list_prisoners(access, filters=people.PrisonerFilter(
            surname=evil, establishment=evil, prison_number=None))
        assert rows == []
    # An apostrophe is text like any other.
    rows = people.list_prisoners(access, filters=people.PrisonerFilter(surname="O'B"))
    assert [p.prison_number for p in rows] == ["A3333CC"]


def test_intelligence_read_outside_owner_is_disseminated(as_user: Callable[[str], Access],
                                                         estate: Store) -> None:
    from cellwatch.access.models import Dissemination

    intel.get_intelligence(as_user("wmp_investigator"), "IR-C-WMP", reason="op BADGER")
    intel.get_intelligence(as_user("hei_analyst"), "IR-P-HEI")  # its own: not outward
    with estate.session() as s:
        rows = list(s.scalars(select(Dissemination)))
    assert [(r.to_org, r.principal, r.channel) for r in rows] == [
        ("WMP", "wmp_investigator", "API")]
