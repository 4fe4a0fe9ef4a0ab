"""``GET /api/v1/identifiers/{text}`` opens an identifier by the rule of the web's device
page and ``cellwatch device``
(:func:`cellwatch.attribution.service.attributions.open_identifier`): one
known outside the caller's own organisation needs a reason; without one the answer is a
403 naming the missing ``reason``, and the refusal is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from audit_support import audited
from cellwatch.store import SeizureItem, Store

Login = Callable[[str], dict[str, str]]
SEIZED = "353456789012348"  # found at Hewell
UNKNOWN = "356938035643809"
URL = f"/api/v1/identifiers/{SEIZED}"
REASON = "Operation Kestrel, report IR-2026-118"


@pytest.fixture(autouse=True)
def _seized(client: TestClient, store: Store) -> None:
    with store.session() as s:
        s.add(SeizureItem(seizure_ref="SZ-1", item_no=1, ts=datetime(2026, 5, 3, tzinfo=UTC),
                          establishment="HEI", item_type="HANDSET", imei=SEIZED))


def test_outside_ones_organisation_a_reason_is_required_and_audited(
        client: TestClient, login: Login, store: Store) -> None:
    national = login("nat_analyst")
    r = client.get(URL, headers=national)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert "a reason is required" in problem["detail"]
    assert list(problem["errors"]) == ["reason"]
    assert "SZ-1" not in r.text
    assert audited(store, "nat_analyst", "identifier") == [("read", SEIZED, "denied")]
    # Given as the query parameter, or as the header the other records take.
    r = client.get(URL, params={"reason": REASON}, headers=national)
    assert r.status_code == 200
    assert [z["seizure_ref"] for z in r.json()["seizures"]] == ["SZ-1"]
    r = client.get(URL, headers={**national, "Cellwatch-Reason": REASON})
    assert r.status_code == 200
    assert audited(store, "nat_analyst", "identifier")[1:] == [
        ("read", SEIZED, "allowed"), ("lookup", SEIZED, "allowed")] * 2


def test_within_ones_establishment_no_reason_is_needed(client: TestClient, login: Login,
                                                       store: Store) -> None:
    r = client.get(URL, headers=login("hei_analyst"))
    assert r.status_code == 200
    assert [z["seizure_ref"] for z in r.json()["seizures"]] == ["SZ-1"]
    assert audited(store, "hei_analyst", "identifier") == [
        ("read", SEIZED, "allowed"), ("lookup", SEIZED, "allowed")]


def test_known_only_elsewhere_it_answers_as_an_unknown_one(client: TestClient, login: Login,
                                                           store: Store) -> None:
    leeds = login("lei_analyst")
    elsewhere = client.get(URL, headers=leeds)
    unknown = client.get(f"/api/v1/identifiers/{UNKNOWN}", headers=leeds)
    assert elsewhere.status_code == unknown.status_code == 200
    assert elsewhere.json()["seizures"] == unknown.json()["seizures"] == []
    # The refusal of what exists is audited, as the device page audits it.
    assert audited(store, "lei_analyst", "identifier")[0] == ("read", SEIZED, "denied")
