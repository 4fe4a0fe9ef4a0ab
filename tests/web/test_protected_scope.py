"""One rule for who reads a protected person, on every door of the web: the search box
(``persons.list_protected_persons``) and the victim-liaison pages (``liaison``) show a
victim-liaison officer only the persons its organisation owns; another organisation's
person reads exactly as an unknown one.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_client import estate_with_liaisons, sign_in

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.settings import Settings
from cellwatch.store import Store

WMP_NUMBER, NIU_NUMBER = "+447700900456", "+447700900789"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """Two victim-liaison officers (national unit, West Midlands Police), one person each,
    both against A1111AA."""
    estate_with_liaisons(store)
    admin = Access(store, SYSTEM)
    create_user(admin, "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    create_user(admin, "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    with store.session() as s:
        for ref, org, number in (("PP-WMP", "WMP", WMP_NUMBER), ("PP-NIU", "NIU", NIU_NUMBER)):
            s.add(ProtectedPerson(person_ref=ref, prison_number="A1111AA",
                                  condition="RESTRAINING_ORDER", owner_org=org))
            s.flush()
            s.add(ProtectedIdentifier(person_ref=ref, identifier_type="MSISDN",
                                      identifier=number))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_search_shows_only_the_organisations_own_persons(client: TestClient) -> None:
    sign_in(client, "wmp_victim")
    page = client.get("/search", params={"q": "A1111AA"}).text
    assert "1 protected person found" in page
    assert "PP-WMP" in page
    assert WMP_NUMBER in page
    assert "PP-NIU" not in page
    assert NIU_NUMBER not in page
    sign_in(client, "nat_victim")  # a national unit reaches no further
    page = client.get("/search", params={"q": "A1111AA"}).text
    assert "PP-NIU" in page
    assert "PP-WMP" not in page
    assert WMP_NUMBER not in page


def test_another_organisations_person_page_is_an_unknown_ones(client: TestClient) -> None:
    sign_in(client, "wmp_victim")
    assert client.get("/protected-persons/PP-WMP").status_code == 200
    other = client.get("/protected-persons/PP-NIU")
    missing = client.get("/protected-persons/PP-NONE")
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.text.replace("PP-NIU", "X") == missing.text.replace("PP-NONE", "X")
    listed = client.get("/protected-persons").text
    assert "PP-WMP" in listed
    assert "PP-NIU" not in listed
