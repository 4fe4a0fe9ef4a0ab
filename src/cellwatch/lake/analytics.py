"""Small read analytics over the lake for the analysts' pages: SQL-producing functions.

Each analytic is one definition: a pure function of the :class:`Dialect` returning SQL,
and a runner taking an :class:`AnalyticEngine`, so the same page read runs on DuckDB (the
web app's engine over a cursor of its one connection: no connection set-up per page) and
on Spark (``tests/lake/test_page_analytics_spark.py`` holds the two to the same rows)::

    rows = detection_heat(engine, since=date(2026, 9, 1))
    # [{"establishment": "HEI", "landing": "A-2", "hour": 21, "n": 14}, ...]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cellwatch.lake.analytic_engine import AnalyticEngine, Dialect
from cellwatch.lake.parquet_lake import ESTABLISHMENT_CODE as _CODE
from cellwatch.lake.parquet_lake import establishment_files

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
            f"AND NOT array_contains({d.text_list('?')}, coalesce(other_party, '')) "
            f"ORDER BY start_ts DESC, {_TIE} LIMIT ?")


# The call timeline's columns, as the device page shows them.
TIMELINE_COLUMNS = ("start_ts", "record_type", "direction", "duration_s", "operator",
                    "subject_msisdn", "subject_imsi", "subject_imei", "other_party", "cell_id")
# Records of the same second come in the same order on every engine (and every reload):
# without it a timeline cut at its limit could differ between DuckDB and Spark. The shown
# columns, not event_key: reading one more column cost the device page 1 ms, and records
# alike in every shown column look the same whichever comes first. NULLS LAST spelt out:
# Spark puts NULLs first in ascending order, DuckDB last.
_TIE = ", ".join(f"{c} NULLS LAST" for c in TIMELINE_COLUMNS[1:])


def identifier_calls_sql(d: Dialect, kind: str | None = None) -> str:
    """The call timeline and the count of every record naming the identifier, in one scan.

    Every matching record (privileged other parties too) is counted with its first and
    last time by window aggregates; the rows come back newest first with the hidden ones
    (other party in the list) after all the others, so the first ``limit`` rows hold the
    newest ``limit`` shown ones (the caller drops the hidden). Parameters: the hidden list,
    one per column of ``kind`` (:data:`CALL_COLUMNS`), then the limit (at least 1, so the
    counts come back whenever a record matches).
    """
    match = " OR ".join(f"{c} = ?" for c in call_columns(kind))
    return (f"SELECT {', '.join(TIMELINE_COLUMNS)}, "  # noqa: S608
            "count(*) OVER () AS n_all, min(start_ts) OVER () AS first_all, "
            "max(start_ts) OVER () AS last_all, "
            f"array_contains({d.text_list('?')}, coalesce(other_party, '')) AS hidden "
            f"FROM call_records WHERE ({match}) ORDER BY hidden, start_ts DESC, {_TIE} LIMIT ?")


def call_summary_sql(d: Dialect, kind: str | None = None) -> str:
    """How many call records name the identifier, the first and the last (one parameter
    per column of ``kind``)."""
    match = " OR ".join(f"{c} = ?" for c in call_columns(kind))
    return ("SELECT count(*), min(start_ts), max(start_ts) FROM call_records "  # noqa: S608
            f"WHERE {match}")


def identifier_detections_sql(d: Dialect, column: str, establishments: int | None,
                              source: str = "detections") -> str:
    """Detections of one identifier per establishment (count, first, last).

    ``column`` is ``imei`` or ``imsi`` (one column's equality is pushed into the scan, row
    groups skipped by their statistics); ``establishments``: how many establishment
    parameters follow the identifier (None: every establishment; the lake is partitioned by
    establishment, so the others' files are never opened); ``source``: what to read them
    from (the view, or only some establishments' files).
    """
    if column not in ("imei", "imsi"):
        raise ValueError(f"detections are not looked up by {column!r}")
    scope = "" if establishments is None else \
        f" AND establishment IN ({', '.join('?' for _ in range(establishments))})" \
        if establishments else " AND false"
    return (f"SELECT establishment, count(*), min(ts), max(ts) FROM {source} "  # noqa: S608
            f"WHERE {column} = ?{scope} GROUP BY establishment ORDER BY establishment")


@dataclass(frozen=True)
class CallSummary:
    """How many call records name an identifier (privileged other parties included), and
    the first and last of them."""

    count: int
    first: datetime | None
    last: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """``count``, ``first`` and ``last`` as the identifier look-up answers them."""
        return {"count": self.count, "first": str(self.first) if self.first else None,
                "last": str(self.last) if self.last else None}


def _records(engine: AnalyticEngine, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    names, rows = engine.rows(sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def detections_per_day(engine: AnalyticEngine, since: date) -> list[dict[str, Any]]:
    """Rows of (establishment, day, n) from ``since`` on."""
    return _records(engine, detections_per_day_sql(engine.dialect), [since])


def detection_heat(engine: AnalyticEngine, since: date) -> list[dict[str, Any]]:
    """Rows of (establishment, landing, hour, n) from ``since`` on."""
    return _records(engine, detection_heat_sql(engine.dialect), [since])


def call_timeline(engine: AnalyticEngine, identifier: str, limit: int = TIMELINE_LIMIT,
                  hidden: Sequence[str] = (), kind: str | None = None) -> list[dict[str, Any]]:
    """The newest call records naming ``identifier`` (normalised IMEI, IMSI or number).

    ``kind``: the identifier's type, to look only in its columns (every column when None).
    Records whose other party is in ``hidden`` (privileged numbers) are left out.
    """
    columns = call_columns(kind)
    return _records(engine, call_timeline_sql(engine.dialect, kind),
                    [identifier] * len(columns) + [list(hidden), limit])


def identifier_calls(engine: AnalyticEngine, identifier: str, limit: int = TIMELINE_LIMIT,
                     hidden: Sequence[str] = (), kind: str | None = None,
                     ) -> tuple[CallSummary, list[dict[str, Any]]]:
    """The count of call records naming ``identifier`` and its call timeline, in one read.

    The summary is :func:`call_summary`'s (every record, hidden ones too); the timeline is
    :func:`call_timeline`'s (the newest ``limit`` records whose other party is not in
    ``hidden``), with the same columns.
    """
    columns = call_columns(kind)
    # Python rows, not Arrow: a page's few rows cost more to convert than to read.
    names, rows = engine.rows(identifier_calls_sql(engine.dialect, kind),
                              [list(hidden), *[identifier] * len(columns), max(limit, 1)])
    if not rows:
        return CallSummary(0, None, None), []
    shown = len(TIMELINE_COLUMNS)
    first = dict(zip(names, rows[0], strict=True))
    summary = CallSummary(int(first["n_all"]), first["first_all"], first["last_all"])
    timeline = [dict(zip(TIMELINE_COLUMNS, row[:shown], strict=True)) for row in rows
                if not row[-1]]
    return summary, timeline[:limit]


def call_summary(engine: AnalyticEngine, identifier: str, kind: str | None = None) -> CallSummary:
    """How many call records name ``identifier`` (in ``kind``'s columns), first and last."""
    _names, rows = engine.rows(call_summary_sql(engine.dialect, kind),
                               [identifier] * len(call_columns(kind)))
    count, first, last = rows[0]
    return CallSummary(int(count), first, last)


def identifier_detections(engine: AnalyticEngine, column: str, identifier: str,
                          establishments: Sequence[str] | None = None,
                          root: Path | None = None,
                          ) -> list[tuple[str, int, datetime, datetime]]:
    """(establishment, count, first, last) of ``identifier``'s detections in ``column``,
    in ``establishments`` only when given.

    ``root``: the lake's directory, to read only those establishments' files rather than
    the view over every file (whose listing each DuckDB query pays).
    """
    scope = None if establishments is None else list(establishments)
    source = "detections"
    if root is not None and scope and all(_CODE.match(code) for code in scope):
        files = establishment_files(root, "detections", scope)
        if not files:
            return []  # none of them has a detection yet
        source = engine.files_source(root, "detections", files)
    sql = identifier_detections_sql(engine.dialect, column,
                                    None if scope is None else len(scope), source)
    _names, rows = engine.rows(sql, [identifier, *(scope or [])])
    return [(str(e), int(n), first, last) for e, n, first, last in rows]
