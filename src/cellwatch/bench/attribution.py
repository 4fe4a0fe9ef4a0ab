"""Attribution speed: time of a full attribution run beside one DuckDB group-by scan of
the same detections (the ratio), and peak memory.

The issue's scenario is one year of 20 establishments (``--rows`` of 10 million or
more); below that a 60-day, 3-establishment scenario keeps the benchmark quick. Each
measured step runs in its own process so that peak memory is its own.

Run alone with ``python -m cellwatch.bench.attribution WORK_DIR [ROWS]``, or through
``python -m cellwatch.bench --only attribution`` once listed in ``BENCHMARKS``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult, run_child, simulated_home

RATIO_TARGET = 5.0
MEMORY_TARGET_GIB = 4.0
FULL_SCALE_ROWS = 10_000_000


def scenario_overrides(rows: int) -> dict[str, Any]:
    """The issue's 1-year, 20-establishment estate, or a small one for quick runs."""
    if rows >= FULL_SCALE_ROWS:
        return {"run": {"days": 365}, "estate": {"establishments": 20}}
    return {"run": {"days": 60}, "estate": {"establishments": 3}}


def build(work: str, rows: int) -> dict[str, Any]:
    """Simulate and ingest the scenario into ``work/home`` (skipped when already there)."""
    return simulated_home(work, scenario_overrides(rows))


def _peak_gib() -> float:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def scan(home: str) -> dict[str, Any]:
    """One group-by scan of every detection: the yardstick."""
    from cellwatch.lake import Lake
    from cellwatch.settings import Settings

    con = Lake(Settings(home=Path(home), environment="test")).connect()
    start = time.perf_counter()
    rows = con.execute("SELECT sensor_id, count(*) FROM detections GROUP BY 1").fetchall()
    n = con.execute("SELECT count(*) FROM detections").fetchone()
    return {"seconds": time.perf_counter() - start, "groups": len(rows),
            "events": int(n[0]) if n else 0, "peak_gib": _peak_gib()}


def attribute(home: str) -> dict[str, Any]:
    """A full attribution run (graph update, features, EM, scores, store writes)."""
    from cellwatch.attribution.run import attribute as run
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=Path(home), environment="test")
    store = open_store(settings)
    start = time.perf_counter()
    report = run(settings, store)
    return {"seconds": time.perf_counter() - start, "attributions": report.attributions,
            "peak_gib": _peak_gib()}


def run(options: BenchOptions) -> list[BenchResult]:
    """Build, then time the scan and the attribution in separate processes."""
    built = run_child("cellwatch.bench.attribution:build",
                      {"work": str(options.work_dir), "rows": options.rows})
    scanned = run_child("cellwatch.bench.attribution:scan", {"home": built["home"]})
    attributed = run_child("cellwatch.bench.attribution:attribute", {"home": built["home"]})
    ratio = attributed["seconds"] / max(scanned["seconds"], 1e-6)
    metrics = {"events": scanned["events"], "scan_seconds": round(scanned["seconds"], 3),
               "attribution_seconds": round(attributed["seconds"], 2),
               "ratio": round(ratio, 1), "attribution_peak_gib": round(attributed["peak_gib"], 2),
               "attributions": attributed["attributions"]}
    return [BenchResult(
        name="attribution", metrics=metrics,
        targets={"ratio": f"<= {RATIO_TARGET}", "memory": f"< {MEMORY_TARGET_GIB} GiB"},
        passed={"ratio": ratio <= RATIO_TARGET,
                "memory": attributed["peak_gib"] < MEMORY_TARGET_GIB})]


if __name__ == "__main__":
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench-attribution")
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    work.mkdir(parents=True, exist_ok=True)
    for result in run(BenchOptions(rows=rows, work_dir=work, out_dir=work / "out")):
        print(json.dumps(result.to_dict(), indent=2))
