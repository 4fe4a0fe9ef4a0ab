"""Running the statistics: the store's small tables and the lake in one analytic engine.

The store tables a statistic needs are copied into the engine as ``cw_<table>``; a
statistic whose tables this store does not have (a branch not migrated) is a column of
zeros rather than an error. The window is a one-row table, so values are never spliced
into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pyarrow as pa

from cellwatch.errors import InvalidData
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.engine_choice import engine_for
from cellwatch.reports.definitions import (
    STATISTIC_NAMES,
    STATISTICS,
    bounds_sql,
    by_region_sql,
    combined_sql,
    empty_sql,
    part_of,
    parts_sql,
)
from cellwatch.reports.tables import load_store_tables
from cellwatch.settings import Settings
from cellwatch.store import Store

Grouping = Literal["establishment", "region"]
# A window wide enough for "all data"; only used to find the months that have any.
_ALL = (date(1900, 1, 1), date(9999, 12, 31))
_PARTS = "stats_parts"  # every statistic's rows, computed once per table


@dataclass(frozen=True)
class StatsTable:
    """Monthly statistics per establishment or region, plus the window they cover."""

    by: Grouping
    start: date
    end: date
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def statistics(self) -> tuple[str, ...]:
        """The statistic columns, in digest order."""
        return STATISTIC_NAMES

    @property
    def group_column(self) -> str:
        """``establishment`` or ``region``."""
        return self.by

    def totals(self) -> dict[str, int]:
        """Grand totals of each statistic over the whole table."""
        return {n: sum(int(r[n]) for r in self.rows) for n in STATISTIC_NAMES}

    def monthly_totals(self) -> list[dict[str, Any]]:
        """Each month's totals over every establishment or region."""
        months: dict[date, dict[str, Any]] = {}
        for r in self.rows:
            m = months.setdefault(r["month"], {"month": r["month"], **dict.fromkeys(
                STATISTIC_NAMES, 0)})
            for n in STATISTIC_NAMES:
                m[n] += int(r[n])
        return [months[k] for k in sorted(months)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document for ``--json`` and the API."""
        return {"by": self.by, "from": self.start.isoformat(), "to": self.end.isoformat(),
                "statistics": list(STATISTIC_NAMES), "rows": self.rows,
                "totals": self.totals()}


def _load(engine: AnalyticEngine, store: Store) -> set[str]:
    """Copy every store table a statistic reads into the engine; return those present."""
    wanted = {"establishments"} | {t for s in STATISTICS for t in s.tables}
    return load_store_tables(engine, store, sorted(wanted))


def _set_window(engine: AnalyticEngine, start: date, end: date) -> None:
    engine.register("stats_window", pa.table({"from_day": pa.array([start], pa.date32()),
                                              "to_day": pa.array([end], pa.date32())}))


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def run_statistics(engine: AnalyticEngine, present: set[str], by: Grouping,
                   start: date | None, end: date | None) -> StatsTable:
    """The statistics over an engine already holding the store tables (``present``)."""
    if by not in ("establishment", "region"):
        raise InvalidData("statistics are grouped by establishment or region",
                          {"by": [f"not {by!r}"]})
    if start is not None and end is not None and start > end:
        raise InvalidData("empty window", {"from": [f"{start} is after {end}"]})
    d = engine.dialect
    parts = {s.name: s.sql(d) if set(s.tables) <= present else empty_sql()
             for s in STATISTICS}
    # Each statistic is computed once, over the window asked for or (when a bound is
    # missing) over everything: the window found from that contains every row, so the
    # same rows serve the table and no statistic is scanned twice.
    _set_window(engine, start or _ALL[0], end or _ALL[1])
    engine.materialize(_PARTS, parts_sql(parts))
    kept = {n: part_of(_PARTS, n) for n in parts}
    if start is None or end is None:
        first, last = engine.run(bounds_sql(d, kept)).to_pylist()[0].values()
        today = date.today()
        start = start or first or date(today.year, today.month, 1)
        end = end or (_month_end(last) if last else today)
        if start > end:
            raise InvalidData("empty window", {"from": [f"{start} is after {end}"]})
        _set_window(engine, start, end)  # the months of the table's spine
    sql = combined_sql(d, kept)
    if by == "region":
        sql = by_region_sql(sql, STATISTIC_NAMES)
    rows = engine.run(sql).to_pylist()
    for r in rows:
        for n in STATISTIC_NAMES:
            r[n] = int(r[n])
    return StatsTable(by, start, end, rows)


def monthly_statistics(settings: Settings, store: Store, by: Grouping = "establishment",
                       start: date | None = None, end: date | None = None) -> StatsTable:
    """Every statistic per establishment (or region) and month of [start, end].

    Without a window, from the first to the last month that has any data.

    >>> # monthly_statistics(settings, store, by="region", start=date(2026, 1, 1))
    """
    engine = engine_for(settings)  # settings.engine: DuckDB (default) or Spark
    try:
        present = _load(engine, store)
        return run_statistics(engine, present, by, start, end)
    finally:
        engine.close()
