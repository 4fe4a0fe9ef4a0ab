"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation is called in-process (ASGI) as a signed-in supervisor with generated
parameters and bodies; whatever it is sent, the API must never answer with a 5xx.
Examples are bounded so the run takes well under a minute; SQLite only (the engines'
behaviour is covered by the other API tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation

from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import open_store


@dataclass(frozen=True)
class Api:
    """The app under test and the headers of a signed-in user."""

    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Api:
    """The API over the fixture estate, on a SQLite store of its own, and a token."""
    home: Path = tmp_path_factory.mktemp("schemathesis") / "home"
    cfg = Settings(home=home, environment="test", max_upload_bytes=64 * 1024)
    store = open_store(cfg)
    build_estate(store)
    app = create_app(cfg, store=store)
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token",
                        data={"username": "hei_supervisor", "password": PASSWORD})
        assert r.status_code == 200, r.text
    return Api(app, {"Authorization": f"Bearer {r.json()['access_token']}"})


def _fuzz(operation: APIOperation, api: Api) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=6, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=api.headers)
        case.validate_response(response, checks=[not_a_server_error])

    run()


def test_no_operation_answers_with_a_server_error(api: Api) -> None:
    # schemathesis' own pytest plugin does not load under this pytest, so each operation's
    # strategy is driven with Hypothesis directly; every failing operation is reported.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, api)
        except Exception as exc:
            failures[operation.label] = str(exc)[:2000]
    assert operations > 20
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
