"""Shared tiny scenarios for the simulator tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.simulate import Scenario, scenario_from_mapping, simulate
from cellwatch.simulate.run import SimulationResult


def tiny(**sections: dict[str, object]) -> Scenario:
    """A one-establishment, ten-day scenario with overrides per section."""
    base: dict[str, dict[str, object]] = {
        "run": {"days": 10, "chunk_days": 4, "rows_per_part": 1000},
        "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15},
    }
    for k, v in sections.items():
        base.setdefault(k, {}).update(v)
    return scenario_from_mapping(base)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> SimulationResult:
    """One tiny messy run shared by read-only tests."""
    return simulate(tiny(), 5, tmp_path_factory.mktemp("tiny"), progress=False)


@pytest.fixture(scope="session")
def tiny_dir(tiny_run: SimulationResult) -> Path:
    """Its output folder."""
    return tiny_run.out_dir
