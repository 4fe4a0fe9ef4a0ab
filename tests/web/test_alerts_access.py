"""The alerts page shows each alert only to a user the API would show it to: one alert
system, so disconnection (TRO) alerts are scoped like every other, by the alerts
service, within the user's establishments.

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
from cellwatch.alerts.models import Alert
from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store

HEWELL_TRO = "Disconnected handset seen again at Hewell"
LEEDS_TRO = "Disconnected handset seen again at Leeds"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The whole app over the fixture estate, with a TRO alert at Hewell and one at Leeds."""
    estate_with_liaisons(store)
    two_alerts(store)  # shared alerts: "device at Hewell", "device at Leeds"
    with store.session() as s:
        for n, (est, summary) in enumerate((("HEI", HEWELL_TRO), ("LEI", LEEDS_TRO))):
            s.add(Alert(rule="DISCONNECTED_IDENTIFIER_REAPPEARED", dedupe_key=f"t{n}",
                        identifier="353456789012348", establishment=est, summary=summary,
                        priority=2))
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


ALL = ("device at Hewell", "device at Leeds", HEWELL_TRO, LEEDS_TRO)


@pytest.mark.parametrize("user", [
    "hei_analyst", "hei_supervisor", "lei_analyst", "wm_analyst", "nat_analyst", "nat_admin",
    "nat_liaison", "hei_liaison", "lei_admin", "parole_cm", "wmp_investigator",
    "voda_liaison"])
def test_each_user_sees_only_the_alerts_the_api_would_show(
        client: TestClient, store: Store, user: str) -> None:
    page = _page(client, user)
    shown = {s for s in ALL if s in page}
    with store.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.principal == user,
                                                  AuditEntry.outcome == "denied")).all() == []
    status, body = _api(client, user, "/alerts")
    assert status == 200
    assert isinstance(body, list)
    assert shown == {a["summary"] for a in body}
    if user == "hei_analyst":
        assert shown == {"device at Hewell", HEWELL_TRO}


def test_the_tro_alerts_shown_are_audited(client: TestClient, store: Store) -> None:
    _page(client, "hei_analyst")
    with store.session() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.principal == "hei_analyst", AuditEntry.resource_type == "alert",
            AuditEntry.action == "list")).one()
        hewell = s.scalars(select(Alert.id).where(Alert.establishment == "HEI",
                                                  Alert.summary == HEWELL_TRO)).one()
    assert entry.outcome == "allowed"
    assert hewell in entry.detail["returned"]
