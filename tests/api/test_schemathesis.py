"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation is called in-process (ASGI) as a signed-in supervisor with generated
parameters and bodies; whatever it is sent, the API must never answer with a 5xx, and
every answer must be one its schema documents: a documented status code, the documented
content type and a body matching the documented schema. Examples are bounded (``EXAMPLES``
per operation) so the run takes about a minute; SQLite only (the engines' behaviour is
covered by the other API tests, the access matrix among them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.schemas import APIOperation

from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import open_store

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


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


def _fuzz(operation: APIOperation, api: Api, calls: list[int]) -> None:
    @given(case=operation.as_strategy())
    # No shrinking: a failure is reported as found (shrinking one can take minutes).
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        calls.append(1)
        response = case.call(headers=api.headers)
        case.validate_response(response, checks=CHECKS)

    run()


def test_every_operation_answers_as_documented(api: Api) -> None:
    # schemathesis' own pytest plugin does not load under this pytest, so each operation's
    # strategy is driven with Hypothesis directly; every failing operation is reported.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)
    failures: dict[str, str] = {}
    operations = 0
    calls: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        started = time.monotonic()
        try:
            _fuzz(operation, api, calls)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures[operation.label] = str(exc)[:2000]
        # Printed, never asserted (timing is not a test's business): where the time goes.
        print(f"{operation.label}: {time.monotonic() - started:.1f} s", flush=True)
    print(f"schemathesis: {operations} operations, {len(calls)} examples", flush=True)
    documented = [m for item in api.app.openapi()["paths"].values() for m in item]
    assert operations == len(documented)  # every operation of the document, none skipped
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
