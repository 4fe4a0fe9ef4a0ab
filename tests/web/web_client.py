"""Signing in through the real sign-in form with FastAPI's TestClient (no browser)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.store import Store


def estate_with_liaisons(store: Store) -> None:
    """The fixture estate plus operators' liaisons in organisations that see prisons by
    geography: the national unit (every establishment) and Hewell's own team."""
    build_estate(store)
    admin = Access(store, SYSTEM)
    create_user(admin, "nat_liaison", "NIU", ["operator_liaison"], PASSWORD)
    create_user(admin, "hei_liaison", "HEI-SIT", ["operator_liaison"], PASSWORD)


def sign_in(client: TestClient, user: str) -> None:
    """Sign ``user`` of the fixture estate in, as the form does (CSRF token included)."""
    client.cookies.clear()
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post("/signin", follow_redirects=False, data={
        "username": user, "password": PASSWORD, "csrf_token": csrf[1], "next": "/"})
    assert answer.status_code == 303, answer.text
