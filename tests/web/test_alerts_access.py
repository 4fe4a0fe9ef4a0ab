"""The alerts page shows each alert only to a user the API would show it to: shared alerts
by the alerts service's scope, disconnection (TRO) alerts only to a role that reads TRO
orders, and either only within the user's establishments.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import estate_with_liaisons, sign_in

from audit_support import two_alerts
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import AuditEntry
from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.models import TroAlert

HEWELL_TRO = "Disconnected handset seen again at Hewell"
LEEDS_TRO = "Disconnected handset seen again at Leeds"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The whole app over the fixture estate, with a TRO alert at Hewell and one at Leeds."""
    estate_with_liaisons(store)
    two_alerts(store)  # shared alerts: "device at Hewell", "device at Leeds"
    with store.session() as s:
        for n, (est, summary) in enumerate((("HEI", HEWELL_TRO), ("LEI", LEEDS_TRO))):
            s.add(TroAlert(rule="DISCONNECTED_IDENTIFIER_REAPPEARED", dedupe_key=f"t{n}",
                           identifier_type="IMEI", identifier="353456789012348",
                           establishment=est, summary=summary))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _page(client: TestClient, user: str) -> str:
    sign_in(client, user)
    page = client.get("/queues/alerts")
    assert page.status_code == 200
    return page.text


def _api(client: TestClient, user: str, path: str) -> tuple[int, object]:
    token = client.post("/api/v1/auth/token",
                        data={"username": user, "password": PASSWORD}).json()["access_token"]
    answer = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.json()


def _shown(page: str) -> tuple[set[str], set[str]]:
    """(shared alert summaries, TRO alert summaries) on the page."""
    tro_table = page.split("Disconnection alerts", 1)[1] if "Disconnection alerts" in page else ""
    tro = {s for s in (HEWELL_TRO, LEEDS_TRO) if s in tro_table}
    shared = {s for s in ("device at Hewell", "device at Leeds") if s in page}
    return shared, tro


@pytest.mark.parametrize(("user", "tro"), [
    ("hei_analyst", {HEWELL_TRO}),  # their own establishment's only
    ("hei_supervisor", {HEWELL_TRO}),
    ("lei_analyst", {LEEDS_TRO}),
    ("wm_analyst", {HEWELL_TRO}),  # West Midlands: Hewell, not Leeds
    ("nat_analyst", {HEWELL_TRO, LEEDS_TRO}),
    # No role reads TRO orders: nothing, however wide their geography.
    ("nat_admin", set()),
    ("nat_liaison", set()),
    ("hei_liaison", set()),
    ("lei_admin", set()),
    ("parole_cm", set()),
    ("wmp_investigator", set()),
    ("voda_liaison", set()),
])
def test_each_user_sees_only_the_alerts_the_api_would_show(
        client: TestClient, store: Store, user: str, tro: set[str]) -> None:
    shared, tro_shown = _shown(_page(client, user))
    assert tro_shown == tro
    # Being shown no TRO alerts is not a refusal: the page leaves no denial in the audit.
    with store.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.principal == user,
                                                  AuditEntry.outcome == "denied")).all() == []
    # The same rule as the API's for TRO orders: shown exactly when it lets them read orders.
    status, _ = _api(client, user, "/tro/orders")
    assert (status == 200) == bool(tro), status
    # Shared alerts: exactly what GET /api/v1/alerts gives the same user.
    status, body = _api(client, user, "/alerts")
    assert status == 200
    assert isinstance(body, list)
    assert shared == {a["summary"] for a in body}


def test_the_tro_alerts_shown_are_audited(client: TestClient, store: Store) -> None:
    _page(client, "hei_analyst")
    with store.session() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.principal == "hei_analyst",
            AuditEntry.action == "tro.alerts.list")).one()
        hewell = s.scalars(select(TroAlert.id).where(TroAlert.establishment == "HEI")).one()
    assert entry.outcome == "allowed"
    assert entry.detail == {"returned": [hewell]}
