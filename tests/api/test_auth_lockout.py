"""The token endpoint: 40 wrong passwords then the right one is refused; every request audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import AuditEntry
from cellwatch.store import Store

TOKEN = "/api/v1/auth/token"


def _audited(store: Store) -> list[tuple[str, str, str | None]]:
    with store.session() as s:
        return [(e.principal, e.outcome, e.reason) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "api.token").order_by(AuditEntry.id))]


def test_token_requests_are_audited(client: TestClient, store: Store) -> None:
    assert client.post(TOKEN, data={"username": "hei_analyst", "password": PASSWORD}
                       ).status_code == 200
    assert client.post(TOKEN, data={"username": "hei_analyst", "password": "wrong"}
                       ).status_code == 401
    assert _audited(store) == [("hei_analyst", "allowed", None),
                               ("hei_analyst", "denied", "wrong user name or password")]


def test_40_wrong_passwords_then_the_right_one_is_refused(client: TestClient) -> None:
    codes = [client.post(TOKEN, data={"username": "hei_analyst", "password": f"guess{n}"}
                         ).status_code for n in range(40)]
    # Ten checked and wrong; then the address is refused (20 failures a minute) or the
    # name locked out, both 429.
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}
    right = client.post(TOKEN, data={"username": "hei_analyst", "password": PASSWORD})
    assert right.status_code == 429
    assert "access_token" not in right.text
