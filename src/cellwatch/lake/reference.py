"""Copy the small reference tables from the relational store into a DuckDB connection.

DuckDB's sqlite scanner is an extension downloaded on first use, which does not work
offline, and PostgreSQL would need another; the reference tables are small (sensors,
locations, prisoners...), so they are read through SQLAlchemy and handed to DuckDB as
Arrow tables. That works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Final

import duckdb
import pyarrow as pa
from sqlalchemy import Boolean, Date, Float, Integer, Table, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import JSON, TypeEngine

from cellwatch.lake.analytic_engine import run_sql
from cellwatch.store import Base, Store, translate
from cellwatch.store.base import UtcDateTime

REFERENCE_TABLES: Final = (
    "establishments",
    "locations",
    "sensors",
    "prisoners",
    "occupancy",
    "allow_list",
    "pin_contacts",
)


def _arrow_type(column_type: TypeEngine[Any]) -> pa.DataType:
    """The Arrow type for a store column type (JSON goes over as text)."""
    if isinstance(column_type, UtcDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(column_type, Boolean):
        return pa.bool_()
    if isinstance(column_type, Integer):
        return pa.int64()
    if isinstance(column_type, Float):
        return pa.float64()
    if isinstance(column_type, Date):
        return pa.date32()
    return pa.string()


def _cell(value: Any, column_type: TypeEngine[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column_type, JSON):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, datetime | date | bool | int | float):
        return value
    return str(value)


def reference_table(store: Store, name: str) -> pa.Table:
    """One reference table of the store as an Arrow table with a fixed schema."""
    table: Table = Base.metadata.tables[name]
    schema = pa.schema([(c.name, _arrow_type(c.type)) for c in table.columns])
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(table)).all()
    except SQLAlchemyError as exc:
        raise translate(exc) from exc
    arrays = [_column([row[i] for row in rows], column.type, field.type)
              for i, (column, field) in enumerate(zip(table.columns, schema, strict=True))]
    return pa.Table.from_arrays(arrays, schema=schema)


def _column(values: list[Any], column_type: TypeEngine[Any], arrow: pa.DataType) -> pa.Array:
    # Arrow takes the driver's values as they come (None, str, numbers, dates, aware
    # datetimes): converting each cell in Python first cost seconds per run on a year's
    # estate. JSON, and anything Arrow refuses, goes through _cell.
    if not isinstance(column_type, JSON):
        try:
            return pa.array(values, type=arrow)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pa.array([_cell(v, column_type) for v in values], type=arrow)


def attach_reference(
    con: duckdb.DuckDBPyConnection, store: Store, tables: tuple[str, ...] = REFERENCE_TABLES
) -> None:
    """Load the store's reference tables into ``con`` as tables of the same names.

    They are copies taken now: call again after the reference data changed.
    """
    for name in tables:
        arrow = reference_table(store, name)
        con.register("_reference_arrow", arrow)
        # The name comes from the fixed REFERENCE_TABLES whitelist (via the metadata).
        sql = f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _reference_arrow'  # noqa: S608
        run_sql(con, sql)
        con.unregister("_reference_arrow")
