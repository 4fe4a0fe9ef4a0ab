"""The migrations build exactly the tables the models declare, on every engine, and 0009
(the attributions' look-up indexes) goes down and up again with the rows kept."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

import cellwatch.access.models
import cellwatch.alerts.models
import cellwatch.attribution.models
import cellwatch.protect.models
import cellwatch.tro.models  # noqa: F401  (every package's tables on the metadata)
from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.store import Base, Store
from cellwatch.store.engine import alembic_config


def _alembic(store: Store, direction: str, target: str) -> None:
    with store.engine.begin() as connection:
        config = alembic_config(store.url)
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def _indexes(store: Store) -> dict[str, list[str | None]]:
    return {i["name"]: i["column_names"]
            for i in inspect(store.engine).get_indexes("attributions") if i["name"]}


def test_the_migrated_store_is_what_the_models_declare(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_attribution_lookup_indexes_migrate_down_and_up(store: Store) -> None:
    with store.session() as s:
        run = AttributionRun(engine="duckdb", run_by="system", params={})
        s.add(run)
        s.flush()
        s.add(Attribution(run_id=run.id, identifier_type="IMEI", identifier="353456789012348",
                          prison_number="A1111AA", probability=0.9, rank=1,
                          valid_from=date(2026, 1, 1), valid_to=date(2026, 1, 1)))
    assert _indexes(store)["ix_attributions_identifier_run"] == ["identifier", "run_id"]
    assert _indexes(store)["ix_attributions_prison_number_run"] == ["prison_number", "run_id"]
    _alembic(store, "downgrade", "attribution@0003_attribution")
    assert "ix_attributions_identifier_run" not in _indexes(store)
    assert _indexes(store)["ix_attributions_identifier"] == ["identifier"]
    _alembic(store, "upgrade", "heads")
    assert "ix_attributions_identifier" not in _indexes(store)
    with store.session() as s:
        assert s.scalars(select(Attribution.prison_number)).all() == ["A1111AA"]
