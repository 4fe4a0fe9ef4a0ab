"""Signing in through the real sign-in form with FastAPI's TestClient (no browser)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cellwatch.access.fixtures import PASSWORD


def sign_in(client: TestClient, user: str) -> None:
    """Sign ``user`` of the fixture estate in, as the form does (CSRF token included)."""
    client.cookies.clear()
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post("/signin", follow_redirects=False, data={
        "username": user, "password": PASSWORD, "csrf_token": csrf[1], "next": "/"})
    assert answer.status_code == 303, answer.text
