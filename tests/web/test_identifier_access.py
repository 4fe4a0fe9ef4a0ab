"""The device page decides through the same rule as ``cellwatch device``
(:func:`cellwatch.attribution.service.attributions.open_identifier`): opened, and audited,
within the
user's establishments; known only elsewhere it is "not found", as an unknown one is, and
the refusal is audited.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from web_client import sign_in

from audit_support import audited
from cellwatch.access.fixtures import build_estate
from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import SeizureItem, Store

SEIZED = "353456789012348"  # found at Hewell
UNKNOWN = "356938035643809"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The whole app over the fixture estate, with a handset seized at Hewell."""
    build_estate(store)
    with store.session() as s:
        s.add(SeizureItem(seizure_ref="SZ-1", item_no=1, ts=datetime(2026, 5, 3, tzinfo=UTC),
                          establishment="HEI", item_type="HANDSET", imei=SEIZED,
                          prison_number="A1111AA"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_device_is_opened_only_within_the_users_establishments(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(f"/identifiers/IMEI/{SEIZED}")
    assert page.status_code == 200
    assert "SZ-1" in page.text
    assert audited(store, "hei_analyst", "identifier")[0] == ("read", SEIZED, "allowed")
    sign_in(client, "lei_analyst")
    elsewhere = client.get(f"/identifiers/IMEI/{SEIZED}")
    unknown = client.get(f"/identifiers/IMEI/{UNKNOWN}")
    assert elsewhere.status_code == unknown.status_code == 404
    assert "SZ-1" not in elsewhere.text
    assert "nothing is known about" in elsewhere.text
    # Only the refusal of what exists is audited; the answers themselves do not differ.
    assert audited(store, "lei_analyst", "identifier") == [("read", SEIZED, "denied")]
