"""``make bench``: run a scenario into a scratch folder and report detection events per second."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cellwatch.simulate.run import simulate
from cellwatch.simulate.scenario import load_scenario


def run_benchmark(
    scenario: Path | str | None = "national.toml",
    seed: int = 1,
    out_dir: Path | None = None,
    progress: bool = False,
) -> tuple[int, float, float]:
    """Simulate and return (detection events written, detection seconds, total seconds).

    ``scenario`` may be a path or the name of a packaged scenario (``national.toml``).
    """
    sc = load_scenario(scenario)
    if out_dir is not None:
        res = simulate(sc, seed, out_dir, progress=progress)
    else:
        with tempfile.TemporaryDirectory(prefix="cellwatch-bench-") as tmp:
            res = simulate(sc, seed, Path(tmp), progress=progress)
    return res.detections, res.detection_seconds, res.seconds
