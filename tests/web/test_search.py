"""Issue 16, item 5: search across prisoners (accents, scripts, a forename alone, quoted
phrases), identifiers (an IMEI with a wrong check digit is told and the nearest valid
reading offered), cases and orders by reference; a query that cannot be read shows the
form again (422) with the message and what was found so far. Only what the user may see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import estate_with_liaisons, sign_in

from cellwatch.access.models import AuditEntry
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.cases.service import create_case
from cellwatch.settings import Settings
from cellwatch.store import Prisoner, Store
from cellwatch.tro.models import TroApplication

PEOPLE = (("B1001AA", "MÜLLER", "Zoë Anne", "HEI"), ("B1002AA", "WÓJCIK", "Łukasz", "HEI"),
          ("B1003AA", "ИВАНОВ", "Пётр", "HEI"), ("B1004AA", "VAN DER BERG", "Jan", "HEI"),
          ("B1005AA", "BERG", "Van Der", "HEI"), ("B1006AA", "MULLER", "Zoe", "LEI"))


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    with store.session() as s:
        s.add_all(Prisoner(prison_number=n, surname=sn, forenames=fn, establishment=e)
                  for n, sn, fn, e in PEOPLE)
    with store.session() as s:
        create_case(Access(store, principal_for(s, "hei_supervisor")), "OP-2026-017",
                    "Drone drops on B wing", establishment="HEI")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


@pytest.mark.parametrize(("query", "numbers"), [
    ("muller", {"B1001AA"}),            # HEI's analyst: Leeds' Muller is out of scope
    ("zoe", {"B1001AA"}), ("ZOË", {"B1001AA"}),
    ("lukasz wojcik", {"B1002AA"}),      # forename first, accents and stroke left off
    ("петр", {"B1003AA"}),               # Cyrillic, ё typed as е
    ('"van der berg"', {"B1004AA"}),     # the phrase, not Berg Van Der
    ("van der berg", {"B1004AA", "B1005AA"}),
    ("Anne", {"B1001AA"}),               # a second forename alone
])
def test_names_are_found_folded_within_scope(client: TestClient, query: str,
                                             numbers: set[str]) -> None:
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": query}, follow_redirects=False)
    if len(numbers) == 1:
        assert r.status_code == 303, r.text
        # The set is shared by both stores' runs of the case: read it, never pop it.
        assert r.headers["location"] == f"/prisoners/{next(iter(numbers))}"
    else:
        assert r.status_code == 200
        for number in numbers:
            assert f"/prisoners/{number}" in r.text
        assert f"{len(numbers)} people found" in r.text


def test_a_national_analyst_sees_both_mullers_and_the_search_is_audited(
        client: TestClient, store: Store) -> None:
    sign_in(client, "nat_analyst")
    r = client.get("/search", params={"q": "Müller"})
    assert r.status_code == 200
    assert "/prisoners/B1001AA" in r.text
    assert "/prisoners/B1006AA" in r.text
    with store.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.principal == "nat_analyst",
                                                   AuditEntry.action == "list")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.detail["returned"] == ["B1006AA", "B1001AA"]  # by folded name


def test_an_imei_with_a_wrong_check_digit_is_told_with_the_nearest_reading(
        client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": "35-209900-176148-2"})
    assert r.status_code == 422
    main = _main(r.text)
    assert "check digit (the 15th digit) should be 1, not 2" in main
    assert 'href="/identifiers/IMEI/352099001761481"' in main
    assert 'id="search-error"' in main
    assert 'value="35-209900-176148-2"' in main  # the form again, as typed


def test_nothing_to_search_for_shows_the_form_again(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": "%%% --"})
    assert r.status_code == 422
    assert "the search has no letters or digits" in r.text
    r = client.get("/search", params={"q": "a" * 201})
    assert r.status_code == 422
    assert "at most 200 characters" in r.text


def test_a_case_by_its_reference_for_those_who_may_open_it(client: TestClient) -> None:
    sign_in(client, "hei_supervisor")
    r = client.get("/search", params={"q": "OP-2026-017"}, follow_redirects=False)
    assert (r.status_code, r.headers.get("location")) == (303, "/cases/OP-2026-017")
    sign_in(client, "lei_analyst")  # another organisation's case: not found, not refused
    r = client.get("/search", params={"q": "OP-2026-017"})
    assert r.status_code == 200
    assert "Nothing you can see matches" in r.text
    assert "Drone drops" not in r.text


def test_victim_liaison_searching_a_name_gets_no_prisoners_and_no_error(
        client: TestClient, store: Store) -> None:
    from cellwatch.access.directory import create_user
    from cellwatch.access.fixtures import PASSWORD
    from cellwatch.access.principal import SYSTEM

    create_user(Access(store, SYSTEM), "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    sign_in(client, "nat_victim")
    r = client.get("/search", params={"q": "Müller"})
    assert r.status_code == 200
    assert "B1001AA" not in r.text


def test_an_intelligence_reference_shows_its_facts_not_its_text(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": "IR-P-HEI"}, follow_redirects=False)
    if r.status_code == 303:  # the one hit opens its page
        assert r.headers["location"] == "/intelligence/IR-P-HEI"
    else:
        assert r.status_code == 200
        assert "Intelligence report <span class=\"cw-mono\">IR-P-HEI</span>: HEI" in r.text
        assert 'href="/intelligence/IR-P-HEI"' in r.text
    sign_in(client, "lei_analyst")  # Hewell's report, Leeds' analyst: not offered
    r = client.get("/search", params={"q": "IR-P-HEI"})
    assert "IR-P-HEI</span>" not in r.text


def test_an_order_by_its_reference_within_the_establishments(
        client: TestClient, store: Store) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with store.session() as s:
        s.add(TroApplication(ref="TRO-HEI-042", establishment="HEI", state="DRAFT",
                             created_by="hei_analyst", created_at=now, updated_at=now))
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": "TRO-HEI-042"}, follow_redirects=False)
    assert (r.status_code, r.headers.get("location")) == (303, "/orders/TRO-HEI-042")
    sign_in(client, "lei_analyst")  # Hewell's order from Leeds: nothing found
    r = client.get("/search", params={"q": "TRO-HEI-042"}, follow_redirects=False)
    assert r.status_code == 200
    assert "/orders/TRO-HEI-042" not in r.text
