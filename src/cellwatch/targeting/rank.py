"""Ranking the cells and landings of an establishment for search, as of a day.

The ranking for day D uses only what was known before D (00:00 Europe/London): the
occupancy at that moment, detections and intelligence of the preceding window, and the
newest attribution run's attributions that had begun before D.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa

from cellwatch.errors import InvalidData
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.engine_choice import engine_for
from cellwatch.reports.tables import load_store_tables
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.targeting.model_sql import cell_scores_sql, landing_scores_sql
from cellwatch.targeting.params import ModelParams, default_params

Level = Literal["CELL", "LANDING"]
LONDON = ZoneInfo("Europe/London")
STORE_TABLES = ("locations", "occupancy", "attributions", "attribution_runs", "judgements",
                "intelligence_reports", "intelligence_subjects", "seizure_items")


@dataclass(frozen=True)
class Ranking:
    """Cells or landings in order of expected finds, with each one's signals."""

    day: date
    level: Level
    establishment: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document."""
        return {"day": self.day.isoformat(), "level": self.level,
                "establishment": self.establishment, "rows": self.rows}


def as_of(day: date) -> datetime:
    """The moment a ranking for ``day`` is made: local midnight at its start."""
    return datetime.combine(day, time(), tzinfo=LONDON)


def open_engine(settings: Settings, store: Store) -> AnalyticEngine:
    """The configured engine (``settings.engine``) over the lake, with the store tables the
    model reads."""
    engine = engine_for(settings)
    try:
        present = load_store_tables(engine, store, STORE_TABLES)
    except BaseException:
        engine.close()
        raise
    missing = set(STORE_TABLES) - present
    if missing:
        engine.close()
        raise InvalidData("this store lacks tables the targeting model reads",
                          {"tables": sorted(missing)})
    return engine


def set_params(engine: AnalyticEngine, params: ModelParams, day: date,
               establishment: str | None) -> None:
    """(Re)register the one-row parameter table and the grading grid."""
    moment = as_of(day)
    start = as_of(day - timedelta(days=params.window_days))
    ts = pa.timestamp("us", tz="UTC")
    engine.register("tg_params", pa.table({
        "as_of": pa.array([moment], ts), "window_start": pa.array([start], ts),
        "as_of_day": pa.array([day], pa.date32()),
        "establishment": pa.array([establishment], pa.string()),
        "half_life_days": [params.half_life_days],
        "night_start_hour": [params.night_start_hour], "night_end_hour": [params.night_end_hour],
        "find_rate": [params.find_rate], "night_weight_total": [params.night_weight_total()],
    }))
    engine.register("tg_grades", params.grades())


def score_cells(engine: AnalyticEngine, params: ModelParams, day: date,
                establishment: str | None) -> None:
    """Compute every cell's scores into the engine table ``tg_cells``."""
    set_params(engine, params, day, establishment)
    # A table on DuckDB, a cached view on Spark: computed once, read by each query after.
    engine.materialize("tg_cells", cell_scores_sql(engine.dialect))


def _explain(row: dict[str, Any]) -> str:
    parts = []
    if row["attribution"] > 0:
        parts.append(f"attributed phone(s) of {', '.join(sorted(row['phone_holders'] or []))} "
                     f"({row['attribution']:.2f})")
    if row["detection"] > 0:
        parts.append(f"night-time transmissions ({row['detection']:.2f})")
    if row["intelligence"] > 0:
        parts.append(f"intelligence on occupants ({row['intelligence']:.2f})")
    return "; ".join(parts) or "no signal"


def rank_with(engine: AnalyticEngine, params: ModelParams, day: date, establishment: str | None,
              level: Level = "CELL", top: int | None = None) -> Ranking:
    """The ranking over an engine already holding the store tables."""
    score_cells(engine, params, day, establishment)
    if level == "LANDING":
        sql = f"SELECT * FROM ({landing_scores_sql()}) AS l ORDER BY establishment, rank"  # noqa: S608
    else:
        sql = "SELECT * FROM tg_cells ORDER BY establishment, rank"
    rows = engine.run(sql).to_pylist()
    if top is not None:
        rows = [r for r in rows if r["rank"] <= top]
    for r in rows:
        r["expected_finds"] = round(float(r["expected_finds"]), 4)
        if level == "CELL":
            r["why"] = _explain(r)
            r["phone_holders"] = sorted(r["phone_holders"] or [])
            for k in ("attribution", "detection", "intelligence", "p_phone"):
                r[k] = round(float(r[k]), 4)
    return Ranking(day, level, establishment, rows)


def rank_locations(settings: Settings, store: Store, establishment: str | None, day: date,
                   level: Level = "CELL", top: int | None = None,
                   params: ModelParams | None = None) -> Ranking:
    """Cells (or landings) of ``establishment`` in order of expected finds on ``day``.

    >>> # rank_locations(settings, store, "HEI", date(2026, 11, 1), top=10).rows[0]["code"]
    """
    if level not in ("CELL", "LANDING"):
        raise InvalidData("level is CELL or LANDING", {"level": [str(level)]})
    engine = open_engine(settings, store)
    try:
        return rank_with(engine, params or default_params(), day, establishment, level, top)
    finally:
        engine.close()
