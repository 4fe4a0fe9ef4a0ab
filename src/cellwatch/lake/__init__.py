"""The append-only columnar event lake: Parquet files, DuckDB over them, Spark later.

Public API::

    Lake(settings).connect(reference=False) -> duckdb connection with views
    Lake(settings).query(sql, params) -> pyarrow.Table
    Lake(settings).count(kind, by=()) -> pyarrow.Table
    attach_reference(con, store)
    append_batch(con, lake_root, kind, batch_id, select_sql) -> int
    remove_batch(lake_root, kind, batch_id) -> int
    lake_status(settings) -> dict
    AnalyticEngine, DuckDBEngine, Dialect, SparkDialect
"""

from cellwatch.lake.analytic_engine import AnalyticEngine, Dialect, DuckDBEngine, SparkDialect
from cellwatch.lake.append import append_batch, remove_batch
from cellwatch.lake.layout import (
    CALL_RECORD_SCHEMA,
    CALL_RECORDS,
    DETECTION_SCHEMA,
    DETECTIONS,
    KINDS,
)
from cellwatch.lake.parquet_lake import Lake
from cellwatch.lake.reference import REFERENCE_TABLES, attach_reference
from cellwatch.lake.status import lake_status

__all__ = [
    "CALL_RECORDS",
    "CALL_RECORD_SCHEMA",
    "DETECTIONS",
    "DETECTION_SCHEMA",
    "KINDS",
    "REFERENCE_TABLES",
    "AnalyticEngine",
    "Dialect",
    "DuckDBEngine",
    "Lake",
    "SparkDialect",
    "append_batch",
    "attach_reference",
    "lake_status",
    "remove_batch",
]
