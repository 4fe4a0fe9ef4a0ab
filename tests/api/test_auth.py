"""Password and token handling against the obvious attacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import update

from cellwatch.access import directory
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import Organisation
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.access.tokens import ALGORITHM, AUDIENCE, issue_token
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow

Login = Callable[[str], dict[str, str]]
ME = "/api/v1/auth/me"


def _token(client: TestClient, username: str, password: str) -> int:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return r.status_code


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    bad = client.post("/api/v1/auth/token", data={"username": "hei_analyst", "password": "x"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert bad.status_code == unknown.status_code == 401
    assert bad.json()["detail"] == unknown.json()["detail"]
    assert bad.headers["www-authenticate"] == "Bearer"
    assert _token(client, "hei_analyst", PASSWORD) == 200


def test_sql_metacharacters_in_credentials(client: TestClient) -> None:
    for name in ("' OR '1'='1", "hei_analyst'--", "hei_analyst\" OR \"\"=\""):
        assert _token(client, name, PASSWORD) == 401
    assert _token(client, "hei_analyst", "' OR '1'='1") == 401


def test_no_token_bad_token_and_wrong_algorithm(client: TestClient, settings: Settings) -> None:
    assert client.get(ME).status_code == 401
    assert client.get(ME, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    unsigned = jwt.encode({"sub": "nat_admin", "ver": 0, "aud": AUDIENCE}, key=None,
                          algorithm="none")
    assert client.get(ME, headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401
    forged = jwt.encode({"sub": "nat_admin", "ver": 0, "iat": utcnow(), "jti": "x",
                         "exp": utcnow() + timedelta(minutes=5), "aud": AUDIENCE},
                        "not-the-key-not-the-key-not-the-key!", algorithm=ALGORITHM)
    assert client.get(ME, headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_expired_token(client: TestClient, settings: Settings) -> None:
    now = utcnow()
    expired = jwt.encode({"sub": "hei_analyst", "ver": 0, "iat": now - timedelta(hours=2),
                          "jti": "x", "exp": now - timedelta(hours=1), "aud": AUDIENCE},
                         settings.signing_key(), algorithm=ALGORITHM)
    r = client.get(ME, headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert r.json()["detail"] == "token expired"


def test_a_token_is_only_its_own_user(client: TestClient, login: Login) -> None:
    headers = login("hei_analyst")
    assert client.get(ME, headers=headers).json()["username"] == "hei_analyst"
    # The same token cannot reach what another user could.
    assert client.get("/api/v1/prisoners/A3333CC",
                      headers={**headers, "Cellwatch-Reason": "x"}).status_code == 404


def test_system_cannot_be_reached_through_the_api(client: TestClient, settings: Settings) -> None:
    token = issue_token(settings, "system", 0)
    assert client.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_disabled_user_and_password_change_revoke_tokens(client: TestClient, login: Login,
                                                        store: Store) -> None:
    headers = login("lei_analyst")
    directory.set_password(Access(store, SYSTEM), "lei_analyst", "a brand new password")
    assert client.get(ME, headers=headers).status_code == 401
    assert _token(client, "lei_analyst", "a brand new password") == 200
    headers = login("hei_analyst")
    directory.set_active(Access(store, SYSTEM), "hei_analyst", False)
    assert client.get(ME, headers=headers).status_code == 401
    assert _token(client, "hei_analyst", PASSWORD) == 401


def test_revocation_holds_from_the_very_next_request(client: TestClient, login: Login,
                                                    store: Store) -> None:
    """Nothing about the principal is cached between requests: a token that has just
    worked is refused on the next request once its user or organisation is disabled."""
    headers = login("wm_analyst")
    assert client.get(ME, headers=headers).status_code == 200
    directory.set_active(Access(store, SYSTEM), "wm_analyst", False)
    assert client.get(ME, headers=headers).status_code == 401
    directory.set_active(Access(store, SYSTEM), "wm_analyst", True)
    # Disabling bumped the token version: the old token stays dead, a new one works.
    assert client.get(ME, headers=headers).status_code == 401
    headers = login("wm_analyst")
    assert client.get(ME, headers=headers).status_code == 200
    with store.session() as s:
        s.execute(update(Organisation).where(Organisation.code == "WMROCU")
                  .values(active=False))
    assert client.get(ME, headers=headers).status_code == 401


def test_admin_creates_users_only_in_own_org(client: TestClient, login: Login) -> None:
    lei_admin = login("lei_admin")
    body = {"username": "new_lei", "org": "LEI-SIT", "roles": ["analyst"],
            "password": "long enough password"}
    assert client.post("/api/v1/users", json=body, headers=lei_admin).status_code == 201
    body = {**body, "username": "sneaky", "org": "NIU"}
    assert client.post("/api/v1/users", json=body, headers=lei_admin).status_code == 403
    # A role the kind of organisation cannot hold is refused.
    body = {**body, "username": "pcm", "org": "LEI-SIT", "roles": ["parole_case_manager"]}
    r = client.post("/api/v1/users", json=body, headers=lei_admin)
    assert r.status_code == 422
    assert _token(client, "new_lei", "long enough password") == 200
