"""The operator's page: the served lines of the user's network with a form per pending line
(CSRF-checked), the link in the navigation for operators' liaison users only, and nothing
for anyone else.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store
from operator_support import (
    EE_IMSI,
    EE_UNSERVED,
    PRISONER,
    SERVED_REF,
    SURNAME,
    VODA_IMSI,
    Served,
    serve_orders,
)

NAV_LINK = 'href="/operator"'


@pytest.fixture
def served(store: Store) -> Served:
    """The fixture estate with orders served on EE and Vodafone."""
    build_estate(store)
    return serve_orders(store)


@pytest.fixture
def client(settings: Settings, store: Store, served: Served) -> Iterator[TestClient]:
    """The whole app over that estate."""
    with TestClient(create_app(settings, store=store)) as test_client:
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def test_an_operator_sees_and_answers_its_lines(client: TestClient, served: Served) -> None:
    sign_in(client, "ee_liaison")
    page = client.get("/operator")
    assert page.status_code == 200
    assert NAV_LINK in page.text
    assert EE_IMSI in page.text
    assert f'action="/operator/lines/{served.ee}"' in page.text
    for unseen in (VODA_IMSI, EE_UNSERVED, PRISONER, SURNAME, "Worcester"):
        assert unseen not in page.text
    # Nothing chosen: the lines again (422) with the error at the line and its text kept.
    empty = client.post(f"/operator/lines/{served.ee}", data={
        "csrf_token": _csrf(page.text), "operator_ref": "EE-<5>", "note": "closed"})
    assert empty.status_code == 422
    assert "Choose what was done with the line" in empty.text
    assert f'aria-describedby="outcome-{served.ee}-error"' in empty.text
    assert 'value="EE-&lt;5&gt;"' in empty.text
    assert ">closed</textarea>" in empty.text
    assert "To action (1)" in empty.text
    # An answer the line cannot take (the service's 422) is said at the line the same way.
    odd = client.post(f"/operator/lines/{served.ee}", data={
        "csrf_token": _csrf(page.text), "outcome": "EXPLODED", "note": "kept"})
    assert odd.status_code == 422
    assert f'id="outcome-{served.ee}-error"' in odd.text
    assert ">kept</textarea>" in odd.text
    # Without the form's token nothing is recorded.
    refused = client.post(f"/operator/lines/{served.ee}", data={"outcome": "DONE"})
    assert refused.status_code == 422
    answer = client.post(f"/operator/lines/{served.ee}", follow_redirects=False, data={
        "csrf_token": _csrf(page.text), "outcome": "DONE", "operator_ref": "EE-5",
        "note": "disconnected"})
    assert answer.status_code == 303, answer.text
    after = client.get(answer.headers["location"])
    assert f"{SERVED_REF} line 1: DONE" in after.text  # the success banner
    assert "Nothing to action." in after.text
    assert "EE-5" in after.text  # in the answered table, with the operator's reference


def test_another_network_cannot_answer_the_line(client: TestClient, served: Served) -> None:
    sign_in(client, "voda_liaison")
    page = client.get("/operator")
    assert VODA_IMSI in page.text
    assert EE_IMSI not in page.text
    r = client.post(f"/operator/lines/{served.ee}",
                    data={"csrf_token": _csrf(page.text), "outcome": "DONE"})
    assert r.status_code == 404
    assert "Page not found" in r.text


@pytest.mark.parametrize("user", ["hei_analyst", "nat_admin"])
def test_the_prison_service_has_no_link_and_no_page(client: TestClient, user: str) -> None:
    sign_in(client, user)
    assert NAV_LINK not in client.get("/").text
    page = client.get("/operator")
    assert page.status_code == 403
    assert EE_IMSI not in page.text


def test_an_operators_home_is_its_lines_and_its_menu_has_nothing_else(
        client: TestClient) -> None:
    # An operator sees no prison: the overview, queues and ingest would be empty or refused.
    sign_in(client, "ee_liaison")
    home = client.get("/")
    assert home.url.path == "/operator"
    assert NAV_LINK in home.text
    for other in ('href="/queues/alerts"', 'href="/ingest"', ">Overview<"):
        assert other not in home.text
    # "Your work" is the same page for an operator: its lines, not cases it never opens.
    work = client.get("/work")
    assert work.url.path == "/operator"
    assert "Open cases" not in work.text
