"""What a rule detector gets: settings, the store, the day it runs for, and the lake.

It lives with the lake because it opens the engine connection; its errors are the
lake's own (:func:`~cellwatch.lake.analytic_engine.duckdb_errors`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from cellwatch.lake.analytic_engine import duckdb_errors
from cellwatch.lake.parquet_lake import Lake
from cellwatch.settings import Settings
from cellwatch.store import Store


@dataclass
class RuleContext:
    """One rules run; the lake connection is opened on first use and closed by the engine."""

    settings: Settings
    store: Store
    as_of: date
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @classmethod
    def over(cls, settings: Settings, store: Store, as_of: date,
             con: duckdb.DuckDBPyConnection) -> RuleContext:
        """A context reading through ``con``, an open lake connection (a cursor on the web's
        long-lived one, say): no connection or views made per use. :meth:`close` closes
        ``con``, so pass a cursor of one's own."""
        return cls(settings, store, as_of, con)

    def lake(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the ``detections`` and ``call_records`` views."""
        if self._con is None:
            self._con = Lake(self.settings).connect()
        return self._con

    def query(self, sql: str,
              tables: dict[str, pa.Table] | None = None) -> list[dict[str, Any]]:
        """Run SQL on the lake with ``tables`` registered under their names; rows as dicts."""
        con = self.lake()
        try:
            with duckdb_errors(sql):
                for name, table in (tables or {}).items():
                    con.register(name, table)
                result: pa.Table = con.sql(sql).to_arrow_table()
            rows: list[dict[str, Any]] = result.to_pylist()
            return rows
        finally:
            for name in tables or {}:
                con.unregister(name)

    def close(self) -> None:
        """Close the lake connection if one was opened."""
        if self._con is not None:
            self._con.close()
            self._con = None
