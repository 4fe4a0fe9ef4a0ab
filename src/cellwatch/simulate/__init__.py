"""The estate simulator: every source in the interchange formats, plus the ground truth.

>>> from cellwatch.simulate import load_scenario, simulate
>>> res = simulate(load_scenario(None), 1, Path("demo"), progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

from cellwatch.simulate.bench import run_benchmark
from cellwatch.simulate.run import SimulationResult, simulate
from cellwatch.simulate.scenario import Scenario, load_scenario, scenario_from_mapping

__all__ = [
    "Scenario",
    "SimulationResult",
    "load_scenario",
    "run_benchmark",
    "scenario_from_mapping",
    "simulate",
]
