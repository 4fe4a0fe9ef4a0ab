"""Present a sniffed file (or quarantined rows) to DuckDB as the view ``src``.

Every column arrives as text, so nothing is lost before validation: names lower-cased
and stripped, values stripped, empty text as NULL. Extra columns:

- ``_line``: the record's line: JSON Lines line, Parquet row, the quarantined row's line;
  NULL for CSV, whose lines come from the staged table's ``rowid`` afterwards
  (:mod:`cellwatch.ingest.lake_lines`), because numbering rows while reading would force
  DuckDB to read the CSV on one thread;
- ``_qid``: the quarantine id when the rows come from a retry, else NULL.

Rows appear in file order, so a table made from ``src`` with insertion order preserved
numbers them in its ``rowid``. A CSV row with the wrong number of fields is left out by
DuckDB and recorded in its rejects table (``csv_rejects``); any other CSV error there
(bad UTF-8, an unterminated quote) makes the file malformed (:func:`csv_rejects`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from cellwatch.errors import MalformedFile
from cellwatch.ingest.model import QuarantineItem, SourceFile
from cellwatch.ingest.sniff import normalise_column
from cellwatch.lake.cleaning_sql import quote
from cellwatch.lake.ingest_engine import Connection, EngineError, duckdb_errors, run_sql


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _clean(expr: str) -> str:
    return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"


def open_source(con: Connection, source: SourceFile) -> tuple[str, ...]:
    """Create the view ``src`` over ``source``; return its (normalised) data column names."""
    path = quote(str(source.path))
    if source.format == "csv":
        reader = csv_reader(source)
        names = [f"c{i}" for i in range(len(source.header))]
        return _create(con, source, reader, names, "CAST(NULL AS BIGINT)", source.header)
    if source.format == "parquet":
        reader = f"read_parquet({path}, file_row_number = true)"
        names = [n for n in _describe(con, source, reader) if n != "file_row_number"]
        return _create(con, source, reader, names, "file_row_number + 1")
    return _open_jsonl(con, source, path)


def csv_reader(source: SourceFile, store_rejects: bool = True) -> str:
    """``read_csv`` of ``source`` with its sniffed header as columns ``c0``, ``c1``, ...

    Nothing is auto-detected (a file is RFC 4180 by contract, and DuckDB's sniffer
    refuses a file whose sample ends in an open quote instead of saying where). Rows with
    the wrong number of fields are left out and recorded in ``csv_rejects``.
    """
    path = quote(str(source.path))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(source.header)))
    options = (
        ", store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_scans'"
        if store_rejects
        else ""
    )
    return (
        f"read_csv({path}, header = true, auto_detect = false, columns = {{{columns}}}, "
        f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, ignore_errors = true"
        f"{options})"
    )


def _describe(con: Connection, source: SourceFile, reader: str) -> list[str]:
    sql = f"DESCRIBE SELECT * FROM {reader}"  # noqa: S608 - path is a quoted literal
    try:
        return [str(row[0]) for row in con.execute(sql).fetchall()]
    except EngineError as exc:
        raise MalformedFile(source.name, f"cannot be read: {exc}") from exc


def _create(
    con: Connection,
    source: SourceFile,
    reader: str,
    names: Sequence[str],
    line_expr: str,
    header: Sequence[str] | None = None,
) -> tuple[str, ...]:
    normal = [normalise_column(n) for n in (header if header is not None else names)]
    if len(set(normal)) != len(normal):
        raise MalformedFile(source.name, "two columns have the same name (ignoring case)")
    cols = [f"{_clean(_ident(n))} AS {_ident(m)}" for n, m in zip(names, normal, strict=True)]
    sql = (
        f"CREATE OR REPLACE TEMP VIEW src AS SELECT "  # noqa: S608
        f"{line_expr} AS _line, CAST(NULL AS BIGINT) AS _qid, "
        f"{', '.join(cols)} FROM {reader}"
    )
    with duckdb_errors(sql):
        run_sql(con, sql)
    return tuple(normal)


def _open_jsonl(con: Connection, source: SourceFile, path: str) -> tuple[str, ...]:
    # One text column per physical line: JSON text cannot hold a raw 0x1F, so it never splits.
    reader = (
        f"read_csv({path}, columns = {{'j': 'VARCHAR'}}, header = false, delim = chr(31), "
        "quote = '', escape = '', auto_detect = false)"
    )
    # The path is a quoted literal; nothing else here comes from outside.
    lines = f"(SELECT row_number() OVER () AS _n, j FROM {reader})"  # noqa: S608
    keys_sql = f"SELECT DISTINCT unnest(json_keys(j)) FROM {lines} WHERE j IS NOT NULL"  # noqa: S608
    try:
        keys = sorted(str(row[0]) for row in con.execute(keys_sql).fetchall())
    except EngineError as exc:
        raise MalformedFile(source.name, f"cannot be read: {exc}") from exc
    by_name: dict[str, list[str]] = {}
    for key in keys:
        by_name.setdefault(normalise_column(key), []).append(key)
    order = [n for n in source.header if n in by_name] + sorted(set(by_name) - set(source.header))
    cols = []
    for name in order:
        # Keys differing only in case are one column; the first non-empty value wins.
        values = [
            _clean(f"json_extract_string(j, {quote('$.' + _json_key(k))})")
            for k in by_name[name]
        ]
        cols.append(f"coalesce({', '.join(values)}) AS {_ident(name)}")
    sql = (
        "CREATE OR REPLACE TEMP VIEW src AS SELECT _n AS _line, "  # noqa: S608
        f"CAST(NULL AS BIGINT) AS _qid{''.join(', ' + c for c in cols)} FROM {lines} "
        "WHERE j IS NOT NULL AND trim(j) <> ''"
    )
    with duckdb_errors(sql):
        run_sql(con, sql)
    return tuple(order)


def _json_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_quarantined(
    con: Connection, items: Sequence[QuarantineItem]
) -> tuple[str, ...]:
    """Create the view ``src`` over quarantined rows (their raw values as edited)."""
    names: list[str] = []
    for item in items:
        for key in item.raw:
            name = normalise_column(key)
            if name not in names:
                names.append(name)
    data: dict[str, pa.Array] = {
        "_line": pa.array([i.line for i in items], pa.int64()),
        "_qid": pa.array([i.id for i in items], pa.int64()),
    }
    for name in names:
        values = [_raw_value(item.raw, name) for item in items]
        data[f"raw:{name}"] = pa.array(values, pa.string())
    con.register("_quarantined", pa.table(data))
    cols = [f"{_clean(_ident('raw:' + n))} AS {_ident(n)}" for n in names]
    sql = (
        "CREATE OR REPLACE TEMP VIEW src AS SELECT _line, _qid"  # noqa: S608
        f"{''.join(', ' + c for c in cols)} FROM _quarantined"
    )
    with duckdb_errors(sql):
        run_sql(con, sql)
    return tuple(names)


def _raw_value(raw: dict[str, object], name: str) -> str | None:
    for key, value in raw.items():
        if normalise_column(key) == name and value is not None:
            return str(value)
    return None
