"""The operator endpoints: an operator's liaison lists the served lines of its network and
answers them; another network gets 404 as for a missing line; the prison service gets 403.
Every refusal is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from audit_support import audited
from cellwatch.store import Store
from operator_support import (
    EE_IMSI,
    LINE_KEYS,
    PRISONER,
    SERVED_REF,
    SURNAME,
    VODA_IMSI,
    Served,
    serve_orders,
)

Login = Callable[[str], dict[str, str]]
LINES = "/api/v1/operator/lines"


@pytest.fixture
def served(client: TestClient, store: Store) -> Served:
    """Orders served on EE and Vodafone over the fixture estate (after the client built it)."""
    return serve_orders(store)


def test_an_operator_lists_its_networks_served_lines(client: TestClient, login: Login,
                                                     served: Served) -> None:
    r = client.get(LINES, headers=login("ee_liaison"))
    assert r.status_code == 200, r.text
    body = r.json()
    # EE's line of the served order: not Vodafone's, not the EE line of the unserved order.
    assert [(x["line_id"], x["identifier"], x["order_ref"], x["status"], x["compliance_due"])
            for x in body] == [(served.ee, EE_IMSI, SERVED_REF, "PENDING", "2026-03-27")]
    assert set(body[0]) == LINE_KEYS
    for secret in (PRISONER, SURNAME, "HEI-SZ-1", "HEI-A-1", "Worcester", "evidence"):
        assert secret not in r.text
    r = client.get(LINES, headers=login("voda_liaison"), params={"status": "PENDING"})
    assert [x["identifier"] for x in r.json()] == [VODA_IMSI]
    assert client.get(LINES, headers=login("voda_liaison"),
                      params={"status": "DONE"}).json() == []
    assert client.get(LINES, headers=login("ee_liaison"), params={"limit": 0}).status_code == 422
    assert "/api/v1/operator/lines/{line_id}/response" in client.get(
        "/api/v1/openapi.json").json()["paths"]


def test_an_answer_moves_the_line_and_the_order(client: TestClient, login: Login,
                                                served: Served) -> None:
    r = client.post(f"{LINES}/{served.ee}/response", headers=login("ee_liaison"),
                    json={"outcome": "DONE", "operator_ref": "EE-77", "note": "done",
                          "actioned_ts": "2026-03-23T09:00:00Z"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["operator_ref"], r.json()["actioned_ts"]) == (
        "DONE", "EE-77", "2026-03-23T09:00:00Z")
    # The prison service sees the answer on its order, which is now acknowledged.
    order = client.get(f"/api/v1/tro/orders/{SERVED_REF}", headers=login("hei_analyst")).json()
    assert order["state"] == "ACKNOWLEDGED"
    assert {ln["identifier"]: ln["status"] for ln in order["lines"]} == {
        EE_IMSI: "DONE", VODA_IMSI: "PENDING"}
    # An outcome that is not one of the four is refused before anything is decided.
    r = client.post(f"{LINES}/{served.voda}/response", headers=login("voda_liaison"),
                    json={"outcome": "LOST"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_another_network_gets_404_as_for_a_missing_line(client: TestClient, login: Login,
                                                         store: Store, served: Served) -> None:
    voda = login("voda_liaison")
    hidden = client.post(f"{LINES}/{served.ee}/response", headers=voda, json={"outcome": "DONE"})
    missing = client.post(f"{LINES}/999999/response", headers=voda, json={"outcome": "DONE"})
    unserved = client.post(f"{LINES}/{served.unserved}/response", headers=login("ee_liaison"),
                           json={"outcome": "DONE"})
    assert (hidden.status_code, missing.status_code, unserved.status_code) == (404, 404, 404)
    assert hidden.json()["detail"].replace(str(served.ee), "N") == \
        missing.json()["detail"].replace("999999", "N")
    assert ("tro.operator.response", str(served.ee), "denied") in audited(
        store, "voda_liaison", "tro_line")
    assert client.get(LINES, headers=login("ee_liaison")).json()[0]["status"] == "PENDING"


@pytest.mark.parametrize("user", ["hei_analyst", "nat_analyst", "hei_supervisor"])
def test_the_prison_service_gets_403(client: TestClient, login: Login, store: Store,
                                     served: Served, user: str) -> None:
    headers = login(user)
    assert client.get(LINES, headers=headers).status_code == 403
    r = client.post(f"{LINES}/{served.ee}/response", headers=headers, json={"outcome": "DONE"})
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert audited(store, user, "tro_line") == [
        ("tro.operator.lines", None, "denied"), ("tro.operator.response", None, "denied")]


def test_an_operator_organisation_is_created_with_its_network(
        client: TestClient, login: Login) -> None:
    admin = login("nat_admin")
    body = {"code": "EE-OPS", "name": "EE", "kind": "OPERATOR", "network": "ee"}
    r = client.post("/api/v1/organisations", headers=admin, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["network"] == "EE"  # spelt as order lines spell it
    wrong = client.post("/api/v1/organisations", headers=admin,
                        json={**body, "code": "VF-OPS", "network": "Vodafone"})
    assert wrong.status_code == 422
    assert "Vodafone UK" in wrong.text  # the refusal lists the names order lines use
