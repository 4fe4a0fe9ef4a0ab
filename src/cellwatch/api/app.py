"""The API application factory: ``create_app(settings) -> FastAPI``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from cellwatch import web
from cellwatch.access.throttle import AddressThrottle
from cellwatch.api import operator, problems
from cellwatch.api.deps import check_text
from cellwatch.api.middleware import RequestMiddleware
from cellwatch.api.routers import (
    alerts,
    audit,
    auth,
    cases,
    crime_referrals,
    establishments,
    guard,
    identifiers,
    ingest,
    intelligence,
    judgements,
    organisations,
    prisoners,
    protected_persons,
    referral_outcomes,
    referrals,
    stats,
    takedowns,
    targeting,
    tro,
)
from cellwatch.api.schemas import Problem
from cellwatch.lake.shared import SharedLake
from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

PREFIX = "/api/v1"
ROUTERS = (auth, organisations, establishments, prisoners, intelligence, cases, referrals,
           ingest, audit, identifiers, stats, targeting, alerts, crime_referrals, tro,
           takedowns, judgements, operator, guard, protected_persons, referral_outcomes)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the API over ``store`` (opened and migrated from ``settings`` when not given)."""
    settings.signing_key()  # fail at start-up, not at the first sign-in, if no key can be had
    shared_lake = SharedLake(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        shared_lake.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cellwatch",
        version="1",
        summary="Find, attribute and disconnect contraband phones used from prisons.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        dependencies=[Depends(check_text)],
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    # The lake connection the API's look-ups and the web's pages share (one per process).
    app.state.lake = shared_lake
    problems.install(app)
    app.add_middleware(RequestMiddleware)  # request ids, security headers, 5xx logged
    app.state.signin_throttle = AddressThrottle(settings.signin_address_failures_per_minute)
    for module in ROUTERS:
        app.include_router(module.router, prefix=PREFIX, responses=problems.PROBLEM_RESPONSES)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # The analysts' pages: same process, store and lake connection.
    web.mount(app, settings, app.state.store, shared_lake)
    return app


def _openapi(app: FastAPI) -> dict[str, object]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema()
        app.openapi_schema = problems.document_errors(schema)
    return app.openapi_schema
