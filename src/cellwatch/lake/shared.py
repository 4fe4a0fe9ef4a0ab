"""The serving process's one DuckDB connection over the lake, shared by the API and the web.

Opening a connection and its views per request cost most of a page's or a look-up's time
(the device page, ``GET /api/v1/identifiers/...``). The server keeps one, with the Parquet
footers cached (the lake is append-only, so a file's footer never changes), and each
request reads through a cursor of its own::

    shared = SharedLake(settings)
    with shared.engine() as engine:      # a DuckDBEngine over a fresh cursor
        rows = detection_heat(engine, since)
    shared.close()                       # at shutdown
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cellwatch.lake.analytic_engine import Connection, DuckDBEngine
from cellwatch.lake.layout import KINDS, has_data_files
from cellwatch.lake.parquet_lake import Lake
from cellwatch.settings import Settings


class SharedLake:
    """One lake connection for a process's life; a cursor per reader (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connection: Connection | None = None
        self._empty: set[str] = set()  # kinds whose view was made before they had files
        self._lock = threading.Lock()

    @contextmanager
    def cursor(self) -> Iterator[Connection]:
        """A cursor on the shared connection (views remade once a kind first has data)."""
        with self._lock:
            lake = Lake(self.settings)
            if self._connection is None:
                self._connection = lake.connect()
                # GLOBAL: a plain SET holds for this connection only, and every reader
                # takes a cursor of its own (a new connection to the same database).
                self._connection.execute("SET GLOBAL parquet_metadata_cache = true")
                self._empty = self._empty_kinds(lake)
            elif self._empty and any(has_data_files(lake.root, k) for k in self._empty):
                # A view made over an empty lake selects no rows; remake it over the files.
                lake.refresh_views(self._connection)
                self._empty = self._empty_kinds(lake)
            cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def engine(self) -> Iterator[DuckDBEngine]:
        """The latency path's engine: DuckDB over a cursor of :meth:`cursor`."""
        with self.cursor() as cursor:
            # Not closed here: the cursor is cursor()'s to close.
            yield DuckDBEngine(cursor)

    def close(self) -> None:
        """Close the shared connection (the process is shutting down)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @staticmethod
    def _empty_kinds(lake: Lake) -> set[str]:
        return {kind for kind in KINDS if not has_data_files(lake.root, kind)}
