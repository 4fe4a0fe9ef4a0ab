"""The vectorised ingest pipeline shared by the lake's kinds (detections, call records).

One pass of SQL over ``src`` (see :mod:`cellwatch.ingest.lake_source`) normalises every
field and collects every problem of each row into ``_problems``; the result is
materialised once as the temp table ``staged`` (DuckDB spills it to disk beyond its
memory limit). Then, all in DuckDB:

1. good rows are deduplicated by ``event_key`` (first occurrence in the file wins) and
   against the keys already in the lake for the same partitions;
2. the new ones are appended as one atomic batch (:func:`cellwatch.lake.append_batch`);
3. rejected rows, with their raw values and problems, stream to the quarantine.

No event passes through Python except rejected rows on their way to the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from cellwatch.ingest.model import Problem
from cellwatch.lake.append import append_batch
from cellwatch.lake.engine import duckdb_errors, run_sql, scalar
from cellwatch.lake.layout import PARTITIONS

# Rejected rows fetched from DuckDB per round trip on their way to the quarantine.
_QUARANTINE_FETCH = 10_000


class LakeKind(Protocol):
    """What a lake kind tells the pipeline: its columns and its validating SELECT."""

    @property
    def name(self) -> str:
        """The kind's name, as in the lake layout."""

    @property
    def known_columns(self) -> tuple[str, ...]:
        """Columns of the interchange contract; others go to ``extra``."""

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the header must have."""

    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load what the validating SELECT joins (reference tables, lookups)."""

    def stage_sql(self, columns: tuple[str, ...], extra_sql: str, raw_sql: str) -> str:
        """SELECT over ``src`` yielding partitions, file columns and the pipeline's own.

        The pipeline's columns are ``_rec``, ``_line``, ``_nl``, ``_qid`` (from ``src``),
        ``_problems`` (:func:`problems_sql`) and ``_raw_json``: ``raw_sql`` for rejected
        rows only (``CASE WHEN len(_problems) > 0 THEN raw_sql END``), since building
        JSON for every row would be wasted work.
        """

    def finish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Settle in Python what SQL could not (over a few distinct values), in ``staged``."""

    def flags_sql(self) -> dict[str, str]:
        """Flags to count among stored rows: name -> boolean SQL over ``staged``."""


@dataclass
class LakeOutcome:
    """What the pipeline did with one source."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    resolved_ids: list[int] = field(default_factory=list)


def extra_sql(columns: tuple[str, ...], known: tuple[str, ...]) -> str:
    """JSON text of the unknown columns' values (NULL when there are none or all empty)."""
    unknown = [c for c in columns if c not in known]
    if not unknown:
        return "CAST(NULL AS VARCHAR)"
    pairs = ", ".join(f"{_lit(c)}, {_id(c)}" for c in unknown)
    any_value = " OR ".join(f"{_id(c)} IS NOT NULL" for c in unknown)
    return f"CASE WHEN {any_value} THEN CAST(json_object({pairs}) AS VARCHAR) END"


def raw_sql(columns: tuple[str, ...]) -> str:
    """JSON text of a row's raw values, as kept in the quarantine."""
    if not columns:
        return "'{}'"
    pairs = ", ".join(f"{_lit(c)}, {_id(c)}" for c in columns)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _id(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage(con: duckdb.DuckDBPyConnection, kind: LakeKind, columns: tuple[str, ...]) -> None:
    """Materialise the validated rows as the temp table ``staged``."""
    kind.prepare(con)
    inner = kind.stage_sql(columns, extra_sql(columns, kind.known_columns), raw_sql(columns))
    sql = f"CREATE OR REPLACE TEMP TABLE staged AS {inner}"
    with duckdb_errors(sql):
        run_sql(con, sql)
    kind.finish(con)
    _correct_lines(con)


def _correct_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Shift ``_line`` down by the line breaks inside earlier records' quoted values."""
    if not scalar(con, "SELECT count(*) FROM staged WHERE _nl > 0"):
        return
    sql = (
        "CREATE OR REPLACE TEMP TABLE staged AS SELECT s.* REPLACE "
        "(s._line + coalesce(m.before, 0) AS _line) FROM staged s ASOF LEFT JOIN "
        "(SELECT _rec, sum(_nl) OVER (ORDER BY _rec) AS before FROM staged WHERE _nl > 0) m "
        "ON s._rec > m._rec"
    )
    with duckdb_errors(sql):
        run_sql(con, sql)


def store_good(
    con: duckdb.DuckDBPyConnection, kind: LakeKind, lake_root: Path, batch_id: int
) -> LakeOutcome:
    """Deduplicate the good staged rows and append the new ones to the lake."""
    outcome = LakeOutcome()
    counts = run_sql(
        con, "SELECT count(*), count(*) FILTER (WHERE len(_problems) > 0) FROM staged"
    )[0]
    outcome.read, outcome.rejected = int(counts[0]), int(counts[1])
    good = outcome.read - outcome.rejected
    if good == 0:
        return outcome
    _select_new(con, kind)
    outcome.accepted = append_batch(
        con,
        lake_root,
        kind.name,
        batch_id,
        # batch_id is an int: nothing from outside enters the SQL.
        f"SELECT *, _line AS source_line, {int(batch_id)} AS batch_id FROM fresh",  # noqa: S608
    )
    outcome.duplicates = good - outcome.accepted
    for name, condition in kind.flags_sql().items():
        # Flag conditions are fixed SQL from the kind modules.
        n = scalar(con, f"SELECT count(*) FROM fresh WHERE {condition}")  # noqa: S608
        if n:
            outcome.flagged[name] = int(n)
    return outcome


def _select_new(con: duckdb.DuckDBPyConnection, kind: LakeKind) -> None:
    """The temp view ``fresh``: good rows whose key is new to the file and to the lake."""
    partitions = [name for name, _ in PARTITIONS[kind.name]]
    # Partition names come from the fixed layout.
    bounds = " AND ".join(
        f"l.{p} IN (SELECT DISTINCT {p} FROM staged WHERE len(_problems) = 0)"  # noqa: S608
        for p in partitions
    )
    # Names below are the kind's fixed partition columns and view name.
    sql = (
        "CREATE OR REPLACE TEMP VIEW fresh AS SELECT * EXCLUDE (_problems, _raw_json) "  # noqa: S608
        "FROM staged s WHERE len(_problems) = 0 "
        "AND NOT EXISTS (SELECT 1 FROM ("
        f"SELECT l.event_key FROM {kind.name} l WHERE {bounds}) k WHERE k.event_key = s.event_key) "
        "QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY _rec) = 1"
    )
    with duckdb_errors(sql):
        run_sql(con, sql)


def rejected_rows(
    con: duckdb.DuckDBPyConnection,
) -> Iterator[tuple[int, dict[str, Any], list[Problem], int | None]]:
    """Stream (line, raw values, problems, quarantine id) of every rejected staged row."""
    sql = (
        "SELECT _line, _raw_json, _problems, _qid FROM staged "
        "WHERE len(_problems) > 0 ORDER BY _rec"
    )
    with duckdb_errors(sql):
        reader = con.sql(sql).to_arrow_reader(_QUARANTINE_FETCH)
    for batch in reader:
        for line, raw, problems, qid in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            yield (
                int(line),
                json.loads(raw) if raw else {},
                [Problem(p["field"] or None, p["reason"]) for p in problems],
                qid,
            )


def good_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Quarantine ids (retry) of staged rows that now pass (stored or duplicate)."""
    rows = con.execute(
        "SELECT _qid FROM staged WHERE len(_problems) = 0 AND _qid IS NOT NULL ORDER BY _qid"
    ).fetchall()
    return [int(r[0]) for r in rows]


def problems_sql(checks: list[tuple[str, str]]) -> str:
    """A list of ``{field, reason}`` structs from (field, reason-or-NULL SQL) pairs.

    Good rows get an empty list without building any struct: the list is only made
    for rows where some reason is not NULL (CASE evaluates THEN for those alone).
    """
    items = ", ".join(
        f"CASE WHEN ({reason}) IS NOT NULL THEN {{'field': {_lit(f)}, 'reason': {reason}}} END"
        for f, reason in checks
    )
    any_problem = " OR ".join(f"({reason}) IS NOT NULL" for _, reason in checks)
    return (
        f"CASE WHEN {any_problem} THEN list_filter([{items}], lambda p: p IS NOT NULL) ELSE [] END"
    )
