"""The store migrates on every engine, matches its models, and keeps timestamps in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

import cellwatch.tables  # noqa: F401
from cellwatch.errors import StoreError
from cellwatch.store import Base, Establishment, Location, Store


def test_migrations_match_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrate_twice_is_harmless(store: Store) -> None:
    store.migrate()
    assert store.is_initialised()


def test_timestamps_round_trip_as_utc(store: Store) -> None:
    from cellwatch.store import Occupancy, Prisoner

    bst = timezone(timedelta(hours=1))
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)"))
        s.add(Location(code="HEI-A-1-001", establishment="HEI", type="CELL"))
        s.add(Prisoner(prison_number="A1234BC", surname="Smith", forenames="John"))
        s.flush()
        s.add(Occupancy(prison_number="A1234BC", location_code="HEI-A-1-001",
                        start_ts=datetime(2026, 7, 1, 22, 0, tzinfo=bst)))
    with store.session() as s:
        occ = s.scalars(select(Occupancy)).one()
    assert occ.start_ts == datetime(2026, 7, 1, 21, 0, tzinfo=UTC)
    assert occ.start_ts.tzinfo is not None


def test_foreign_keys_are_enforced_and_translated(store: Store) -> None:
    with pytest.raises(StoreError) as info, store.session() as s:
        s.add(Location(code="XXX-A", establishment="XXX", type="WING"))
    assert "store error" in info.value.message


def test_naive_datetimes_are_refused(store: Store) -> None:
    from cellwatch.store import Sensor

    with pytest.raises((StoreError, ValueError)), store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)"))
        s.add(Sensor(sensor_id="S1", establishment="HEI", kind="RF_DETECTOR",
                     active_from=datetime(2026, 1, 1)))


def test_postgres_connections_keep_the_url_options_and_turn_jit_off() -> None:
    from cellwatch.store.engine import _postgres_options

    assert _postgres_options("postgresql+psycopg://u@h/db") == {"options": "-c jit=off"}
    assert _postgres_options("postgresql+psycopg://u@h/db?options=-c%20work_mem%3D8MB") == {
        "options": "-c work_mem=8MB -c jit=off"}


def test_a_read_session_runs_each_statement_on_its_own(store: Store) -> None:
    """``Store.read``: no BEGIN/COMMIT around the statement (on PostgreSQL two round trips
    fewer); each statement is its own transaction, unlike in ``Store.session``."""
    if store.dialect != "postgresql":
        with store.read() as s:
            assert s.scalars(select(Establishment)).all() == []
        return
    stamp = text("SELECT transaction_timestamp(), pg_sleep(0.01)")
    with store.read() as s:
        first, second = (s.execute(stamp).one()[0] for _ in range(2))
    assert first != second
    with store.session() as s:
        first, second = (s.execute(stamp).one()[0] for _ in range(2))
    assert first == second
