"""Shared fixtures: settings in a temporary home, and the store on every configured engine.

The ``store`` fixture runs each test on SQLite and, when ``CELLWATCH_TEST_POSTGRES_URL``
names a server (``.ci/run`` starts one), on PostgreSQL too: one database per xdist worker,
emptied before each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cellwatch.settings import Settings
from cellwatch.store import Store, open_store

POSTGRES_URL = os.environ.get("CELLWATCH_TEST_POSTGRES_URL")

if os.environ.get("CI") and not POSTGRES_URL:
    raise RuntimeError("CI must run the store tests on PostgreSQL: set CELLWATCH_TEST_POSTGRES_URL")

# No deadlines: a shared 2-core CI machine makes timings meaningless, and tests never assert
# on time. Examples stay bounded so the suite stays quick.
hypothesis_settings.register_profile(
    "cellwatch", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("cellwatch")

ENGINES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _worker_database_url(worker: str) -> str:
    """A database of this xdist worker's own on the test server, created on first use."""
    assert POSTGRES_URL is not None
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point CELLWATCH_HOME away from the working tree for every test, whatever it sets later."""
    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path_factory.mktemp("default-home")))
    monkeypatch.delenv("CELLWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("CELLWATCH_PRINCIPAL", raising=False)


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Settings:
    """Settings with a fresh home and a fresh, empty store on each engine."""
    url = None
    if request.param == "postgresql":
        url = _worker_database_url(worker_id)
        _empty_postgres(url)
    return Settings(home=tmp_path / "home", database_url=url, environment="test")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home on SQLite only, for tests that do not touch the store's SQL."""
    return Settings(home=tmp_path / "home", environment="test")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A migrated, empty store on each engine."""
    opened = open_store(settings)
    yield opened
    opened.dispose()
