"""Choosing the analytic engine: DuckDB by default, Spark when settings say so.

``CELLWATCH_ENGINE=spark`` (``Settings.engine``) makes every caller of
:func:`engine_for` run its analytics on Spark, with no change to the analytic SQL::

    engine = engine_for(settings)              # the configured engine, lake views ready
    load_reference(engine, store)              # the store's reference tables, same names
    engine.run("SELECT count(*) AS n FROM detections")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from cellwatch.lake.analytic_engine import AnalyticEngine, DuckDBEngine
from cellwatch.lake.parquet_lake import Lake
from cellwatch.lake.reference import REFERENCE_TABLES, reference_table
from cellwatch.settings import Settings

if TYPE_CHECKING:  # pragma: no cover - pyspark is optional
    from pyspark.sql import SparkSession

    from cellwatch.store import Store

ENGINES: Final = ("duckdb", "spark")


def engine_for(
    settings: Settings,
    kind: str | None = None,
    *,
    memory_limit: str | None = None,
    session: SparkSession | None = None,
    scratch: Path | None = None,
) -> AnalyticEngine:
    """An engine over the lake of ``settings``: ``kind`` or else ``settings.engine``.

    ``memory_limit`` applies to DuckDB, and so does ``scratch``: a new database file for
    the engine's materialised tables (removed on close), for work larger than memory.
    ``session`` lets Spark reuse a running session (tests, a cluster), otherwise one is
    started on ``settings.spark_master``.
    """
    chosen = kind or settings.engine
    if chosen == "duckdb":
        lake = Lake(settings, memory_limit=memory_limit)
        return DuckDBEngine(lake.connect(database=scratch), scratch=scratch)
    if chosen == "spark":
        # Imported here: pyspark is optional and slow to import.
        from cellwatch.lake.spark import SparkEngine, session_for

        if session is None:
            session, started = session_for(settings.spark_master, settings.spark_driver_memory)
            engine = SparkEngine(session, owns_session=started)
        else:
            engine = SparkEngine(session)
        engine.refresh_views(settings.lake_dir)
        return engine
    raise ValueError(f"unknown engine {chosen!r}; choose one of {', '.join(ENGINES)}")


def load_reference(
    engine: AnalyticEngine, store: Store, tables: tuple[str, ...] = REFERENCE_TABLES,
    prefix: str = "",
) -> None:
    """Register the store's reference tables in ``engine`` as ``prefix + name``.

    The engine-neutral form of :func:`cellwatch.lake.reference.attach_reference`: a
    registered Arrow table is a DuckDB view or a Spark temporary view.
    """
    for name in tables:
        engine.register(f"{prefix}{name}", reference_table(store, name))
