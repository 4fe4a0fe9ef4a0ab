"""The API of issue 16's agency work: victim liaison's persons and reports of contact,
a referral's outcome recorded by the force that received it, and the Parole Board's
request for an update, answered by the prison team. Over the fixture estate, through the
HTTP layer (the services' own tests cover the rules in depth)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]


def test_victim_liaison_records_a_person_and_a_report(client: TestClient, login: Login,
                                                      store: Store) -> None:
    create_user(Access(store, SYSTEM), "wmp_victim", "WMP", ["victim_liaison"], PASSWORD)
    vl = login("wmp_victim")
    made = client.post("/api/v1/protected-persons", headers=vl, json={
        "prison_number": "A1111AA", "condition": "RESTRAINING_ORDER",
        "valid_from": "2026-01-01"})
    assert made.status_code == 201, made.text
    ref = made.json()["person_ref"]
    added = client.post(f"/api/v1/protected-persons/{ref}/identifiers", headers=vl,
                        json={"identifier": "07700 900111"})
    assert added.status_code == 201
    assert added.json()["identifiers"][0]["identifier"] == "+447700900111"
    bad = client.post(f"/api/v1/protected-persons/{ref}/identifiers", headers=vl,
                      json={"identifier": "not a number"})
    assert bad.status_code == 422
    assert "identifier" in bad.json()["errors"]
    report = client.post(f"/api/v1/protected-persons/{ref}/reports", headers=vl, json={
        "sender": "07700 900222", "channel": "SMS", "contacted": "+447700900111",
        "occurred_ts": "2026-10-05T21:00:00Z"})
    assert report.status_code == 201, report.text
    assert report.json()["resolution"]["status"] == "OPEN"  # no graph in this estate
    one = client.get(f"/api/v1/contact-reports/{report.json()['id']}", headers=vl)
    assert one.json()["sender"] == "+447700900222"
    # Unlinked, the contact is put down to the prisoner the condition names, unconfirmed.
    (alert,) = client.get(f"/api/v1/protected-persons/{ref}/alerts", headers=vl).json()
    assert "UNCONFIRMED" in alert["summary"]
    # Another organisation's victim liaison: the person and the report as unknown ones.
    other = login("nat_analyst")
    assert client.get(f"/api/v1/protected-persons/{ref}", headers=other).status_code == 403
    create_user(Access(store, SYSTEM), "nat_victim", "NIU", ["victim_liaison"], PASSWORD)
    nat = login("nat_victim")
    assert client.get(f"/api/v1/protected-persons/{ref}", headers=nat).status_code == 404
    assert client.get(f"/api/v1/contact-reports/{report.json()['id']}",
                      headers=nat).status_code == 404
    assert client.get("/api/v1/protected-persons", headers=nat).json() == []


def test_the_force_records_an_outcome_and_the_board_asks_for_an_update(
        client: TestClient, login: Login) -> None:
    hei = login("hei_analyst")
    sent = client.post("/api/v1/referrals", headers=hei, json={
        "to_orgs": ["WMP", "PAROLE"], "summary": "threats by phone",
        "prison_number": "A1111AA"}).json()
    to_police = next(r["id"] for r in sent if r["to_org"] == "WMP")
    police = login("wmp_investigator")
    early = client.post(f"/api/v1/referrals/{to_police}/outcomes", headers=police,
                        json={"outcome": "CHARGED"})
    assert early.status_code == 409
    assert client.post(f"/api/v1/referrals/{to_police}/acknowledge",
                       headers=police).status_code == 200
    recorded = client.post(f"/api/v1/referrals/{to_police}/outcomes", headers=police,
                           json={"outcome": "CHARGED", "note": "charged 3 Dec"})
    assert recorded.status_code == 201, recorded.text
    seen = client.get(f"/api/v1/referrals/{to_police}/outcomes", headers=hei).json()
    assert [(o["outcome"], o["recorded_by"]) for o in seen] == [("CHARGED", None)]
    assert client.post(f"/api/v1/referrals/{to_police}/outcomes", headers=hei,
                       json={"outcome": "CHARGED"}).status_code == 403

    board = login("parole_cm")
    asked = client.post("/api/v1/update-requests", headers=board,
                        json={"prison_number": "A1111AA", "note": "any finds since?"})
    assert asked.status_code == 201, asked.text
    assert client.post("/api/v1/update-requests", headers=board, json={
        "prison_number": "A3333CC", "note": "n"}).status_code == 404
    waiting = client.get("/api/v1/update-requests?direction=in&status=OPEN", headers=hei)
    assert [r["id"] for r in waiting.json()] == [asked.json()["id"]]
    done = client.post(f"/api/v1/update-requests/{asked.json()['id']}/done", headers=hei,
                       json={"answer": "none"})
    assert done.json()["status"] == "DONE"
    again = client.post(f"/api/v1/update-requests/{asked.json()['id']}/done", headers=hei,
                        json={})
    assert again.status_code == 409


def test_a_case_is_closed_by_its_owner_once(client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    assert client.post("/api/v1/cases", headers=police,
                       json={"ref": "OP-LARK", "title": "Operation Lark"}).status_code == 201
    assert client.post("/api/v1/cases/OP-LARK/shares", headers=police,
                       json={"org": "HEI-SIT", "level": "CONTRIBUTE"}).status_code == 200
    hei = login("hei_analyst")
    assert client.post("/api/v1/cases/OP-LARK/close", headers=hei).status_code == 403
    assert client.post("/api/v1/cases/OP-LARK/close",
                       headers=login("lei_analyst")).status_code == 404
    closed = client.post("/api/v1/cases/OP-LARK/close", headers=police)
    assert closed.json()["status"] == "CLOSED"
    assert client.post("/api/v1/cases/OP-LARK/close", headers=police).status_code == 409
