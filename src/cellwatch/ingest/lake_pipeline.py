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

from cellwatch.ingest.model import Problem
from cellwatch.lake.cleaning_sql import quote
from cellwatch.lake.ingest_engine import (
    Connection,
    append_batch,
    duckdb_errors,
    run_sql,
    writer_lock,
)
from cellwatch.lake.layout import PARTITIONS, kind_dir

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

    def prepare(self, con: Connection) -> None:
        """Load what the validating SELECT joins (reference tables, lookups)."""

    def stage_sql(self, columns: tuple[str, ...], extra_sql: str, raw_sql: str) -> str:
        """SELECT over ``src`` yielding partitions, file columns and the pipeline's own.

        The pipeline's columns are ``_line`` and ``_qid`` (from ``src``),
        ``_problems`` (:func:`problems_sql`) and ``_raw_json``: ``raw_sql`` for rejected
        rows only (``CASE WHEN len(_problems) > 0 THEN raw_sql END``), since building
        JSON for every row would be wasted work.
        """

    def finish(self, con: Connection) -> None:
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
    pairs = ", ".join(f"{quote(c)}, {_id(c)}" for c in unknown)
    any_value = " OR ".join(f"{_id(c)} IS NOT NULL" for c in unknown)
    return f"CASE WHEN {any_value} THEN CAST(json_object({pairs}) AS VARCHAR) END"


def raw_sql(columns: tuple[str, ...]) -> str:
    """JSON text of a row's raw values, as kept in the quarantine."""
    if not columns:
        return "'{}'"
    pairs = ", ".join(f"{quote(c)}, {_id(c)}" for c in columns)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def _id(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage(con: Connection, kind: LakeKind, columns: tuple[str, ...]) -> None:
    """Materialise the validated rows as the temp table ``staged``, in source order.

    Insertion order is preserved (DuckDB still reads and validates in parallel), so the
    table's ``rowid`` numbers the rows in file order: the lines come from it
    (:func:`cellwatch.ingest.lake_lines.number_lines`) and the first of duplicates wins.
    """
    kind.prepare(con)
    inner = kind.stage_sql(columns, extra_sql(columns, kind.known_columns), raw_sql(columns))
    run_sql(con, "SET preserve_insertion_order = true")
    sql = f"CREATE OR REPLACE TEMP TABLE staged AS {inner}"
    # DuckDB guesses a CSV source at a few dozen rows and would build its join hash
    # tables on the source rather than on the small reference tables: a file of a
    # million rows then needs more than the memory limit and cannot spill. The joins
    # are written with the source on the probe side; keep them so.
    run_sql(con, "SET disabled_optimizers = 'build_side_probe_side'")
    try:
        with duckdb_errors(sql):
            run_sql(con, sql)
    finally:
        run_sql(con, "RESET disabled_optimizers")
    kind.finish(con)


def store_good(
    con: Connection, kind: LakeKind, lake_root: Path, batch_id: int
) -> LakeOutcome:
    """Deduplicate the good rows of ``lined`` and append the new ones to the lake.

    One scan counts rows, rejects and flags; the rows to drop (repeats within the file,
    keys already in the lake's partitions) are found as a small temp table ``dropped``,
    so the write is one ``COPY`` filtered by a hash anti-join on it.
    """
    outcome = LakeOutcome()
    flags = kind.flags_sql()
    flag_counts = "".join(
        # Flag conditions are fixed SQL from the kind modules.
        f", count(*) FILTER (WHERE len(_problems) = 0 AND ({cond}))"
        for cond in flags.values()
    )
    counts = run_sql(
        con,
        "SELECT count(*), count(*) FILTER (WHERE len(_problems) > 0)"  # noqa: S608
        f"{flag_counts} FROM staged",
    )[0]
    outcome.read, outcome.rejected = int(counts[0]), int(counts[1])
    good = outcome.read - outcome.rejected
    if good == 0:
        return outcome
    # From the look at the lake's keys to the last file moved in, no other writer of
    # this kind may append, or both could add the same new events.
    with writer_lock(lake_root, kind.name):
        _find_dropped(con, kind, lake_root, flags)
        sums = "".join(f", sum(CAST({n} AS INTEGER))" for n in _flag_names(flags))
        # Fixed names only.
        dropped = run_sql(con, f"SELECT count(*){sums} FROM dropped")[0]  # noqa: S608
        # Order within a partition file does not matter; letting DuckDB reorder saves work.
        run_sql(con, "SET preserve_insertion_order = false")
        accepted = append_batch(
            con,
            lake_root,
            kind.name,
            batch_id,
            # batch_id is an int: nothing from outside enters the SQL.
            "SELECT * EXCLUDE (_problems, _raw_json), _line AS source_line, "  # noqa: S608
            f"{int(batch_id)} AS batch_id FROM lined WHERE len(_problems) = 0 "
            "AND _rec NOT IN (SELECT _rec FROM dropped)",
        )
    run_sql(con, "SET preserve_insertion_order = true")
    outcome.accepted = accepted
    outcome.duplicates = good - accepted
    for index, name in enumerate(flags):
        n = int(counts[2 + index] or 0) - int(dropped[1 + index] or 0)
        if n:
            outcome.flagged[name] = n
    return outcome


def _flag_names(flags: dict[str, str]) -> list[str]:
    return [f"_flag{i}" for i in range(len(flags))]


def _find_dropped(
    con: Connection, kind: LakeKind, lake_root: Path, flags: dict[str, str]
) -> None:
    """The temp table ``dropped``: good rows whose key came earlier in the file or the lake.

    Repeats: a hash aggregate over 64-bit hashes of the keys finds the few candidate
    keys, then the exact keys decide among those rows only (first in the file wins).
    Lake: only when the touched partitions already hold files, a hash anti-join on their
    keys (no window over everything).
    """
    flag_cols = "".join(
        f", {cond} AS {n}" for cond, n in zip(flags.values(), _flag_names(flags), strict=True)
    )
    # Conditions and names are fixed SQL of the kind modules and the layout.
    repeats = (
        f"SELECT _rec{flag_cols} FROM (SELECT * FROM lined WHERE len(_problems) = 0 "  # noqa: S608
        "AND hash(event_key) IN (SELECT hash(event_key) FROM staged WHERE len(_problems) = 0 "
        "GROUP BY 1 HAVING count(*) > 1)) "
        "QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY _rec) > 1"
    )
    sql = f"CREATE OR REPLACE TEMP TABLE dropped AS {repeats}"
    existing = _existing_keys_sql(con, kind, lake_root)
    if existing is not None:
        sql += (
            f" UNION SELECT _rec{flag_cols} FROM lined WHERE len(_problems) = 0 "  # noqa: S608
            f"AND event_key IN ({existing})"
        )
    with duckdb_errors(sql):
        run_sql(con, sql)


def _existing_keys_sql(
    con: Connection, kind: LakeKind, lake_root: Path
) -> str | None:
    """SQL of the lake's keys in the partitions this batch touches; None if they are empty.

    The touched partitions' files are read by name: a view over the whole lake would
    list (and bind) every file of the kind on each ingest.
    """
    partitions = [name for name, _ in PARTITIONS[kind.name]]
    touched = run_sql(
        con,
        f"SELECT DISTINCT {', '.join(partitions)} FROM staged "  # noqa: S608
        "WHERE len(_problems) = 0",
    )
    root = kind_dir(lake_root, kind.name)
    files = sorted(
        str(path)
        for row in touched
        for path in root.joinpath(
            *(f"{p}={v}" for p, v in zip(partitions, row, strict=True))).glob("*.parquet")
    )
    if not files:
        return None
    # Paths are made here from the layout and validated partition values; quoted anyway.
    listed = ", ".join(quote(f) for f in files)
    return f"SELECT event_key FROM read_parquet([{listed}])"  # noqa: S608


def rejected_rows(
    con: Connection,
) -> Iterator[tuple[int, dict[str, Any], list[Problem], int | None]]:
    """Stream (line, raw values, problems, quarantine id) of every rejected staged row."""
    sql = (
        "SELECT _line, _raw_json, _problems, _qid FROM lined WHERE len(_problems) > 0 ORDER BY _rec"
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


def good_ids(con: Connection) -> list[int]:
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
        f"CASE WHEN ({reason}) IS NOT NULL THEN {{'field': {quote(f)}, 'reason': {reason}}} END"
        for f, reason in checks
    )
    any_problem = " OR ".join(f"({reason}) IS NOT NULL" for _, reason in checks)
    return (
        f"CASE WHEN {any_problem} THEN list_filter([{items}], lambda p: p IS NOT NULL) ELSE [] END"
    )
