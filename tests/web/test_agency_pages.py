"""The agencies' pages of issue 16 without a browser (FastAPI's TestClient signs in through
the real form): victim liaison's protected persons and reports of contact, a force's
referral page with its outcome, the Parole Board's request for an update answered from the
prison's /work page, and cases. Refused or incomplete forms come back with their values;
what a user may not see answers as unknown (404), as the API does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink
from cellwatch.settings import Settings
from cellwatch.store import Store

IMEI, IMSI, SENDER = "352099001761481", "234150123456789", "+447700900222"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    build_estate(store)
    admin = Access(store, SYSTEM)
    create_user(admin, "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    create_user(admin, "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    seen = datetime(2026, 10, 1, tzinfo=UTC)
    with store.session() as s:
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="IMEI", b=IMEI, source="detections",
                           first_seen=seen, last_seen=seen, count=5, status="ACTIVE"))
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="MSISDN", b=SENDER,
                           source="call_records", first_seen=seen, last_seen=seen, count=9,
                           status="ACTIVE"))
        run = AttributionRun(engine="test", run_by="test", params={}, status="DONE")
        s.add(run)
        s.flush()
        s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=IMEI,
                          prison_number="A1111AA", probability=0.93, rank=1,
                          valid_from=datetime(2026, 9, 1).date(),
                          valid_to=datetime(2026, 11, 30).date(), status="PROPOSED"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _post(client: TestClient, page: str, action: str, **fields: str) -> httpx.Response:
    csrf = _csrf(client.get(page).text)
    return client.post(action, follow_redirects=False, data={"csrf_token": csrf, **fields})


def test_victim_liaison_records_a_person_and_a_report_that_resolves(
        client: TestClient) -> None:
    sign_in(client, "wmp_victim")
    work = client.get("/work").text
    assert 'href="/protected-persons"' in work
    empty = _post(client, "/protected-persons", "/protected-persons", prison_number="",
                  condition="")
    assert empty.status_code == 422
    assert 'href="#prison_number"' in empty.text
    made = _post(client, "/protected-persons", "/protected-persons",
                 prison_number="a1111aa", condition="RESTRAINING_ORDER",
                 valid_from="2026-01-01", person_ref="PP-WALKER")
    assert made.status_code == 303, made.text
    page = client.get(made.headers["location"]).text
    assert "Protected person PP-WALKER recorded" in page
    added = _post(client, "/protected-persons/PP-WALKER",
                  "/protected-persons/PP-WALKER/identifiers", identifier="07700 900111")
    assert added.status_code == 303
    bad = _post(client, "/protected-persons/PP-WALKER",
                "/protected-persons/PP-WALKER/identifiers", identifier="hello there")
    assert bad.status_code == 422
    assert 'value="hello there"' in bad.text
    reported = _post(client, "/protected-persons/PP-WALKER",
                     "/protected-persons/PP-WALKER/reports", sender="07700 900222",
                     channel="SMS", contacted="+447700900111",
                     occurred_ts="2026-10-05 21:00")
    assert reported.status_code == 303, reported.text
    report = client.get(reported.headers["location"]).text
    assert "Put down to <strong>A1111AA</strong>" in report
    assert IMEI in report
    assert "PROTECTED_PERSON_CONTACTED" not in report  # the rule said in words, not code
    assert "A1111AA (p=" in report  # the alert's text, put down to the condition's prisoner
    assert 'id="work-person-alerts"' in client.get("/work").text

    sign_in(client, "nat_victim")  # another organisation's officer: as unknown pages
    assert client.get("/protected-persons/PP-WALKER").status_code == 404
    assert client.get("/protected-persons/PP-NONE").status_code == 404
    report_id = reported.headers["location"].rsplit("/", 1)[1]
    assert client.get(f"/contact-reports/{report_id}").status_code == 404
    sign_in(client, "hei_analyst")  # no victim-liaison role: no tab, and a refusal
    assert 'href="/protected-persons"' not in client.get("/work").text
    assert client.get("/protected-persons").status_code == 403


def test_the_force_acknowledges_and_records_an_outcome_on_the_referral_page(
        client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    sent = _post(client, "/work", "/referrals", to_org="WMP", prison_number="A1111AA",
                 summary="threats to a witness by phone")
    assert sent.status_code == 303
    sign_in(client, "wmp_investigator")
    work = client.get("/work").text
    found = re.search(r'href="/referrals/(\d+)"', work)
    assert found is not None
    rid = found[1]
    page = client.get(f"/referrals/{rid}").text
    assert "Acknowledge the referral to record an outcome" in page
    assert _post(client, f"/referrals/{rid}", f"/referrals/{rid}/receipt").status_code == 303
    assert f"Referral {rid}" in client.get("/work").text  # acknowledged, awaiting outcome
    none = _post(client, f"/referrals/{rid}", f"/referrals/{rid}/outcome", outcome="",
                 note="kept")
    assert none.status_code == 422
    assert "kept" in none.text
    future = _post(client, f"/referrals/{rid}", f"/referrals/{rid}/outcome",
                   outcome="CHARGED", outcome_date="2999-01-01")
    assert future.status_code == 422
    done = _post(client, f"/referrals/{rid}", f"/referrals/{rid}/outcome",
                 outcome="CHARGED", note="charged with harassment")
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "Outcome of referral" in shown
    assert "charged with harassment" in shown
    sign_in(client, "hei_analyst")  # the sender reads the outcome, not who recorded it
    sender = client.get(f"/referrals/{rid}").text
    assert "Charged" in sender
    assert "wmp_investigator" not in sender
    assert 'id="record-outcome"' not in sender
    sign_in(client, "lei_analyst")
    assert client.get(f"/referrals/{rid}").status_code == 404


def test_the_parole_board_requests_an_update_the_prison_marks_it_done(
        client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    assert _post(client, "/work", "/referrals", to_org="PAROLE", prison_number="A1111AA",
                 summary="parole review due").status_code == 303
    sign_in(client, "parole_cm")
    assert 'href="/reviews/A1111AA/update"' in client.get("/work").text
    blank = _post(client, "/reviews/A1111AA/update", "/reviews/A1111AA/update", note=" ")
    assert blank.status_code == 422
    asked = _post(client, "/reviews/A1111AA/update", "/reviews/A1111AA/update",
                  note="Any finds since the cut-off?")
    assert asked.status_code == 303
    assert "requested from HEI-SIT" in client.get(asked.headers["location"]).text
    never = _post(client, "/reviews/A1111AA/update", "/reviews/A3333CC/update", note="news?")
    assert never.status_code == 404
    sign_in(client, "hei_analyst")
    work = client.get("/work").text
    assert "Any finds since the cut-off?" in work
    found = re.search(r'action="/update-requests/(\d+)/done"', work)
    assert found is not None
    done = _post(client, "/work", f"/update-requests/{found[1]}/done", answer="two finds")
    assert done.status_code == 303
    assert "Any finds since the cut-off?" not in client.get("/work").text
    sign_in(client, "parole_cm")
    assert "two finds" in client.get("/reviews/A1111AA/update").text


def test_cases_open_add_subjects_and_share(client: TestClient) -> None:
    sign_in(client, "wmp_investigator")
    made = _post(client, "/cases", "/cases", ref="OP-WREN", title="Operation Wren",
                 kind="OPERATION")
    assert made.status_code == 303, made.text
    hidden = _post(client, "/cases/OP-WREN", "/cases/OP-WREN/subjects", subjects="A1111AA")
    assert hidden.status_code == 404  # a prisoner the force may not see: as unknown
    assert "prisoner A1111AA not found" in hidden.text
    shared = _post(client, "/cases/OP-WREN", "/cases/OP-WREN/shares", org="HEI-SIT",
                   level="CONTRIBUTE")
    assert shared.status_code == 303
    sign_in(client, "hei_analyst")
    assert 'href="/cases/OP-WREN"' in client.get("/cases").text
    added = _post(client, "/cases/OP-WREN", "/cases/OP-WREN/subjects", subjects="A1111AA")
    assert added.status_code == 303
    assert 'href="/prisoners/A1111AA"' in client.get("/cases/OP-WREN").text
    sign_in(client, "lei_analyst")
    assert client.get("/cases/OP-WREN").status_code == 404
    sign_in(client, "hei_analyst")  # a CONTRIBUTE share does not close it
    assert client.post("/cases/OP-WREN/close", follow_redirects=False, data={
        "csrf_token": _csrf(client.get("/cases/OP-WREN").text)}).status_code == 403
    sign_in(client, "wmp_investigator")
    closed = _post(client, "/cases/OP-WREN", "/cases/OP-WREN/close")
    assert closed.status_code == 303
    assert "Case OP-WREN closed" in client.get(closed.headers["location"]).text
    again = client.post("/cases/OP-WREN/close", follow_redirects=False, data={
        "csrf_token": _csrf(client.get("/cases/OP-WREN").text)})
    assert again.status_code == 409
    assert "already CLOSED" in again.text
