"""Every response carries a request id and the security headers; a 5xx is logged with the id."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cellwatch.api import create_app
from cellwatch.api.middleware import content_security_policy
from cellwatch.errors import StoreError
from cellwatch.settings import Settings
from cellwatch.store import Store

HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options",
           "referrer-policy", "x-request-id")


@pytest.fixture
def app_client(settings: Settings, store: Store) -> Iterator[TestClient]:
    app = create_app(settings, store=store)

    def crash() -> None:
        raise RuntimeError("a bug nobody caught")

    def store_failure() -> None:
        raise StoreError("store error: disk I/O error", sql="SELECT 1")

    # Routes of the test's own that fail the two ways a handler can.
    app.add_api_route("/test-only/crash", crash)
    app.add_api_route("/test-only/store", store_failure)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/v1/auth/me", "/signin", "/api/v1/no-such-thing",
                                  "/static/cellwatch.css", "/api/v1/openapi.json"])
def test_security_headers_on_every_response(app_client: TestClient, path: str) -> None:
    response = app_client.get(path)
    for name in HEADERS:
        assert name in response.headers, (path, name)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_csp_allows_no_inline_script_but_the_layouts_own() -> None:
    csp = content_security_policy()
    script = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script
    # base.html has two inline scripts (the js-enabled class and GOV.UK Frontend's start).
    assert script.count("'sha256-") == 2


def test_request_ids_differ(app_client: TestClient) -> None:
    ids = {app_client.get("/signin").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("path", ["/test-only/crash", "/test-only/store"])
def test_server_errors_are_logged_with_the_request_id(
        app_client: TestClient, caplog: pytest.LogCaptureFixture, path: str) -> None:
    with caplog.at_level(logging.ERROR, logger="cellwatch.api"):
        response = app_client.get(path)
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert response.json()["request_id"] == request_id
    assert response.json()["detail"] == "internal error"  # nothing of the SQL or the bug
    assert "content-security-policy" in response.headers
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged, caplog.text
    assert any(r.exc_info for r in logged)


def test_csp_hashes_match_the_inline_scripts_pages_serve(app_client: TestClient) -> None:
    import base64
    import hashlib
    import re

    page = app_client.get("/signin")
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.text, re.S)
    assert len(inline) == 2
    csp = page.headers["content-security-policy"]
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
