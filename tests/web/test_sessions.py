"""Web sessions live on the server: sign-out, the idle and the absolute limit end them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_client import sign_in

from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.models import AuditEntry, SignInSession
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow
from cellwatch.web.session import COOKIE


@pytest.fixture
def web(settings: Settings, store: Store) -> Iterator[TestClient]:
    build_estate(store)
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def _signed_in(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def _csrf(client: TestClient, path: str = "/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found[1]


def test_a_cookie_copied_before_sign_out_is_dead_after(web: TestClient, store: Store) -> None:
    sign_in(web, "hei_analyst")
    assert _signed_in(web)
    stolen = web.cookies[COOKIE]
    web.post("/signout", data={"csrf_token": _csrf(web)}, follow_redirects=False)
    web.cookies.clear()
    web.cookies.set(COOKIE, stolen)
    assert not _signed_in(web)
    with store.session() as s:
        record = s.scalars(select(SignInSession)).one()
        assert record.end_reason == "signed out"
        assert s.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "web.sign_out")).one()


@pytest.mark.parametrize(("column", "age", "reason"), [
    ("last_seen_at", timedelta(minutes=61), "idle limit"),
    ("created_at", timedelta(hours=10, minutes=1), "absolute limit"),
])
def test_sessions_end_at_the_idle_and_absolute_limits(
        web: TestClient, store: Store, column: str, age: timedelta, reason: str) -> None:
    sign_in(web, "hei_analyst")
    assert _signed_in(web)
    with store.session() as s:
        s.execute(update(SignInSession).values({column: utcnow() - age}))
    assert not _signed_in(web)
    with store.session() as s:
        assert s.scalars(select(SignInSession.end_reason)).one() == reason


def test_an_active_session_stays(web: TestClient, store: Store) -> None:
    sign_in(web, "hei_analyst")
    with store.session() as s:
        s.execute(update(SignInSession).values(last_seen_at=utcnow() - timedelta(minutes=30)))
    assert _signed_in(web)
    with store.session() as s:
        seen = s.scalars(select(SignInSession.last_seen_at)).one()
    assert utcnow() - seen < timedelta(minutes=5)  # the visit was recorded


def test_the_sign_in_form_locks_out_after_repeated_failures(
        web: TestClient, settings: Settings) -> None:
    for _ in range(settings.signin_max_failures):
        page = web.post("/signin", data={"username": "hei_analyst", "password": "wrong",
                                         "csrf_token": _csrf(web, "/signin"), "next": "/"})
        assert page.status_code == 401
    page = web.post("/signin", data={"username": "hei_analyst", "password": PASSWORD,
                                     "csrf_token": _csrf(web, "/signin"), "next": "/"},
                    follow_redirects=False)
    assert page.status_code == 429
    assert "too many failed sign-ins" in page.text
    assert not _signed_in(web)
