"""Counts for ``cellwatch status``: rows per kind and per establishment."""

from __future__ import annotations

from typing import Any

from cellwatch.lake.analytic_engine import duckdb_errors
from cellwatch.lake.layout import CALL_RECORDS, DETECTIONS, data_files
from cellwatch.lake.parquet_lake import Lake
from cellwatch.settings import Settings

_DETECTIONS_SQL = (
    "SELECT establishment, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts, "
    "count(DISTINCT day) AS days FROM detections GROUP BY establishment ORDER BY establishment"
)
_CALLS_SQL = "SELECT count(*) AS n, min(start_ts), max(start_ts) FROM call_records"


def lake_status(settings: Settings) -> dict[str, Any]:
    """Rows, files and time span of each kind, detections also per establishment.

    >>> lake_status(settings)["detections"]["rows"]
    0
    """
    lake = Lake(settings)
    con = lake.connect()
    try:
        with duckdb_errors(_DETECTIONS_SQL):
            per = con.execute(_DETECTIONS_SQL).fetchall()
        with duckdb_errors(_CALLS_SQL):
            calls = (con.execute(_CALLS_SQL).fetchall() or [(0, None, None)])[0]
    finally:
        con.close()
    establishments = {
        code: {
            "rows": int(n),
            "first_ts": first.isoformat() if first else None,
            "last_ts": last.isoformat() if last else None,
            "days": int(days),
        }
        for code, n, first, last, days in per
    }
    return {
        "lake_dir": str(settings.lake_dir),
        DETECTIONS: {
            "rows": sum(e["rows"] for e in establishments.values()),
            "files": len(data_files(settings.lake_dir, DETECTIONS)),
            "by_establishment": establishments,
        },
        CALL_RECORDS: {
            "rows": int(calls[0]),
            "files": len(data_files(settings.lake_dir, CALL_RECORDS)),
            "first_ts": calls[1].isoformat() if calls[1] else None,
            "last_ts": calls[2].isoformat() if calls[2] else None,
        },
    }
