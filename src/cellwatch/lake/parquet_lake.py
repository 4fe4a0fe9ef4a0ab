"""The append-only Parquet event lake and DuckDB connections over it."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cellwatch.lake.analytic_engine import duckdb_errors, quoted, read_parquet_sql, run_sql
from cellwatch.lake.layout import (
    DUCKDB_TYPES,
    FILE_SCHEMAS,
    KINDS,
    PARTITIONS,
    STAGING_DIR,
    check_kind,
    has_data_files,
    kind_dir,
    kind_glob,
)
from cellwatch.settings import Settings


class Lake:
    """The event lake of one cellwatch home.

    >>> con = Lake(settings).connect()
    >>> con.sql("SELECT establishment, count(*) FROM detections GROUP BY 1").fetchall()
    """

    def __init__(self, settings: Settings, memory_limit: str | None = None) -> None:
        self.settings = settings
        self.root: Path = settings.lake_dir
        # The default (settings.lake_memory_limit, 1GB) sits below the 2 GiB the lake
        # promises for a 10M-row ingest, leaving room for Python.
        self.memory_limit = memory_limit or settings.lake_memory_limit

    @property
    def staging(self) -> Path:
        """Where batches are written before they are renamed into place."""
        return self.root / STAGING_DIR

    def connect(self, *, reference: bool = False, views: bool = True,
                database: Path | None = None) -> duckdb.DuckDBPyConnection:
        """A new in-memory DuckDB connection with ``detections`` and ``call_records`` views.

        With ``reference=True`` the store's reference tables are loaded too
        (:func:`cellwatch.lake.reference.attach_reference`); with ``views=False`` the lake
        views are not made (binding them lists every file, which an ingest never needs).
        With ``database`` the connection's own tables live in that file, not in memory, so
        DuckDB can evict them when they outgrow its memory limit.
        """
        self.staging.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(database) if database is not None else ":memory:",
                             config={"memory_limit": self.memory_limit, "threads": _threads()})
        with duckdb_errors("configure connection"):
            run_sql(con, "SET TimeZone = 'UTC'")
            # Spill to the lake's own disk, not the system's temporary directory.
            run_sql(con, "SET temp_directory = ?", [str(self.staging / "duckdb-tmp")])
        if views:
            self.refresh_views(con)
        if reference:
            from cellwatch.lake.reference import attach_reference
            from cellwatch.store import open_store

            store = open_store(self.settings, migrate=False)
            try:
                attach_reference(con, store)
            finally:
                store.dispose()
        return con

    def refresh_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """(Re)create the kind views, e.g. after files were added through another connection."""
        for kind in KINDS:
            sql = view_sql(self.root, kind)
            with duckdb_errors(sql):
                run_sql(con, sql)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run one query over a fresh connection (with reference tables) and return Arrow."""
        con = self.connect(reference=True)
        try:
            with duckdb_errors(sql):
                return con.sql(sql, params=params or None).to_arrow_table()
        finally:
            con.close()

    def count(self, kind: str, by: Sequence[str] = ()) -> pa.Table:
        """Row counts of ``kind``, grouped by the given columns (e.g. ``["establishment"]``)."""
        check_kind(kind)
        columns = [c for c in by]
        allowed = set(FILE_SCHEMAS[kind].names) | {name for name, _ in PARTITIONS[kind]}
        bad = [c for c in columns if c not in allowed]
        if bad:
            raise ValueError(f"cannot count {kind} by {bad}")
        group = ", ".join(f'"{c}"' for c in columns)
        select = f"{group}, count(*) AS n" if columns else "count(*) AS n"
        tail = f" GROUP BY {group} ORDER BY {group}" if columns else ""
        # kind and columns were checked against the fixed layout above.
        sql = f'SELECT {select} FROM "{kind}"{tail}'  # noqa: S608
        con = self.connect()
        try:
            with duckdb_errors(sql):
                return con.sql(sql).to_arrow_table()
        finally:
            con.close()


def view_sql(root: Path, kind: str, since: date | None = None) -> str:
    """``CREATE OR REPLACE VIEW kind`` over its files, or over no rows when there are none.

    ``read_parquet`` fails on a glob that matches nothing, so an empty lake gets a view
    of the right columns and types that returns zero rows. Every file of a kind has the
    very same schema (:func:`cellwatch.lake.append.append_batch` casts to the layout), so
    the files are not unified by name: that would read every file's footer on each bind,
    seconds per query once a national lake holds tens of thousands of files. With
    ``since`` the view holds only the ``day`` partitions from then on (DuckDB prunes the
    others by their path, unread).
    """
    partitions = PARTITIONS[kind]
    if has_data_files(root, kind):
        source = read_parquet_sql(kind, f"'{quoted(kind_glob(root, kind))}'")
        # A date's ISO text is digits and dashes only.
        where = f" WHERE day >= DATE '{since.isoformat()}'" if since is not None else ""
        return f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM {source}{where}"  # noqa: S608
    columns = [f"CAST(NULL AS {DUCKDB_TYPES[f.type]}) AS {f.name}" for f in FILE_SCHEMAS[kind]] + [
        f"CAST(NULL AS {sqltype}) AS {name}" for name, sqltype in partitions
    ]
    # Fixed names and types from the layout; nothing user-supplied.
    return f"CREATE OR REPLACE VIEW {kind} AS SELECT {', '.join(columns)} WHERE false"


# What an establishment code may be to name its partition directory in a glob.
ESTABLISHMENT_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def establishment_files(root: Path, kind: str, establishments: Sequence[str]) -> list[Path]:
    """The data files of ``kind`` in these establishments' own partition directories.

    The view lists and filters every partition's path on each DuckDB query (6 ms of the
    device page at 185 files); these are listed from the establishments' directories only,
    for :meth:`~cellwatch.lake.analytic_engine.AnalyticEngine.files_source`. ``kind`` must
    be partitioned by establishment first (detections).
    """
    if PARTITIONS[kind][0][0] != "establishment":
        raise ValueError(f"{kind} is not partitioned by establishment")
    levels = "/".join("*" for _ in PARTITIONS[kind][1:])
    files: list[Path] = []
    for code in sorted(set(establishments)):
        if not ESTABLISHMENT_CODE.match(code):
            raise ValueError(f"not an establishment code: {code!r}")
        files += (kind_dir(root, kind) / f"establishment={code}").glob(f"{levels}/*.parquet")
    return sorted(files)


def _threads() -> int:
    return max(1, os.cpu_count() or 1)
