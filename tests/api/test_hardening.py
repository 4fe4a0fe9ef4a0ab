"""Hardening: SQL metacharacters in every list filter, and sign-in work that never varies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

Login = Callable[[str], dict[str, str]]

NASTY = ["' OR '1'='1", "x'; DROP TABLE prisoners; --", "%", "_", "\\", "\" OR 1=1 --",
         "A1111AA' --", "%' UNION SELECT password_hash FROM users --"]
# Every free-text filter of every list, with the user allowed to call it.
FILTERS = [("/api/v1/prisoners", "establishment", "nat_analyst"),
           ("/api/v1/prisoners", "surname", "nat_analyst"),
           ("/api/v1/prisoners", "prison_number", "nat_analyst"),
           ("/api/v1/intelligence", "establishment", "nat_analyst"),
           ("/api/v1/intelligence", "subject", "nat_analyst"),
           ("/api/v1/establishments", "region", "nat_analyst"),
           ("/api/v1/users", "org", "nat_admin"),
           ("/api/v1/ingest/batches", "kind", "nat_admin"),
           ("/api/v1/quarantine", "kind", "nat_admin"),
           ("/api/v1/audit", "principal", "nat_admin"),
           ("/api/v1/audit", "action", "nat_admin")]


@pytest.mark.parametrize(("path", "name", "user"), FILTERS)
def test_sql_metacharacters_in_list_filters_match_nothing_and_break_nothing(
        client: TestClient, login: Login, path: str, name: str, user: str) -> None:
    headers = login(user)
    everything = client.get(path, headers=headers)
    assert everything.status_code == 200
    for value in NASTY:
        r = client.get(path, headers=headers, params={name: value})
        # Refused as too long for the field, or run as a bound value that matches nothing.
        assert r.status_code in (200, 422), (value, r.text)
        if r.status_code == 200:
            assert r.json() == [] or path.endswith("/audit"), (value, r.json())
    # Still all there afterwards: nothing was dropped or changed.
    assert client.get(path, headers=headers).status_code == 200
    assert client.get("/api/v1/prisoners", headers=login("nat_analyst")).json()


def test_unknown_user_and_wrong_password_both_verify_one_argon2_hash(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: Any) -> bool:
        calls.append(hash[:9])
        return original(self, hash, password)

    # A spy on the third-party hasher (the edge), not a fake of our own code.
    monkeypatch.setattr(PasswordHasher, "verify", counting)
    outcomes = {}
    for username, password in (("hei_analyst", "wrong password, long enough"),
                               ("nobody_at_all", "wrong password, long enough"),
                               ("x" * 500, "p"), ("hei_analyst", "p" * 5000)):
        calls.clear()
        r = client.post("/api/v1/auth/token", data={"username": username,
                                                    "password": password})
        outcomes[username[:20]] = r.json()["detail"]
        assert r.status_code == 401
        assert calls == ["$argon2id"], (username, calls)
    assert len(set(outcomes.values())) == 1
