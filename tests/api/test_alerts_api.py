"""The alerts API: scoped lists, and a lifecycle whose every change is audited; and the
crime-referrals API carrying the agreement's fields."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from audit_support import audited, two_alerts
from cellwatch.access.audit import verify_chain
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]


def _audited(store: Store, user: str) -> list[tuple[str, str | None, str]]:
    return audited(store, user, "alert")


def test_scoped_lists(client: TestClient, login: Login, store: Store) -> None:
    hei, lei = two_alerts(store)
    seen = {u: [a["id"] for a in client.get("/api/v1/alerts", headers=login(u)).json()]
            for u in ("nat_analyst", "wm_analyst", "hei_analyst", "lei_analyst",
                      "wmp_investigator", "parole_cm", "voda_liaison")}
    assert seen == {"nat_analyst": [lei, hei], "wm_analyst": [hei], "hei_analyst": [hei],
                    "lei_analyst": [lei], "wmp_investigator": [], "parole_cm": [],
                    "voda_liaison": []}
    assert client.get(f"/api/v1/alerts/{hei}", headers=login("hei_analyst")).status_code == 200
    # Another establishment's alert answers exactly as a missing one (no existence leak).
    hidden = client.get(f"/api/v1/alerts/{lei}", headers=login("hei_analyst"))
    missing = client.get("/api/v1/alerts/999", headers=login("hei_analyst"))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == missing.json()["detail"].replace("999", str(lei))
    assert client.get("/api/v1/alerts/999", headers=login("nat_analyst")).status_code == 404
    assert _audited(store, "hei_analyst") == [("list", None, "allowed"),
                                              ("read", str(hei), "allowed"),
                                              ("read", str(lei), "denied")]


def test_lifecycle_audited_and_in_history(client: TestClient, login: Login,
                                          store: Store) -> None:
    hei, lei = two_alerts(store)
    me = login("hei_supervisor")
    r = client.post(f"/api/v1/alerts/{hei}/assign", json={"to_user": "hei_analyst"},
                    headers=me)
    assert r.status_code == 200
    assert r.json()["status"] == "ASSIGNED"
    analyst = login("hei_analyst")
    r = client.post(f"/api/v1/alerts/{hei}/acknowledge", headers=analyst)
    assert r.json()["acknowledged_by"] == "hei_analyst"
    r = client.post(f"/api/v1/alerts/{hei}/close", headers=analyst,
                    json={"outcome": "DISCONNECTION_REQUESTED", "note": "order sent"})
    body = r.json()
    assert (body["status"], body["outcome"], body["closed_by"]) == (
        "CLOSED", "DISCONNECTION_REQUESTED", "hei_analyst")
    assert [h["status"] for h in body["details"]["history"]] == [
        "ASSIGNED", "ACKNOWLEDGED", "CLOSED"]
    # Nothing leaves CLOSED; a bad outcome and an unknown user are refused.
    assert client.post(f"/api/v1/alerts/{hei}/acknowledge", headers=analyst).status_code == 409
    assert client.post(f"/api/v1/alerts/{lei}/close", headers=login("lei_analyst"),
                       json={"outcome": "SHRUG"}).status_code == 422
    assert client.post(f"/api/v1/alerts/{lei}/assign", headers=login("lei_analyst"),
                       json={"to_user": "nobody"}).status_code == 422
    # Out of scope, and roles that do not work alerts, are refused and audited.
    # Out of scope answers as missing (404); a role that does not work alerts is refused.
    assert client.post(f"/api/v1/alerts/{lei}/acknowledge", headers=analyst).status_code == 404
    assert client.post(f"/api/v1/alerts/{lei}/acknowledge",
                       headers=login("lei_admin")).status_code == 403
    assert _audited(store, "hei_supervisor") == [("assign", str(hei), "allowed")]
    assert _audited(store, "hei_analyst") == [("acknowledge", str(hei), "allowed"),
                                              ("close", str(hei), "allowed"),
                                              ("acknowledge", str(lei), "denied")]
    assert _audited(store, "lei_admin") == [("acknowledge", str(lei), "denied")]
    assert verify_chain(store).ok


def test_crime_referrals_api(client: TestClient, login: Login) -> None:
    police = login("wmp_investigator")
    r = client.post("/api/v1/crime-referrals", headers=police, json={
        "prison_number": "A3333CC", "offence": "Drug supply by phone",
        "crime_reference": "WMP/9/26", "officer": "DS Khan", "police_status": "CHARGED"})
    assert r.status_code == 201, r.text
    doc = r.json()
    # The force is not told where the prisoner is held nor who received it.
    assert (doc["to_org"], doc["establishment"], doc["police_status"], doc["overdue"]) == (
        None, None, "CHARGED", False)
    leeds = login("lei_analyst")
    listed = client.get("/api/v1/crime-referrals?direction=in", headers=leeds).json()
    assert [(x["offence"], x["to_org"], x["establishment"]) for x in listed] == [
        ("Drug supply by phone", "LEI-SIT", "LEI")]
    assert client.get(f"/api/v1/crime-referrals/{doc['id']}",
                      headers=login("hei_analyst")).status_code == 404  # as if unknown
    r = client.post(f"/api/v1/crime-referrals/{doc['id']}/acknowledge", headers=leeds)
    assert r.json()["status"] == "ACKNOWLEDGED"
    assert client.post("/api/v1/crime-referrals", headers=login("parole_cm"), json={
        "prison_number": "A3333CC", "offence": "x", "crime_reference": "R"}).status_code == 403
