"""``/stats`` and ``/targeting/rank`` are decided and narrowed by
:mod:`cellwatch.reports.service`, as ``cellwatch stats`` and ``targeting`` are: statistics
of the caller's establishments only (regions summed from those), and every refusal
audited like any other endpoint's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from audit_support import audited
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import User
from cellwatch.access.passwords import hash_password
from cellwatch.store import SeizureItem, Store

Login = Callable[[str], dict[str, str]]
MAY = {"from": "2026-05-01", "to": "2026-05-31"}


@pytest.fixture(autouse=True)
def _finds(client: TestClient, store: Store) -> None:
    """Two handsets found at Hewell, one at Berwyn (both West Midlands), one at Leeds."""
    with store.session() as s:
        for n, where in enumerate(("HEI", "HEI", "BWI", "LEI"), start=1):
            s.add(SeizureItem(seizure_ref=f"SZ-{n}", item_no=1, item_type="HANDSET",
                              ts=datetime(2026, 5, n, 10, tzinfo=UTC), establishment=where))


def _handsets(client: TestClient, headers: dict[str, str], by: str) -> dict[str, int]:
    r = client.get("/api/v1/stats", params={**MAY, "by": by}, headers=headers)
    assert r.status_code == 200, r.text
    return {row[by]: row["handsets"] for row in r.json()["rows"]}


def test_statistics_cover_only_the_callers_establishments(client: TestClient,
                                                          login: Login) -> None:
    seen = {user: _handsets(client, login(user), "establishment")
            for user in ("hei_analyst", "wm_analyst", "nat_analyst", "wmp_investigator")}
    assert seen == {"hei_analyst": {"HEI": 2}, "wm_analyst": {"HEI": 2, "BWI": 1},
                    "nat_analyst": {"HEI": 2, "BWI": 1, "LEI": 1}, "wmp_investigator": {}}
    # A region's row counts only the establishments of it the caller covers.
    assert _handsets(client, login("hei_analyst"), "region") == {"West Midlands": 2}
    assert _handsets(client, login("nat_analyst"), "region") == {
        "West Midlands": 3, "Yorkshire": 1}
    chart = client.get("/api/v1/stats/charts/finds_by_group.png", params=MAY,
                       headers=login("hei_analyst"))
    assert chart.status_code == 200
    assert chart.headers["content-type"] == "image/png"


def test_refusals_of_statistics_and_ranking_are_audited(client: TestClient, login: Login,
                                                        store: Store) -> None:
    # A user holding no role reads nothing, not even the estate's aggregates.
    with store.session() as s:
        s.add(User(username="no_role", org_code="HEI-SIT", roles=[], active=True,
                   password_hash=hash_password(PASSWORD), token_version=0))
    for url in ("/api/v1/stats", "/api/v1/stats/charts/finds_by_month.png"):
        r = client.get(url, headers=login("no_role"))
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
    assert audited(store, "no_role", "establishment") == [("read", None, "denied")] * 2
    # Ranking names occupants: prisoner read in the establishment ranked.
    r = client.get("/api/v1/targeting/rank", params={"establishment": "LEI"},
                   headers=login("hei_analyst"))
    assert r.status_code == 403
    assert "LEI is outside the principal's scope" in r.json()["detail"]
    assert client.get("/api/v1/targeting/rank", params={"establishment": "HEI"},
                      headers=login("parole_cm")).status_code == 403
    for user in ("hei_analyst", "parole_cm"):
        assert audited(store, user, "prisoner") == [("read", None, "denied")]
    assert client.get("/api/v1/targeting/rank", params={"establishment": "HEI"},
                      headers=login("hei_analyst")).status_code == 200
