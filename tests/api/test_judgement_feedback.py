"""A rejection made through the API feeds the next attribution run as ``cellwatch judge``'s
does (tests/attribution/test_pipeline.py): the pair is not proposed again on the same
evidence, and undoing the rejection brings it back.

On the attribution tests' hand-made estate (one landing, three cells, one phone), with a
security team and an analyst of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from attribution import estate
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import Organisation, User
from cellwatch.access.passwords import hash_password
from cellwatch.api import create_app
from cellwatch.attribution.export import latest_run
from cellwatch.attribution.models import Attribution
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings
from cellwatch.store import Store


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The API over the estate, its lake written, and a signed-in analyst's headers."""
    estate.build_store(store)
    estate.write_lake(settings)
    estate.write_calls(settings)
    with store.session() as s:
        s.add(Organisation(code="TST-SIT", name="Test security team", kind="ESTABLISHMENT",
                           establishment="TST", active=True))
        s.flush()
        s.add(User(username="tst_analyst", org_code="TST-SIT", roles=["analyst"],
                   password_hash=hash_password(PASSWORD), active=True, token_version=0))
    with TestClient(create_app(settings, store=store)) as c:
        token = c.post("/api/v1/auth/token",
                       data={"username": "tst_analyst", "password": PASSWORD}).json()
        c.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield c


def _proposed(store: Store) -> list[str]:
    """The days the latest run proposed the phone for its owner."""
    with store.session() as s:
        return sorted(d.isoformat() for d in s.scalars(select(Attribution.valid_from).where(
            Attribution.run_id == latest_run(store), Attribution.identifier == estate.IMEI,
            Attribution.prison_number == estate.OWNER)))


def test_a_rejection_through_the_api_is_not_proposed_again(
        client: TestClient, settings: Settings, store: Store) -> None:
    attribute(settings, store)
    assert _proposed(store)
    r = client.post("/api/v1/judgements/attributions", json={
        "identifier_type": "IMEI", "identifier": estate.IMEI, "prison_number": estate.OWNER,
        "verdict": "REJECTED", "reason": "phone belongs to a visitor, per search"})
    assert r.status_code == 201, r.text
    attribute(settings, store)
    assert _proposed(store) == []
    assert client.post(f"/api/v1/judgements/{r.json()['id']}/undo").status_code == 200
    attribute(settings, store)
    assert _proposed(store)
