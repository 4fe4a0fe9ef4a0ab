"""Issue 17's access holes, each attack reproduced first, then shown closed.

1. forged operator responses through the bulk upload; 2. self-granted access by naming
prisoners out of scope in a case, its subjects or a referral; 3. call records from anyone;
4. errors that tell (out of scope and unknown answer alike).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.principal import SYSTEM
from cellwatch.access.roles import OrgKind, Role, may_ingest
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.store import Store
from cellwatch.tro.models import TroApplication, TroLine
from operator_support import EE_IMSI, SERVED_REF, VODA_IMSI, serve_orders

Login = Callable[[str], dict[str, str]]


def web_sign_in(client: TestClient, user: str) -> None:
    """Sign ``user`` in through the web's form (CSRF token included)."""
    client.cookies.clear()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert csrf is not None
    answer = client.post("/signin", follow_redirects=False, data={
        "username": user, "password": PASSWORD, "csrf_token": csrf[1], "next": "/"})
    assert answer.status_code == 303, answer.text
V1 = "/api/v1"
RESPONSES = "order_ref,identifier,outcome,actioned_ts\r\n"


def _users(store: Store) -> None:
    admin = Access(store, SYSTEM)
    for username, org, role in (("ee_admin", "EE-OPS", "administrator"),
                                ("voda_admin", "VODA", "administrator"),
                                ("wmp_supervisor", "WMP", "supervisor"),
                                ("wmp_admin", "WMP", "administrator")):
        create_user(admin, username, org, [role], PASSWORD)


def _upload(client: TestClient, headers: dict[str, str], kind: str, body: str) -> dict[str, int]:
    r = client.post(f"{V1}/ingest/{kind}", headers=headers,
                    files={"file": ("f.csv", body.encode(), "text/csv")})
    assert r.status_code in (201, 403), r.text
    return r.json() if r.status_code == 201 else {"status": 403}


def _line_status(store: Store, identifier: str) -> tuple[str, str]:
    with store.session() as s:
        row = s.execute(select(TroLine.status, TroApplication.state)
                        .join(TroApplication, TroApplication.id == TroLine.application_id)
                        .where(TroLine.identifier == identifier)).one()
        return row[0], row[1]


def _quarantine_reasons(client: TestClient, headers: dict[str, str]) -> list[str]:
    rows = client.get(f"{V1}/quarantine", headers=headers).json()
    return [str(p["reason"]) for row in rows for p in row["problems"]]


def test_hole_1_no_forged_operator_responses(client: TestClient, login: Login,
                                             store: Store) -> None:
    serve_orders(store)
    _users(store)
    voda_line = f"{SERVED_REF},{VODA_IMSI},DONE,2026-03-21T09:00:00Z\r\n"
    # The attack: EE's administrator, Leeds' and a force's supervisor mark Vodafone's line of
    # a Hewell order done. Each row is quarantined with the reason an unknown line gets.
    unknown = _upload(client, login("ee_admin"), "operator_responses",
                      RESPONSES + f"TRO-NOPE-1,{VODA_IMSI},DONE,2026-03-21T09:00:00Z\r\n")
    assert unknown["quarantined"] == 1
    for minute, user in enumerate(("ee_admin", "lei_admin", "wmp_supervisor")):
        forged = voda_line.replace("09:00", f"09:{minute + 10}")  # not the same file again
        summary = _upload(client, login(user), "operator_responses", RESPONSES + forged)
        assert summary.get("accepted", 0) == 0, (user, summary)
        assert summary.get("quarantined") == 1 or summary.get("status") == 403, (user, summary)
        assert _line_status(store, VODA_IMSI) == ("PENDING", "SERVED")
    reasons = _quarantine_reasons(client, login("ee_admin"))
    assert reasons[0] == f"{VODA_IMSI} is not on order TRO-NOPE-1"
    assert reasons[1] == f"{VODA_IMSI} is not on order {SERVED_REF}"
    # Vodafone's own administrator answers its line; Hewell's supervisor answers EE's.
    assert _upload(client, login("voda_admin"), "operator_responses",
                   RESPONSES + voda_line)["accepted"] == 1
    assert _line_status(store, VODA_IMSI) == ("DONE", "ACKNOWLEDGED")
    assert _upload(client, login("hei_supervisor"), "operator_responses",
                   RESPONSES + f"{SERVED_REF},{EE_IMSI},DONE,2026-03-21T10:00:00Z\r\n"
                   )["accepted"] == 1


def test_hole_2_a_case_cannot_name_a_prisoner_out_of_scope(client: TestClient,
                                                           login: Login) -> None:
    hei = login("hei_analyst")
    unknown = client.post(f"{V1}/cases", headers=hei, json={
        "ref": "CASE-SEC-2", "title": "t", "subjects": ["Z9999ZZ"]})
    # The attack: Hewell names a Leeds prisoner, hoping to open Leeds' intelligence on them.
    r = client.post(f"{V1}/cases", headers=hei, json={
        "ref": "CASE-SEC-3", "title": "t", "subjects": ["A3333CC"]})
    assert (r.status_code, unknown.status_code) == (404, 404)
    assert r.json()["detail"] == "prisoner A3333CC not found"
    assert client.get(f"{V1}/cases/CASE-SEC-3", headers=hei).status_code == 404
    reason = {**hei, "Cellwatch-Reason": "CASE-SEC-3"}
    assert client.get(f"{V1}/intelligence/IR-P-LEI", headers=reason).status_code == 404
    assert client.get(f"{V1}/prisoners/A3333CC", headers=reason).status_code == 404
    # Nor through the subjects of a case of its own, nor a referral.
    assert client.post(f"{V1}/cases", headers=hei, json={
        "ref": "CASE-SEC-4", "title": "t", "subjects": ["A1111AA"]}).status_code == 201
    r = client.post(f"{V1}/cases/CASE-SEC-4/subjects", headers=hei,
                    json={"subjects": ["A3333CC"]})
    assert r.status_code == 404
    assert r.json()["detail"] == "prisoner A3333CC not found"
    r = client.post(f"{V1}/referrals", headers=hei, json={
        "to_orgs": ["HEI-SIT"], "summary": "s", "prison_number": "A3333CC"})
    assert r.status_code == 404
    assert client.get(f"{V1}/intelligence/IR-P-LEI", headers=reason).status_code == 404
    # The police see no prisoner by geography: they name none until one is shared.
    police = login("wmp_investigator")
    r = client.post(f"{V1}/cases", headers=police, json={
        "ref": "CASE-SEC-5", "title": "t", "subjects": ["A2222BB"]})
    assert r.status_code == 404
    r = client.post(f"{V1}/referrals", headers=police, json={
        "to_orgs": ["WMP"], "summary": "s", "prison_number": "A2222BB"})
    assert r.status_code == 404
    assert client.get(f"{V1}/prisoners/A2222BB",
                      headers={**police, "Cellwatch-Reason": "x"}).status_code == 404


def test_hole_2_a_crime_report_shares_nothing_back(client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    r = client.post(f"{V1}/crime-referrals", headers=police, json={
        "prison_number": "A1111AA", "offence": "harassment", "crime_reference": "20/1/26"})
    assert r.status_code == 201, r.text
    assert client.get(f"{V1}/prisoners/A1111AA",
                      headers={**police, "Cellwatch-Reason": "x"}).status_code == 404
    # The receiving team sees it, as it always did.
    assert [x["prison_number"] for x in client.get(
        f"{V1}/referrals", headers=login("hei_analyst")).json()] == ["A1111AA"]


def test_hole_3_call_records_only_from_a_national_unit(client: TestClient, login: Login,
                                                      store: Store) -> None:
    serve_orders(store)  # EE's organisation, for its administrator
    _users(store)
    body = ("operator,record_type,start_ts,direction,subject_msisdn\r\n"
            "EE,VOICE,2026-03-01T10:00:00Z,MO,07700900123\r\n")
    # The attack: a force's and an operator's administrators write into the shared lake.
    for user in ("wmp_admin", "voda_admin", "ee_admin", "lei_admin", "hei_supervisor"):
        r = client.post(f"{V1}/ingest/call_records", headers=login(user),
                        files={"file": ("c.csv", body.encode(), "text/csv")})
        assert r.status_code == 403, (user, r.text)
    # A national unit still loads them.
    assert may_ingest(frozenset({Role.ADMINISTRATOR}), OrgKind.NATIONAL, "call_records")
    assert may_ingest(frozenset({Role.SUPERVISOR}), OrgKind.NATIONAL, "call_records")


def test_hole_4_out_of_scope_and_unknown_answer_alike(client: TestClient, login: Login) -> None:
    for user, hidden, unknown in (
            ("hei_analyst", "/prisoners/A3333CC", "/prisoners/Z9999ZZ"),
            ("wmp_investigator", "/prisoners/A1111AA", "/prisoners/Z9999ZZ"),
            ("nat_analyst", "/intelligence/IR-C-WMP", "/intelligence/IR-C-NONE"),
            ("hei_analyst", "/intelligence/IR-P-LEI", "/intelligence/IR-P-NONE")):
        headers = {**login(user), "Cellwatch-Reason": "probe"}
        a = client.get(V1 + hidden, headers=headers)
        b = client.get(V1 + unknown, headers=headers)
        assert (a.status_code, b.status_code) == (404, 404)
        ident_a, ident_b = hidden.rsplit("/", 1)[1], unknown.rsplit("/", 1)[1]
        assert a.json() == {k: (v.replace(ident_b, ident_a) if isinstance(v, str) else v)
                            for k, v in b.json().items()}
        assert "scope" not in a.text
        assert "handling" not in a.text
    # A role that reads no prisoners is refused alike, whether the record exists or not.
    operator = login("voda_liaison")
    assert client.get(f"{V1}/prisoners/A1111AA", headers=operator).status_code == 403
    assert client.get(f"{V1}/prisoners/Z9999ZZ", headers=operator).status_code == 403


def _alert_naming_a_victim_and_c_intelligence(store: Store) -> int:
    with store.session() as s:
        s.add(ProtectedPerson(person_ref="PP-1", prison_number="A1111AA", condition="NO_CONTACT"))
        s.flush()
        s.add(ProtectedIdentifier(person_ref="PP-1", identifier_type="MSISDN",
                                  identifier=VICTIM))
        alert = Alert(rule="PROTECTED_PERSON_CONTACTED", dedupe_key="PP-1|A1111AA",
                      prison_number="A1111AA", person_ref="PP-1", identifier=VICTIM,
                      establishment="HEI", status="OPEN",
                      summary=f"3 call(s) to {VICTIM}; see IR-C-WMP and IR-P-HEI.",
                      details={"reports": ["IR-C-WMP", "IR-P-HEI"], "number": VICTIM})
        s.add(alert)
        s.flush()
        return alert.id


VICTIM = "+447700900999"


def test_hole_4_alerts_hide_victims_numbers_and_c_coded_references(
        client: TestClient, login: Login, store: Store) -> None:
    alert_id = _alert_naming_a_victim_and_c_intelligence(store)
    for url in (f"{V1}/alerts/{alert_id}", f"{V1}/alerts"):
        r = client.get(url, headers=login("hei_analyst"))
        assert r.status_code == 200, r.text
        body = r.json() if isinstance(r.json(), dict) else r.json()[0]
        assert VICTIM not in r.text
        assert "IR-C-WMP" not in r.text
        assert body["summary"] == ("3 call(s) to [protected contact]; see "
                                   "[restricted intelligence] and IR-P-HEI.")
        assert body["details"]["reports"] == ["[restricted intelligence]", "IR-P-HEI"]
        assert body["identifier"] == "[protected contact]"
    # The stored alert is untouched: the whole estate's unit reads it as written, save
    # the C-coded item it is not named in.
    r = client.get(f"{V1}/alerts/{alert_id}", headers=login("nat_analyst"))
    assert VICTIM not in r.text
    assert "IR-C-WMP" not in r.text
    with store.session() as s:
        stored = s.get(Alert, alert_id)
        assert stored is not None
        assert VICTIM in stored.summary
        assert "IR-C-WMP" in stored.summary
    # The web page shows the same.
    web_sign_in(client, "hei_analyst")
    page = client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    assert VICTIM not in page.text
    assert "IR-C-WMP" not in page.text
