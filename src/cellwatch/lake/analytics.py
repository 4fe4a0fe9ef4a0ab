"""Small read analytics over the lake for the analysts' pages: SQL-producing functions.

Each analytic is a pure function of the :class:`Dialect` returning SQL (so it runs on
DuckDB now and Spark later), plus a runner taking an open DuckDB connection, so a
caller that keeps one connection (the web app) pays no connection set-up per page::

    rows = detection_heat(con, since=date(2026, 9, 1))
    # [{"establishment": "HEI", "landing": "A-2", "hour": 21, "n": 14}, ...]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from cellwatch.lake.analytic_engine import Dialect, duckdb_errors

DUCKDB = Dialect()
# The call timeline of one identifier is for reading, not analysis: the newest rows.
TIMELINE_LIMIT = 200


def _landing(column: str) -> str:
    # "HEI-A-2-014" -> "A-2"; a wing-level sensor ("LEI-C") -> "C"; none -> "unknown".
    # Wing and landing are how officers plan searches, so the heat map rolls cells up.
    wing = f"split_part({column}, '-', 2)"
    landing = f"split_part({column}, '-', 3)"
    return (f"CASE WHEN {column} IS NULL OR {wing} = '' THEN 'unknown' "
            f"WHEN {landing} = '' THEN {wing} ELSE {wing} || '-' || {landing} END")


def detections_per_day_sql(d: Dialect) -> str:
    """Detections per establishment and day (partition columns only: no file is opened)."""
    return ("SELECT establishment, day, count(*) AS n FROM detections "
            "WHERE day >= ? GROUP BY establishment, day")


def detection_heat_sql(d: Dialect) -> str:
    """Detections per establishment, wing-landing and hour of day (UK wall-clock time)."""
    local = d.to_local("ts")
    return (f"SELECT establishment, {_landing('location_code')} AS landing, "  # noqa: S608
            f"CAST(hour({local}) AS INTEGER) AS hour, count(*) AS n FROM detections "
            "WHERE day >= ? GROUP BY 1, 2, 3")


# The call-record columns an identifier of each type can stand in. Asking only those
# (one column: an equality DuckDB pushes into the scan and checks against each row
# group's statistics) instead of all four (an OR it cannot push down) took the device
# page's two call-record reads from a scan of every row to the row groups that may hold it.
CALL_COLUMNS: dict[str, tuple[str, ...]] = {
    "IMEI": ("subject_imei",),
    "IMSI": ("subject_imsi",),
    "MSISDN": ("subject_msisdn", "other_party"),
}
ALL_CALL_COLUMNS = ("subject_imei", "subject_imsi", "subject_msisdn", "other_party")


def call_columns(kind: str | None) -> tuple[str, ...]:
    """The call-record columns to look for an identifier of ``kind`` in (all when unknown)."""
    return CALL_COLUMNS.get(kind or "", ALL_CALL_COLUMNS)


def call_timeline_sql(d: Dialect, kind: str | None = None) -> str:
    """Call and message records where the identifier is the subject or the other party.

    ``kind`` (IMEI, IMSI, MSISDN) narrows the columns looked in (:data:`CALL_COLUMNS`);
    it takes one parameter per column, then the list of other parties never to be shown
    (legally privileged numbers: solicitors, the Samaritans, the Ombudsman;
    ``array_contains`` is spelt alike in DuckDB and Spark SQL), then the limit.
    """
    match = " OR ".join(f"{c} = ?" for c in call_columns(kind))
    return ("SELECT start_ts, record_type, direction, duration_s, operator, "  # noqa: S608
            "subject_msisdn, subject_imsi, subject_imei, other_party, cell_id FROM call_records "
            f"WHERE ({match}) "
            "AND NOT array_contains(CAST(? AS VARCHAR[]), coalesce(other_party, '')) "
            "ORDER BY start_ts DESC LIMIT ?")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with duckdb_errors(sql):
        table: pa.Table = con.sql(sql, params=params).to_arrow_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def detections_per_day(con: duckdb.DuckDBPyConnection, since: date) -> list[dict[str, Any]]:
    """Rows of (establishment, day, n) from ``since`` on."""
    return _rows(con, detections_per_day_sql(DUCKDB), [since])


def detection_heat(con: duckdb.DuckDBPyConnection, since: date) -> list[dict[str, Any]]:
    """Rows of (establishment, landing, hour, n) from ``since`` on."""
    return _rows(con, detection_heat_sql(DUCKDB), [since])


def call_timeline(con: duckdb.DuckDBPyConnection, identifier: str,
                  limit: int = TIMELINE_LIMIT,
                  hidden: Sequence[str] = (), kind: str | None = None) -> list[dict[str, Any]]:
    """The newest call records naming ``identifier`` (normalised IMEI, IMSI or number).

    ``kind``: the identifier's type, to look only in its columns (every column when None).
    Records whose other party is in ``hidden`` (privileged numbers) are left out.
    """
    columns = call_columns(kind)
    return _rows(con, call_timeline_sql(DUCKDB, kind),
                 [identifier] * len(columns) + [list(hidden), limit])
