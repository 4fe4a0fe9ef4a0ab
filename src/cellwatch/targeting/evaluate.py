"""Measuring the ranking: after searches, compare the cells where phones or SIMs were
found with the ranking made before, and with a random choice of as many cells.

For each period (``every_days`` long) of the window, cells are ranked as of the period's
first day, then the period's finds (seizure items of type HANDSET, SIM or
HANDSET_WITH_SIM located in a cell) are counted in the top ``top`` cells of each
establishment. A uniformly random choice of ``top`` of an establishment's C cells, F of
which had a find, hits ``top * F / C`` cells in expectation (exact, not sampled). The
factor is the ranking's hits over that expectation, summed over establishments and periods.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from cellwatch.errors import InvalidData
from cellwatch.lake import AnalyticEngine
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.targeting.model_sql import hits_sql
from cellwatch.targeting.params import ModelParams, default_params
from cellwatch.targeting.rank import as_of, open_engine, score_cells


@dataclass
class PeriodResult:
    """One establishment in one period."""

    start: date
    end: date
    establishment: str
    cells: int
    find_cells: int
    chosen: int
    hits: int
    random_hits: float
    expected_finds: float


@dataclass
class Evaluation:
    """The ranking's hit rate against a random choice, over every period."""

    start: date
    end: date
    top: int
    every_days: int
    periods: list[PeriodResult] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return sum(p.hits for p in self.periods)

    @property
    def chosen(self) -> int:
        return sum(p.chosen for p in self.periods)

    @property
    def random_hits(self) -> float:
        return sum(p.random_hits for p in self.periods)

    @property
    def hit_rate(self) -> float:
        """Share of chosen cells where something was found."""
        return self.hits / self.chosen if self.chosen else 0.0

    @property
    def random_hit_rate(self) -> float:
        """The same share for a random choice of as many cells (its expectation)."""
        return self.random_hits / self.chosen if self.chosen else 0.0

    @property
    def factor(self) -> float | None:
        """How many times the random choice's hit rate the ranking achieves (None: no finds)."""
        return self.hits / self.random_hits if self.random_hits > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "top": self.top,
                "every_days": self.every_days, "hits": self.hits, "chosen": self.chosen,
                "hit_rate": round(self.hit_rate, 4),
                "random_hits": round(self.random_hits, 4),
                "random_hit_rate": round(self.random_hit_rate, 4),
                "factor": None if self.factor is None else round(self.factor, 3),
                "find_cells": sum(p.find_cells for p in self.periods),
                "expected_finds": round(sum(p.expected_finds for p in self.periods), 3),
                "periods": [asdict(p) for p in self.periods]}


def evaluate_with(engine: AnalyticEngine, params: ModelParams, start: date, end: date,
                  top: int = 10, every_days: int = 7,
                  establishment: str | None = None) -> Evaluation:
    """The evaluation over an engine already holding the store tables."""
    problems: dict[str, list[str]] = {}
    if start > end:
        problems["from"] = [f"{start} is after {end}"]
    if top < 1:
        problems["top"] = ["must be at least 1"]
    if every_days < 1:
        problems["every"] = ["must be at least 1 day"]
    if problems:
        raise InvalidData("cannot evaluate", problems)
    result = Evaluation(start, end, top, every_days)
    day = start
    while day <= end:
        last = min(end, day + timedelta(days=every_days - 1))
        score_cells(engine, params, day, establishment)
        ts = pa.timestamp("us", tz="UTC")
        engine.register("tg_eval", pa.table({
            "period_start": pa.array([as_of(day)], ts),
            "period_end": pa.array([as_of(last + timedelta(days=1))], ts),
            "top": pa.array([top], pa.int64())}))
        for r in engine.run(hits_sql()).to_pylist():
            cells, finds, chosen = int(r["cells"]), int(r["find_cells"]), int(r["chosen"])
            result.periods.append(PeriodResult(
                day, last, r["establishment"], cells, finds, chosen, int(r["hits"]),
                chosen * finds / cells if cells else 0.0, float(r["expected_finds"] or 0.0)))
        day = last + timedelta(days=1)
    return result


def evaluate_ranking(settings: Settings, store: Store, start: date, end: date, top: int = 10,
                     every_days: int = 7, establishment: str | None = None,
                     params: ModelParams | None = None) -> Evaluation:
    """Rank as of each period's start and count the period's finds in the top ``top`` cells.

    >>> # evaluate_ranking(settings, store, date(2026, 10, 1), date(2026, 11, 13)).factor
    """
    engine = open_engine(settings, store)
    try:
        return evaluate_with(engine, params or default_params(), start, end, top, every_days,
                             establishment)
    finally:
        engine.close()
