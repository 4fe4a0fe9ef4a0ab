"""The search box for a role that may not read prisoners (victim liaison, an operator's
liaison): a page that leaves prisoners out and says nothing of them, still searching
what the role may see (identifiers; for victim liaison the protected persons named
against a prison number), never a 403 "may not read prisoner".

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

VICTIM_NUMBER = "+447700900456"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The fixture estate, a victim liaison officer, and one protected person of Smith's."""
    estate_with_liaisons(store)
    create_user(Access(store, SYSTEM), "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    with store.session() as s:
        s.add(ProtectedPerson(person_ref="PP-0001", prison_number="A1111AA",
                              condition="NO_CONTACT", owner_org="NIU"))
        s.flush()
        s.add(ProtectedIdentifier(person_ref="PP-0001", identifier_type="MSISDN",
                                  identifier=VICTIM_NUMBER))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _says_nothing_of_prisoners(page: str, asked: str = "") -> None:
    # The page's own content (the header's search box is every page's, hint included),
    # but for the words asked, which it echoes.
    page = page[page.index("<main"):page.index("</main>")].replace(asked, "")
    for word in ("prisoner", "Prisoner", "prison number", "Smith", "may not read",
                 "A1111AA", "A3333CC", "Hewell", "HEI"):
        assert word not in page, word


@pytest.mark.parametrize("user", ["nat_victim", "nat_liaison"])
def test_a_name_search_without_prisoner_read_is_a_page_without_prisoners(
        client: TestClient, user: str) -> None:
    sign_in(client, user)
    for name in ("Smith", "Walker", "Test Smith"):
        r = client.get("/search", params={"q": name})
        assert r.status_code == 200
        assert f"Nothing you can see matches “{name}”" in r.text
        _says_nothing_of_prisoners(r.text, name)
    # A prison number, known or not, gets the same page: nothing about who is held.
    known = client.get("/search", params={"q": "A3333CC"})
    unknown = client.get("/search", params={"q": "Z9999ZZ"})
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.text.replace("A3333CC", "<n>") == unknown.text.replace("Z9999ZZ", "<n>")
    # An identifier still goes to its page.
    found = client.get("/search", params={"q": "353456789012348"}, follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == "/identifiers/IMEI/353456789012348"


def test_victim_liaison_finds_the_protected_persons_of_a_prison_number(
        client: TestClient) -> None:
    sign_in(client, "nat_victim")
    page = client.get("/search", params={"q": "a1111aa"}).text
    assert "1 protected person found" in page
    for shown in ("PP-0001", "NO_CONTACT", VICTIM_NUMBER):
        assert shown in page
    assert "Smith" not in page
    # An operator's liaison reads no protected persons: nothing is shown for the number.
    sign_in(client, "nat_liaison")
    page = client.get("/search", params={"q": "A1111AA"}).text
    assert "PP-0001" not in page
    _says_nothing_of_prisoners(page, "A1111AA")


def test_a_role_with_prisoner_read_still_finds_prisoners_by_name(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    r = client.get("/search", params={"q": "Smith"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/prisoners/A1111AA"
