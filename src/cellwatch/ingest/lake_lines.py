"""Physical line numbers of staged CSV rows, without numbering rows while reading.

DuckDB reads a CSV in parallel only when nothing numbers the rows in file order, so
``src`` gives CSV rows no line (see :mod:`cellwatch.ingest.lake_source`). The table
``staged`` is made with insertion order preserved, so its ``rowid`` is the row's place
among the rows DuckDB kept. A row's physical line is then
``rowid + 2`` (header = line 1) plus, for the rows before it,

- the rows DuckDB left out (wrong number of fields; their own lines come from the byte
  position in DuckDB's rejects table), and
- the line breaks inside quoted values.

A cheap count of the file's line ends tells whether there are any of the latter: only
then does a second, targeted read count them per row (on one thread, as it numbers
rows), keeping just the rows that have some. The corrections are a small table of
``(first rowid it applies to, lines to add)``; ``lined`` is ``staged`` with ``_rec``
(the rowid) and ``_line`` filled in.

Blank lines are skipped by DuckDB without trace, so the same line-end mismatch also
triggers a byte scan for blank lines outside quoted values (:func:`_blank_lines`). A row
counted without them is reported ``k`` lines early after the ``k``-th blank line; with
blank line ``k`` (0-based) on physical line ``L``, exactly the rows whose uncorrected
line is at least ``L - k`` come after it, which a second small table of thresholds adds.
DuckDB's record count for a rejected row *does* include blank lines, so those before
it are taken off when placing it among the kept rows.
"""

# ruff: noqa: S608 - SQL here is assembled from fixed fragments; the file path is a
# quoted literal and reject rows are bound as parameters.

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellwatch.errors import MalformedFile
from cellwatch.ingest.lake_source import csv_reader
from cellwatch.ingest.model import Problem, SourceFile
from cellwatch.lake.ingest_engine import Connection, MissingTable, duckdb_errors, run_sql, scalar

# DuckDB's error types for a row whose field count differs from the header's.
_FIELD_COUNT = ("TOO MANY COLUMNS", "MISSING COLUMNS")
WRONG_FIELDS = "wrong number of fields for the header"
# A line with nothing on it (``\r\n`` files too); ``^`` after a line end, in one chunk.
_BLANK = re.compile(rb"^\r?\n", re.MULTILINE)


@dataclass(frozen=True)
class RejectedLine:
    """A CSV row DuckDB left out for its field count: to quarantine, and to count lines."""

    record: int  # DuckDB's record count (header = 1), blank lines included
    line: int  # physical line
    raw: dict[str, Any]


def csv_rejects(con: Connection, source: SourceFile) -> list[RejectedLine]:
    """The rows DuckDB left out; raise :class:`MalformedFile` for any other CSV error."""
    try:
        rows = con.execute(
            "SELECT line, line_byte_position, error_type, csv_line, error_message "
            "FROM csv_rejects ORDER BY line, byte_position"
        ).fetchall()
    except MissingTable:
        return []  # no scan has run (nothing was read)
    lines = _physical_lines(source.path, [int(r[1]) for r in rows])
    found: dict[int, RejectedLine] = {}
    for (record, _pos, kind, text, message), line in zip(rows, lines, strict=True):
        if str(kind) not in _FIELD_COUNT:
            raise MalformedFile(source.name, _reason(str(kind), str(message)), line)
        # DuckDB may report one row twice (e.g. for two missing columns).
        found.setdefault(int(record), RejectedLine(int(record), line, _raw(source, str(text))))
    return list(found.values())


def _reason(kind: str, message: str) -> str:
    if kind == "UNQUOTED VALUE":
        return "unterminated quoted field (truncated last line?)"
    if kind == "INVALID ENCODING":
        return "not UTF-8 text"
    return f"not valid CSV: {message}"


def _raw(source: SourceFile, text: str) -> dict[str, Any]:
    """The row's values by header name; extra fields under ``_overflow``, as the framework."""
    fields = next(csv.reader([text]), [])
    width = len(source.header)
    raw: dict[str, Any] = {
        name: (fields[i].strip() or None) if i < len(fields) else None
        for i, name in enumerate(source.header)
    }
    if len(fields) > width:
        raw["_overflow"] = fields[width:]
    return raw


def _physical_lines(path: Path, positions: list[int]) -> list[int]:
    """1-based lines of 1-based byte positions, in one pass up to the last of them."""
    if not positions:
        return []
    wanted = sorted({max(p - 1, 0) for p in positions})
    lines: dict[int, int] = {}
    newlines, offset = 0, 0
    with path.open("rb") as handle:
        for target in wanted:
            while offset < target:
                block = handle.read(min(target - offset, 1 << 20))
                if not block:
                    break
                newlines += block.count(b"\n")
                offset += len(block)
            lines[target] = newlines + 1
    return [lines[max(p - 1, 0)] for p in positions]


def _line_ends(path: Path) -> int:
    """Physical lines of ``path`` (a last line without a line end counts)."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _blank_lines(path: Path) -> list[int]:
    """Physical lines of the blank lines of ``path`` that are not inside a quoted value.

    The reader's quote and escape are both ``"``, so a line starts inside a quoted value
    exactly when an odd number of ``"`` come before it. Chunks are cut after their last
    line end, so every chunk starts at a line start; counting stays in C (``bytes.count``,
    ``re``) and Python runs once per blank-line candidate, not once per line.
    """
    found: list[int] = []
    lines, quotes, carry = 0, 0, b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            buf = carry + block
            cut = buf.rfind(b"\n") + 1
            buf, carry = buf[:cut], buf[cut:]
            cursor = 0
            for match in _BLANK.finditer(buf):
                start = match.start()
                quotes += buf.count(b'"', cursor, start)
                lines += buf.count(b"\n", cursor, start)
                cursor = start
                if quotes % 2 == 0:
                    found.append(lines + 1)
            quotes += buf.count(b'"', cursor)
            lines += buf.count(b"\n", cursor)
    return found


def _blank_thresholds(blanks: list[int]) -> list[tuple[int, int]]:
    """``(uncorrected line, blank lines before it)`` steps, one per distinct threshold.

    Consecutive blank lines share a threshold (``L - k`` stays the same), so the larger
    count wins; the ASOF join needs distinct keys.
    """
    steps: dict[int, int] = {}
    for k, line in enumerate(blanks):
        steps[line - k] = k + 1
    return sorted(steps.items())


def number_lines(
    con: Connection, source: SourceFile | None, rejects: list[RejectedLine]
) -> None:
    """Create the view ``lined`` over ``staged`` with ``_rec`` and ``_line`` filled in."""
    shifts: list[tuple[int, int]] = []
    blanks: list[int] = []
    if source is not None and source.format == "csv":
        kept = int(scalar(con, "SELECT count(*) FROM staged") or 0)
        if _line_ends(source.path) != 1 + kept + len(rejects):
            blanks = _blank_lines(source.path)
            shifts += _quoted_line_breaks(con, source)
        # Rejected row j (in file order) comes before the kept rows from rowid record-2-j,
        # less the blank lines before it, which DuckDB's record count includes.
        shifts += [
            (r.record - 2 - j - bisect_left(blanks, r.line), 1)
            for j, r in enumerate(rejects)
        ]
    run_sql(con, "CREATE OR REPLACE TEMP TABLE line_shift (from_rec BIGINT, lines BIGINT)")
    if shifts:
        con.executemany("INSERT INTO line_shift VALUES (?, ?)", shifts)
    base = "coalesce(s._line, s.rowid + 2)"
    if shifts:
        sql = (
            "SELECT s.* REPLACE "
            f"({base} + coalesce(m.before, 0) AS _line), s.rowid AS _rec FROM staged s "
            "ASOF LEFT JOIN (SELECT from_rec, sum(lines) OVER (ORDER BY from_rec) AS before "
            "FROM line_shift) m ON s.rowid >= m.from_rec"
        )
    else:
        sql = f"SELECT s.* REPLACE ({base} AS _line), s.rowid AS _rec FROM staged s"
    if blanks:
        run_sql(con, "CREATE OR REPLACE TEMP TABLE blank_shift (from_line BIGINT, lines BIGINT)")
        con.executemany("INSERT INTO blank_shift VALUES (?, ?)", _blank_thresholds(blanks))
        sql = (
            "SELECT u.* REPLACE (u._line + coalesce(b.lines, 0) AS _line) "
            f"FROM ({sql}) u ASOF LEFT JOIN blank_shift b ON u._line >= b.from_line"
        )
    sql = f"CREATE OR REPLACE TEMP VIEW lined AS {sql}"
    with duckdb_errors(sql):
        run_sql(con, sql)


def _quoted_line_breaks(
    con: Connection, source: SourceFile
) -> list[tuple[int, int]]:
    """(next rowid, line breaks) of each kept row with line breaks inside quoted values.

    The second read skips the same rows as the first, so its row number is the rowid.
    """
    counts = " + ".join(
        f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)"
        for i in range(len(source.header))
    )
    sql = (
        f"SELECT n, nl FROM (SELECT row_number() OVER () AS n, {counts} AS nl "
        f"FROM {csv_reader(source, store_rejects=False)}) WHERE nl > 0"
    )
    with duckdb_errors(sql):
        return [(int(n), int(nl)) for n, nl in con.execute(sql).fetchall()]


def rejected_problems() -> list[Problem]:
    """The problem recorded for a row with the wrong number of fields."""
    return [Problem(None, WRONG_FIELDS)]
