"""Ingest's one door to the analytic engine: everything an ingest runs in DuckDB.

The vectorised kinds (detections, call records) check, number and clean a file's rows in
SQL and append the good ones to the lake as Parquet. Those steps rest on DuckDB itself,
not on the :class:`~cellwatch.lake.analytic_engine.AnalyticEngine` interface: ``read_csv``
with its reject tables (the line and reason of every unreadable row), ``COPY ... TO``
hive-partitioned Parquet into a staging folder, and a scratch connection with no lake
views. So an ingest runs on DuckDB whatever ``settings.engine`` says, and Spark reads
the files it writes. This module is where that is decided: :mod:`cellwatch.ingest` takes
its connection, statement runner, errors and lake appends from here and from nowhere
else of the engine's (``tests/test_layers.py`` checks), so a Spark ingest would replace
this module, not ingest's modules. The SQL text itself is engine-neutral where it can
be (:mod:`cellwatch.lake.cleaning_sql`, written with the :class:`Dialect`).
"""

from __future__ import annotations

from pathlib import Path

from cellwatch.lake.analytic_engine import (
    Connection,
    Dialect,
    EngineError,
    MissingTable,
    duckdb_errors,
    run_sql,
    scalar,
)
from cellwatch.lake.append import (
    append_batch,
    batch_rows,
    remove_batch,
    remove_stale_staging,
    writer_lock,
)
from cellwatch.lake.parquet_lake import Lake
from cellwatch.lake.reference import attach_reference
from cellwatch.settings import Settings

__all__ = ["Connection", "Dialect", "EngineError", "MissingTable", "append_batch",
           "attach_reference", "batch_rows", "duckdb_errors", "ingest_connection",
           "remove_batch", "remove_stale_staging", "run_sql", "scalar", "writer_lock"]


def ingest_connection(settings: Settings) -> tuple[Connection, Path]:
    """A new DuckDB connection for one ingest (the caller closes it) and the lake root the
    batch is appended under. No lake views: binding them lists every file, which an
    ingest never needs."""
    lake = Lake(settings)
    return lake.connect(views=False), lake.root
