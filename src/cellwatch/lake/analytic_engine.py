"""The analytic engine interface: one protocol, DuckDB now, Spark for national scale.

Analytics are pure functions that return SQL text (Splink style). The few places
where DuckDB and Spark SQL disagree are methods of :class:`Dialect`, so one analytic
definition runs on both engines::

    def hourly_counts(d: Dialect) -> str:
        return f"SELECT {d.trunc('hour', 'ts')} AS hour, count(*) AS n FROM detections GROUP BY 1"

    engine.run(hourly_counts(engine.dialect))
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from cellwatch.errors import LakeError
from cellwatch.lake.layout import PARTITIONS


class Dialect:
    """SQL that differs between engines; the base class is DuckDB's."""

    name: ClassVar[str] = "duckdb"

    def column(self, name: str) -> str:
        """A column name quoted, so that one named like a keyword (``by``, ``at``) reads."""
        return '"' + name.replace('"', '""') + '"'

    def trunc(self, unit: str, column: str) -> str:
        """Truncate a timestamp to ``unit`` (second, minute, hour, day, week, month)."""
        return f"date_trunc('{_unit(unit)}', {column})"

    def hash_hex(self, expression: str) -> str:
        """A stable hexadecimal digest of a string (MD5 on both engines)."""
        return f"md5({expression})"

    def row_hash(self, columns: Sequence[str]) -> str:
        """A 64-bit hash of a row's values (each engine its own: compare within one)."""
        return f"CAST(hash({', '.join(columns)}) AS DECIMAL(20, 0))"

    def array_agg(self, expression: str) -> str:
        """Collect values of a group into a list."""
        return f"list({expression})"

    def array_agg_distinct(self, expression: str) -> str:
        """Collect the distinct values of a group into a list."""
        return f"list(DISTINCT {expression})"

    def sorted_join(self, expression: str, separator: str) -> str:
        """A group's text values, sorted and joined by ``separator`` (a fixed literal)."""
        return f"array_to_string(list_sort(list({expression})), '{separator}')"

    def regexp_replace_all(self, expression: str, pattern: str, replacement: str) -> str:
        """Replace every match of ``pattern`` (a SQL string literal's content)."""
        return f"regexp_replace({expression}, '{pattern}', '{replacement}', 'g')"

    def epoch_seconds(self, column: str) -> str:
        """Seconds since 1970 of a timestamp, as a double."""
        return f"epoch_us({column}) / 1e6"

    def to_local(self, column: str, zone: str = "Europe/London") -> str:
        """A UTC timestamp as wall-clock time in ``zone`` (a naive timestamp)."""
        return f"timezone('{zone}', {column})"

    def bit_field(self, column: str, shift: int, width: int) -> str:
        """The ``width``-bit unsigned field at bit ``shift`` of integer ``column``.

        >>> Dialect().bit_field("p", 12, 12)
        '((p >> 12) & 4095)'
        """
        return f"(({column} >> {int(shift)}) & {(1 << int(width)) - 1})"

    def int_unnest(self, start: int, stop: int) -> str:
        """A select-list expression giving each row once per integer ``start`` .. ``stop - 1``.

        A generator in the select list rather than a cross join: without broadcast joins
        Spark runs a cross join as a cartesian product, which is slow even against five rows.

        >>> Dialect().int_unnest(-2, 3)
        'unnest(range(-2, 3))'
        """
        return f"unnest(range({int(start)}, {int(stop)}))"

    def date_series(self, start: str, stop: str) -> str:
        """One row per date from ``start`` to ``stop`` inclusive, for a SELECT list.

        ``start``/``stop`` are date (or timestamp) expressions of the same row; the
        expression expands that row, as ``unnest``/``explode`` do.

        >>> Dialect().date_series("a", "b")[:40]
        'CAST(unnest(generate_series(CAST(a AS DA'
        """
        return (f"CAST(unnest(generate_series(CAST({start} AS DATE), CAST({stop} AS DATE), "
                "INTERVAL 1 DAY)) AS DATE)")

    def materialized(self) -> str:
        """What follows a CTE's name so that its rows are computed once for every reference.

        DuckDB inlines a CTE into each reference unless told ``AS MATERIALIZED``; Spark has
        no such keyword (it reuses a shared scan's exchange by itself).
        """
        return "AS MATERIALIZED"

    def text_list(self, expression: str) -> str:
        """``expression`` (a parameter given a Python list of strings) as a list of text.

        >>> Dialect().text_list("?")
        'CAST(? AS VARCHAR[])'
        """
        return f"CAST({expression} AS VARCHAR[])"


class SparkDialect(Dialect):
    """Spark SQL's spelling of the same operations."""

    name: ClassVar[str] = "spark"

    def column(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def row_hash(self, columns: Sequence[str]) -> str:
        return f"CAST(xxhash64({', '.join(columns)}) AS DECIMAL(20, 0))"

    def trunc(self, unit: str, column: str) -> str:
        return f"date_trunc('{_unit(unit)}', {column})"

    def array_agg(self, expression: str) -> str:
        return f"collect_list({expression})"

    def array_agg_distinct(self, expression: str) -> str:
        return f"collect_set({expression})"

    def sorted_join(self, expression: str, separator: str) -> str:
        return f"array_join(array_sort(collect_list({expression})), '{separator}')"

    def regexp_replace_all(self, expression: str, pattern: str, replacement: str) -> str:
        # Spark's regexp_replace always replaces every match.
        return f"regexp_replace({expression}, '{pattern}', '{replacement}')"

    def epoch_seconds(self, column: str) -> str:
        return f"CAST(unix_micros({column}) AS DOUBLE) / 1e6"

    def to_local(self, column: str, zone: str = "Europe/London") -> str:
        return f"from_utc_timestamp({column}, '{zone}')"

    def bit_field(self, column: str, shift: int, width: int) -> str:
        return f"(shiftright({column}, {int(shift)}) & {(1 << int(width)) - 1})"

    def int_unnest(self, start: int, stop: int) -> str:
        # Spark's sequence() includes its end (and counts down): DuckDB's range() does not.
        if int(stop) <= int(start):
            return "explode(CAST(array() AS ARRAY<INT>))"
        return f"explode(sequence({int(start)}, {int(stop) - 1}))"

    def date_series(self, start: str, stop: str) -> str:
        return (f"explode(sequence(CAST({start} AS DATE), CAST({stop} AS DATE), "
                "INTERVAL 1 DAY))")

    def materialized(self) -> str:
        return "AS"

    def text_list(self, expression: str) -> str:
        return f"CAST({expression} AS ARRAY<STRING>)"


_UNITS = frozenset({"second", "minute", "hour", "day", "week", "month", "year"})


def _unit(unit: str) -> str:
    # Units are interpolated into SQL, so only a fixed whitelist is allowed.
    if unit not in _UNITS:
        raise ValueError(f"unknown time unit {unit!r}")
    return unit


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_name(name: str) -> str:
    """Return ``name`` if it is a plain SQL identifier (it is interpolated), else ValueError."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


# Positional (``?``) or named (``$name``) parameters; both engines take both.
Params = Sequence[Any] | Mapping[str, Any] | None


class AnalyticEngine(ABC):
    """Runs SQL text over the lake and registered tables, returning Arrow."""

    dialect: Dialect

    @abstractmethod
    def run(self, sql: str, params: Params = None) -> pa.Table:
        """Run one statement and return its result as an Arrow table.

        ``params`` is a sequence for ``?`` markers or a mapping for ``$name`` markers.
        """

    def rows(self, sql: str, params: Params = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and Python rows of ``sql``: for a page's few rows.

        The base class converts :meth:`run`'s Arrow; DuckDB fetches Python rows directly,
        cheaper than Arrow for a handful of rows (8 ms for 7 rows in duckdb 2.0).
        """
        table = self.run(sql, params)
        columns = [column.to_pylist() for column in table.columns]
        return table.column_names, list(zip(*columns, strict=True))

    def files_source(self, root: Path, kind: str, files: Sequence[Path]) -> str:
        """A ``FROM`` source reading only ``files`` (of ``kind``, under lake ``root``) with
        the view's columns, partition columns included."""
        raise NotImplementedError(f"{type(self).__name__} cannot read chosen files")

    def stream(self, sql: str, batch_rows: int = 10_000) -> Iterator[pa.RecordBatch]:
        """The result of ``sql`` in batches of at most ``batch_rows`` rows.

        The base class collects the result first; DuckDB streams it, so a caller that
        writes batch by batch holds one batch at a time.
        """
        yield from self.run(sql).to_batches(max_chunksize=batch_rows)

    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` once and keep the result queryable as ``name``.

        DuckDB makes a table; Spark (which cannot replace a table in its session
        catalogue without a v2 source) caches a temporary view.
        """
        # The name is checked; the SQL is the caller's analytic text.
        self.run(f"CREATE OR REPLACE TABLE {check_name(name)} AS {sql}")

    def materialize_parts(self, name: str, parts: Sequence[str]) -> None:
        """Materialise the union of ``parts`` (same columns) as ``name``.

        Parts are the caller's slices of one analytic, each small enough to run alone.
        The base class runs them as one ``UNION ALL`` (Spark spills as it needs);
        DuckDB runs them one after another, so memory holds one slice at a time.
        """
        self.materialize(name, " UNION ALL ".join(f"SELECT * FROM ({part}) p{i}"  # noqa: S608
                                                  for i, part in enumerate(parts)))

    def save(self, sql: str, directory: Path) -> None:
        """Write the rows of ``sql`` as Parquet into ``directory`` (a new folder).

        The base class goes through Arrow; DuckDB writes the file itself.
        """
        directory.mkdir(parents=True)
        pq.write_table(self.run(sql), directory / "part-0.parquet")

    def load(self, name: str, directory: Path) -> None:
        """Make the rows :meth:`save` wrote into ``directory`` queryable as ``name``."""
        self.register(name, pq.read_table(directory))

    @abstractmethod
    def events_since(self, lake_dir: Path, day: date) -> None:
        """Narrow the ``detections`` and ``call_records`` views to partitions from ``day``
        on (UTC days): what an incremental run reads."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under ``name``."""

    @abstractmethod
    def unregister(self, name: str) -> None:
        """Forget a table made queryable by :meth:`register`."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine's resources."""


class DuckDBEngine(AnalyticEngine):
    """The embedded engine: a DuckDB connection (usually from :meth:`Lake.connect`)."""

    dialect = Dialect()

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None,
                 scratch: Path | None = None) -> None:
        self.connection = connection if connection is not None else duckdb.connect()
        # A database file this engine owns (its materialised steps), removed on close.
        self.scratch = scratch

    def run(self, sql: str, params: Params = None) -> pa.Table:
        with duckdb_errors(sql):
            return self.connection.sql(sql, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: Params = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb_errors(sql):
            cursor = self.connection.execute(sql, params or [])
            names = [c[0] for c in cursor.description or ()]
            return names, cursor.fetchall()

    def files_source(self, root: Path, kind: str, files: Sequence[Path]) -> str:
        # The files are listed in the SQL: DuckDB lists nothing else (the view's glob
        # lists every partition's path on each query).
        return read_parquet_sql(kind, "[" + ", ".join(f"'{quoted(str(f))}'" for f in files) + "]")

    def stream(self, sql: str, batch_rows: int = 10_000) -> Iterator[pa.RecordBatch]:
        with duckdb_errors(sql):
            reader = self.connection.sql(sql).to_arrow_reader(batch_rows)
            yield from reader

    def materialize_parts(self, name: str, parts: Sequence[str]) -> None:
        table = check_name(name)
        self.run(f"CREATE OR REPLACE TABLE {table} AS {parts[0]}")
        for part in parts[1:]:
            self.run(f"INSERT INTO {table} {part}")

    def save(self, sql: str, directory: Path) -> None:
        directory.mkdir(parents=True)
        target = quoted(str(directory / "part-0.parquet"))
        # The target is a path this process made; the SQL is the caller's analytic text.
        self.run(f"COPY ({sql}) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD)")

    def load(self, name: str, directory: Path) -> None:
        files = quoted(str(directory / "*.parquet"))
        self.run(f"CREATE OR REPLACE VIEW {check_name(name)} AS "  # noqa: S608
                 f"SELECT * FROM read_parquet('{files}')")

    def events_since(self, lake_dir: Path, day: date) -> None:
        # Imported here: the lake's view text lives with the Lake, which imports this module.
        from cellwatch.lake.parquet_lake import view_sql

        for kind in PARTITIONS:
            self.run(view_sql(lake_dir, kind, since=day))

    def register(self, name: str, table: pa.Table) -> None:
        with duckdb_errors(f"register {name}"):
            self.connection.register(name, table)

    def unregister(self, name: str) -> None:
        with duckdb_errors(f"unregister {name}"):
            self.connection.unregister(name)

    def close(self) -> None:
        self.connection.close()
        if self.scratch is not None:
            for path in (self.scratch, self.scratch.with_name(self.scratch.name + ".wal")):
                path.unlink(missing_ok=True)


# The connection the lake hands out and the errors it raises, named here so that only lake/
# names DuckDB: ingest's vectorised steps, the evaluation and the pages run SQL on it.
Connection: TypeAlias = duckdb.DuckDBPyConnection
EngineError = duckdb.Error
MissingTable = duckdb.CatalogException


def quoted(text: str) -> str:
    """``text`` for the inside of a SQL string literal (quotes doubled)."""
    return text.replace("'", "''")


def read_parquet_sql(kind: str, paths: str) -> str:
    """DuckDB's ``read_parquet`` of ``paths`` (a SQL list or glob literal) as the kind's view
    reads its files: partition columns from the path, typed as the layout says."""
    hive_types = ", ".join(f"'{name}': '{sqltype}'" for name, sqltype in PARTITIONS[kind])
    return f"read_parquet({paths}, hive_partitioning = true, hive_types = {{{hive_types}}})"


def scratch_connection() -> Connection:
    """A bare in-memory DuckDB connection for scratch analytics (no lake views)."""
    return duckdb.connect()


@contextmanager
def duckdb_errors(sql: str) -> Iterator[None]:
    """Translate any DuckDB error raised inside into a :class:`LakeError` carrying ``sql``."""
    try:
        yield
    except duckdb.Error as exc:
        raise LakeError(f"lake query failed: {exc}", sql=sql) from exc


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> list[tuple[Any, ...]]:
    """Execute one statement and fetch every row (DuckDB wants each result consumed)."""
    with duckdb_errors(sql):
        return con.execute(sql, params or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> Any:
    """The first column of the first row of ``sql`` (None when there is no row)."""
    rows = run_sql(con, sql, params)
    return rows[0][0] if rows else None
