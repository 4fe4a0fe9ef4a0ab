"""What a rule detector gets: settings, the store, the day it runs for, and the lake.

It lives with the lake because it opens the analytic engine; its errors are the engine's
own (:class:`~cellwatch.errors.LakeError` with the SQL). Its SQL goes through the
:class:`~cellwatch.lake.analytic_engine.AnalyticEngine` interface, so a context over a
Spark engine (:meth:`RuleContext.over`) runs the same reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from cellwatch.lake.analytic_engine import AnalyticEngine, Dialect
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.store import Store


@dataclass
class RuleContext:
    """One rules run; the engine is opened on first use and closed by :meth:`close`."""

    settings: Settings
    store: Store
    as_of: date
    _engine: AnalyticEngine | None = field(default=None, repr=False)

    @classmethod
    def over(cls, settings: Settings, store: Store, as_of: date,
             engine: AnalyticEngine) -> RuleContext:
        """A context reading through ``engine`` (DuckDB over a cursor on the web's long-lived
        connection, say): no connection or views made per use. :meth:`close` closes
        ``engine``, so pass one of one's own."""
        return cls(settings, store, as_of, engine)

    def engine(self) -> AnalyticEngine:
        """The engine with the ``detections`` and ``call_records`` views: DuckDB unless
        :meth:`over` gave one (``engine_for(settings)`` for the configured engine).

        DuckDB whatever ``settings.engine`` says: the parole summary page and the
        statements open a context per request, and a page must not wait for a Spark job.
        """
        if self._engine is None:
            self._engine = engine_for(self.settings, "duckdb")
        return self._engine

    @property
    def dialect(self) -> Dialect:
        """The SQL spelling of :meth:`engine`, for analytics written against a dialect."""
        return self.engine().dialect

    def query(self, sql: str,
              tables: dict[str, pa.Table] | None = None) -> list[dict[str, Any]]:
        """Run SQL on the lake with ``tables`` registered under their names; rows as dicts."""
        engine = self.engine()
        try:
            for name, table in (tables or {}).items():
                engine.register(name, table)
            rows: list[dict[str, Any]] = engine.run(sql).to_pylist()
            return rows
        finally:
            for name in tables or {}:
                engine.unregister(name)

    def close(self) -> None:
        """Close the engine if one was opened."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None
