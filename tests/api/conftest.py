"""The API over the fixture estate, on every engine, and a way to sign in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """A client of the API over the fixture estate."""
    build_estate(store)
    with TestClient(create_app(settings, store=store)) as c:
        yield c


@pytest.fixture
def login(client: TestClient) -> Callable[[str], dict[str, str]]:
    """``login("hei_analyst")``: the Authorization header of a fresh token."""

    def sign_in(username: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return sign_in
