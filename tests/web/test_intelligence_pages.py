"""Intelligence in the web without a browser (issue 16, police): the reports a user may read,
one report (a reason asked outside the organisation), submitting one graded 3x5x2, and the
identifiers of a case's prisoners. A C-coded report reaches only the organisations its
conditions name; a prisoner one may not see answers as unknown; a refused form comes back
with its values (422).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry, IntelligenceReport
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.settings import Settings
from cellwatch.store import Store

IMEI = "352099001761481"
GRADED = {"text": "Phone hidden in the laundry", "source_evaluation": "2",
          "intelligence_assessment": "B", "handling_code": "P"}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    build_estate(store)
    with store.session() as s:
        run = AttributionRun(engine="test", run_by="test", params={}, status="DONE")
        s.add(run)
        s.flush()
        s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier=IMEI,
                          prison_number="A1111AA", probability=0.93, rank=1,
                          valid_from=date(2026, 9, 1), valid_to=date(2026, 11, 30),
                          status="PROPOSED"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _submit(client: TestClient, **fields: str) -> httpx.Response:
    csrf = _csrf(client.get("/intelligence/new").text)
    return client.post("/intelligence", follow_redirects=False,
                       data={"csrf_token": csrf, **fields})


def _refs(page: str) -> set[str]:
    return set(re.findall(r'href="/intelligence/(IR-[^"]+)"', page))


def test_police_read_only_what_is_released_to_them(client: TestClient) -> None:
    sign_in(client, "wmp_investigator")
    assert _refs(client.get("/intelligence").text) == {"IR-C-WMP"}
    hidden, unknown = client.get("/intelligence/IR-C-NIU"), client.get("/intelligence/IR-NONE")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text.replace("IR-C-NIU", "X") == unknown.text.replace("IR-NONE", "X")
    asked = client.get("/intelligence/IR-C-WMP")
    assert asked.status_code == 200
    assert "Why are you opening" in asked.text
    assert "text IR-C-WMP" not in asked.text
    given = client.post("/reason", follow_redirects=False, data={
        "csrf_token": _csrf(asked.text), "key": "INTELLIGENCE:IR-C-WMP",
        "next": "/intelligence/IR-C-WMP", "reason": "Operation Wren, phone in cell"})
    assert given.status_code == 303
    opened = client.get("/intelligence/IR-C-WMP")
    assert "text IR-C-WMP" in opened.text
    assert "Disseminate to WMP only" in opened.text


def test_a_c_coded_report_is_hidden_from_police_it_does_not_name(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    made = _submit(client, **{**GRADED, "handling_code": "C",
                              "handling_conditions": "HEI-SIT and NIU only"},
                   subjects="A1111AA", establishment="HEI")
    assert made.status_code == 303, made.text
    ref = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    with store.session() as s:
        stored = s.scalars(select(IntelligenceReport)
                           .where(IntelligenceReport.report_ref == ref)).one()
        assert (stored.owner_org, stored.handling_code) == ("HEI-SIT", "C")
    sign_in(client, "wmp_investigator")
    assert ref not in _refs(client.get("/intelligence").text)
    assert client.get(f"/intelligence/{ref}").status_code == 404
    sign_in(client, "nat_analyst")  # named in the conditions
    assert ref in _refs(client.get("/intelligence").text)


def test_a_report_submitted_is_graded_and_linked(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    made = _submit(client, **GRADED, subjects="a1111aa", identifiers=IMEI,
                   establishment="hei")
    assert made.status_code == 303, made.text
    page = client.get(made.headers["location"])
    assert "recorded (2BP)" in page.text
    assert 'href="/prisoners/A1111AA"' in page.text
    assert f'href="/identifiers/imei/{IMEI}"' in page.text
    assert "Phone hidden in the laundry" in page.text
    with store.session() as s:
        actions = set(s.scalars(select(AuditEntry.action)
                                .where(AuditEntry.principal == "hei_analyst")))
    assert "create" in actions
    sign_in(client, "lei_analyst")  # P-coded about Hewell: not Leeds's
    ref = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert client.get(f"/intelligence/{ref}").status_code == 404


def test_grading_is_checked_and_the_form_comes_back(client: TestClient,
                                                    store: Store) -> None:
    sign_in(client, "wmp_investigator")
    bad = _submit(client, text="Seen passing a phone", source_evaluation="4",
                  handling_code="C", identifiers="12345")
    assert bad.status_code == 422
    for message in ("Source evaluation: one of 1, 2, 3", "Intelligence assessment: one of A",
                    "Handling conditions: required when the handling code is C",
                    "Identifiers:"):
        assert message in bad.text, message
    assert "Seen passing a phone" in bad.text  # the values kept
    assert 'value="C" checked' in bad.text
    with store.session() as s:
        assert s.scalar(select(IntelligenceReport).where(
            IntelligenceReport.owner_org == "WMP")) is None


def test_a_prisoner_out_of_scope_answers_as_unknown(client: TestClient) -> None:
    sign_in(client, "lei_analyst")
    hidden = _submit(client, **GRADED, subjects="A1111AA")
    unknown = _submit(client, **GRADED, subjects="Z9999ZZ")
    assert hidden.status_code == unknown.status_code == 422
    assert "Prisoners: unknown prisoner A1111AA" in hidden.text
    assert "Prisoners: unknown prisoner Z9999ZZ" in unknown.text
    assert (re.sub(r'value="[^"]{20,}"', "", hidden.text).replace("A1111AA", "X")
            == re.sub(r'value="[^"]{20,}"', "", unknown.text).replace("Z9999ZZ", "X"))
    outside = _submit(client, **GRADED, establishment="HEI")
    assert outside.status_code == 422
    assert "HEI is outside your establishments" in outside.text


def test_the_form_needs_its_token_and_the_role(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    forged = client.post("/intelligence", follow_redirects=False, data=GRADED)
    assert forged.status_code == 422
    assert "the form has expired" in forged.text
    sign_in(client, "parole_cm")  # reads intelligence, submits none
    assert client.get("/intelligence").status_code == 200
    assert 'href="/intelligence/new"' not in client.get("/intelligence").text
    assert client.get("/intelligence/new").status_code == 403
    # P-coded about a prisoner not referred to the Board: as unknown (as the API answers)
    assert client.get("/intelligence/IR-P-HEI").status_code == 404
    with store.session() as s:
        assert s.scalar(select(IntelligenceReport).where(
            IntelligenceReport.text == GRADED["text"])) is None


def test_the_tab_and_the_work_link_follow_the_role(client: TestClient) -> None:
    sign_in(client, "wmp_investigator")
    assert 'id="work-intelligence"' in client.get("/work").text
    nav = client.get("/cases").text
    assert 'href="/intelligence"' in nav
    sign_in(client, "voda_liaison")
    assert 'href="/intelligence"' not in client.get("/operator").text
    assert client.get("/intelligence").status_code == 403


def test_a_case_shows_its_prisoners_identifiers_to_those_who_may_see_them(
        client: TestClient, store: Store) -> None:
    sign_in(client, "wmp_investigator")
    csrf = _csrf(client.get("/cases").text)
    assert client.post("/cases", follow_redirects=False, data={
        "csrf_token": csrf, "ref": "OP-KITE", "title": "Kite"}).status_code == 303
    assert 'id="case-identifiers"' not in client.get("/cases/OP-KITE").text
    assert client.post("/cases/OP-KITE/shares", follow_redirects=False, data={
        "csrf_token": csrf, "org": "HEI-SIT", "level": "CONTRIBUTE"}).status_code == 303
    sign_in(client, "hei_analyst")
    assert client.post("/cases/OP-KITE/subjects", follow_redirects=False, data={
        "csrf_token": _csrf(client.get("/cases/OP-KITE").text),
        "subjects": "A1111AA"}).status_code == 303
    assert f'href="/identifiers/imei/{IMEI}"' in client.get("/cases/OP-KITE").text
    sign_in(client, "wmp_investigator")  # the prisoner is shared with the force by the case
    page = client.get("/cases/OP-KITE").text
    # The force sees the identifier, but no link: its page is known only where the force
    # covers no establishment, and would answer 404 (a dead link).
    assert IMEI in page
    assert f'href="/identifiers/imei/{IMEI}"' not in page
    assert client.get(f"/identifiers/imei/{IMEI}").status_code == 404
    assert "93%" in page
    with store.session() as s:
        reasons = set(s.scalars(select(AuditEntry.reason).where(
            AuditEntry.principal == "wmp_investigator", AuditEntry.action == "read")))
    assert "case OP-KITE" in reasons  # the case is the stated reason of each reading
