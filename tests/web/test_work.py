"""Each role's landing page (/work): a prison analyst refers a prisoner to the Parole
Board, whose case manager finds him on their page and opens his summary; what a role may
not use is left out, not shown as an error; a refused referral keeps its form.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from web_client import estate_with_liaisons, sign_in

from audit_support import two_alerts
from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.cases.service import create_case, share_case
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.models import TroApplication


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    two_alerts(store)
    create_user(Access(store, SYSTEM), "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    with store.session() as s:  # an order waiting for Hewell's next step
        s.add(TroApplication(ref="TRO-HEI-7", establishment="HEI", state="DRAFT",
                             created_by="system"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _refer(client: TestClient, **fields: str) -> httpx.Response:
    csrf = _csrf(client.get("/work").text)
    return client.post("/referrals", follow_redirects=False, data={"csrf_token": csrf,
                                                                   **fields})


def test_the_parole_board_opens_the_summary_of_a_prisoner_referred_to_it(
        client: TestClient) -> None:
    sign_in(client, "parole_cm")
    assert client.get("/", follow_redirects=False).headers["location"] == "/work"
    page = client.get("/work").text
    assert "Prisoners referred to you for a review" in page
    assert "Nothing referred to you is waiting" in page
    assert client.get("/reviews/A1111AA").status_code == 404  # not referred: not seen

    sign_in(client, "hei_analyst")
    answer = _refer(client, to_org="PAROLE", prison_number="a1111aa",
                    summary="parole review due in March")
    assert answer.status_code == 303, answer.text
    assert "Referral" in client.get(answer.headers["location"]).text

    sign_in(client, "parole_cm")
    page = client.get("/work").text
    assert 'href="/reviews/A1111AA"' in page
    assert "parole review due in March" in page
    opened = client.get("/reviews/A1111AA")
    # Outside the Board's own organisation: a reason first, then the summary.
    assert opened.status_code == 200
    assert 'action="/reason"' in opened.text
    csrf = _csrf(opened.text)
    reason = client.post("/reason", follow_redirects=False, data={
        "csrf_token": csrf, "key": "PRISONER:A1111AA", "next": "/reviews/A1111AA",
        "reason": "parole review hearing"})
    assert reason.status_code == 303
    summary = client.get(reason.headers["location"])
    assert summary.status_code == 200
    assert "A1111AA" in summary.text
    assert "attachment" not in summary.headers.get(
        "content-disposition", "")


@pytest.mark.parametrize(("user", "shown", "left_out"), [
    ("hei_analyst", ["Referrals received", "Open alerts", "Disconnection orders waiting",
                     "Refer a prisoner"], ["Protected persons"]),
    ("parole_cm", ["Prisoners referred to you"], ["Open alerts", "Disconnection orders",
                                                  "Refer a prisoner"]),
    ("wmp_investigator", ["Referrals received"], ["Open alerts", "Disconnection orders"]),
    ("nat_admin", ["Open alerts"], ["Referrals received", "Disconnection orders",
                                    "Refer a prisoner"]),
    ("nat_analyst", ["Open alerts", "Referrals received", "Disconnection orders"], []),
    ("nat_liaison", ["Open alerts"], ["Referrals received", "Protected persons"]),
    ("nat_victim", ["Protected persons you look after"], ["Referrals received",
                                                          "Refer a prisoner"]),
])
def test_each_role_s_page_shows_only_what_it_may_use(
        client: TestClient, user: str, shown: list[str], left_out: list[str]) -> None:
    sign_in(client, user)
    page = client.get("/work")
    assert page.status_code == 200
    for text in shown:
        assert text in page.text, (user, text)
    for text in left_out:
        assert text not in page.text, (user, text)
    assert ('href="/orders/TRO-HEI-7"' in page.text) == (user in ("hei_analyst",
                                                                  "nat_analyst"))


def test_a_refused_referral_shows_the_form_again(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    answer = _refer(client, to_org="PAROLE", prison_number="A3333CC",
                    summary="not one of ours")  # a Leeds prisoner: not Hewell's to refer
    assert answer.status_code in (404, 422)
    text = answer.text
    assert "govuk-error-summary" in text
    assert 'value="A3333CC"' in text
    assert "not one of ours</textarea>" in text
    empty = _refer(client, to_org="", prison_number="", summary="")
    assert empty.status_code == 422
    assert "Choose whom to refer to" in empty.text


def test_a_case_shared_with_the_police_is_on_their_page_and_no_one_else_s(
        client: TestClient, store: Store) -> None:
    with store.session() as s:
        hei = principal_for(s, "hei_supervisor")
    access = Access(store, hei)
    create_case(access, "OP-LANTERN", "Phones on A wing", subjects=["A1111AA"])
    share_case(access, "OP-LANTERN", "WMP")
    for user, shown in (("wmp_investigator", True), ("hei_analyst", True),
                        ("lei_analyst", False)):
        sign_in(client, user)
        page = client.get("/work").text
        assert ("OP-LANTERN" in page) is shown, user
    sign_in(client, "wmp_investigator")
    assert "(shared by HEI-SIT)" in client.get("/work").text
