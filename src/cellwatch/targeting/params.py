"""The targeting model's parameters, as data (``data/model.yaml``), validated at load."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import pyarrow as pa
import yaml

from cellwatch.errors import ConfigError

_KEYS = frozenset({"window_days", "half_life_days", "night_start_hour", "night_end_hour",
                   "find_rate", "source_weight", "assessment_weight"})


@dataclass(frozen=True)
class ModelParams:
    """Every number the ranking uses; see ``data/model.yaml`` for their meaning."""

    window_days: int
    half_life_days: float
    night_start_hour: int
    night_end_hour: int
    find_rate: float
    source_weight: tuple[tuple[str, float], ...]
    assessment_weight: tuple[tuple[str, float], ...]

    def with_(self, **changes: Any) -> ModelParams:
        """A copy with some parameters changed (e.g. ``window_days=14``)."""
        return replace(self, **changes)

    def night_weight_total(self) -> float:
        """The sum of every night's decay weight over the window (the denominator of shares)."""
        return float(sum(0.5 ** (k / self.half_life_days) for k in range(1, self.window_days + 1)))

    def grades(self) -> pa.Table:
        """The grading grid as a table (source_evaluation, intelligence_assessment, weight)."""
        rows = [(s, a, sw * aw) for s, sw in self.source_weight for a, aw in self.assessment_weight]
        return pa.table({"source_evaluation": [r[0] for r in rows],
                         "intelligence_assessment": [r[1] for r in rows],
                         "weight": [r[2] for r in rows]})


def _weights(raw: Any, name: str, problems: list[str]) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{name} must be a non-empty mapping")
        return ()
    out = []
    for key, value in raw.items():
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            problems.append(f"{name}.{key} must be a number from 0 to 1")
            continue
        out.append((str(key), float(value)))
    return tuple(out)


def parse_params(raw: Any) -> ModelParams:
    """Validate a parameter mapping, collecting every problem before raising ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError("targeting model: expected a mapping")
    problems = [f"unknown key {k!r}" for k in sorted(set(raw) - _KEYS)]
    problems += [f"missing key {k!r}" for k in sorted(_KEYS - set(raw))]
    if problems:
        raise ConfigError("targeting model is not valid: " + "; ".join(problems))
    checks = {
        "window_days": 1 <= int(raw["window_days"]) <= 366,
        "half_life_days": 0 < float(raw["half_life_days"]) <= 366,
        "night_start_hour": 0 <= int(raw["night_start_hour"]) <= 23,
        "night_end_hour": 0 <= int(raw["night_end_hour"]) <= 23,
        "find_rate": 0 < float(raw["find_rate"]) <= 1,
    }
    problems += [f"{k} is out of range" for k, ok in checks.items() if not ok]
    sources = _weights(raw["source_weight"], "source_weight", problems)
    assessments = _weights(raw["assessment_weight"], "assessment_weight", problems)
    if problems:
        raise ConfigError("targeting model is not valid: " + "; ".join(problems))
    return ModelParams(int(raw["window_days"]), float(raw["half_life_days"]),
                       int(raw["night_start_hour"]), int(raw["night_end_hour"]),
                       float(raw["find_rate"]), sources, assessments)


@functools.lru_cache(maxsize=1)
def default_params() -> ModelParams:
    """The bundled parameters (cached: they are immutable)."""
    data = resources.files("cellwatch.targeting").joinpath("data")
    text = data.joinpath("model.yaml").read_text("utf-8")
    return parse_params(yaml.safe_load(text))
