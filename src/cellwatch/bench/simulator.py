"""Simulator throughput: detection events written per second, wall clock and per CPU-second.

By default a scaled-down national scenario (``SCALED`` establishments and days of
``national.toml``; about 5 million detections) so ``make bench`` stays short; the full
national year (120 establishments, over 100 million detections, ~20 GB of CSV) runs with
``CELLWATCH_BENCH_SIMULATOR=full`` or ``python -m cellwatch.bench.simulator --full``.
The run happens in a child process; its output goes to the bench scratch folder and is
deleted afterwards. Wall clock on a shared machine understates the rate, so the CPU
figure (all worker processes included) is reported alongside.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult, run_child

TARGET_EVENTS_PER_SECOND = 1_000_000
NATIONAL_MIN_EVENTS = 100_000_000
SCALED = {"establishments": 12, "days": 92}


def measure(out: str, full: bool, workers: int | None, seed: int = 1) -> dict[str, Any]:
    """Child step: simulate the (scaled or full) national scenario into ``out``."""
    from cellwatch.simulate import load_scenario, scenario_from_mapping, simulate

    sc = load_scenario("national.toml")
    if not full:
        data = sc.model_dump()
        data["estate"]["establishments"] = SCALED["establishments"]
        data["run"]["days"] = SCALED["days"]
        sc = scenario_from_mapping(data, "national.toml (scaled)")
    res = simulate(sc, seed, Path(out), progress=False, workers=workers)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "establishments": sc.estate.establishments,
        "days": sc.run.days,
        "detections": res.detections,
        "files": len(res.files),
        "output_bytes": sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()),
        "total_seconds": res.seconds,
        "total_cpu_seconds": res.cpu_seconds,
        "detection_seconds": res.detection_seconds,
        "detection_cpu_seconds": res.detection_cpu_seconds,
        "worker_peak_rss_bytes": kids.ru_maxrss * 1024,
    }


def run(options: BenchOptions) -> list[BenchResult]:
    """Simulate, then report events/s (wall and CPU) for the detection phase and overall."""
    full = os.environ.get("CELLWATCH_BENCH_SIMULATOR", "") == "full"
    return [_run(options.work_dir, full, None)]


def _run(work: Path, full: bool, workers: int | None) -> BenchResult:
    out = work / "simulated"
    try:
        m = run_child(
            "cellwatch.bench.simulator:measure",
            {"out": str(out), "full": full, "workers": workers},
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = int(m["detections"])
    wall = n / m["detection_seconds"] if m["detection_seconds"] else 0.0
    cpu = n / m["detection_cpu_seconds"] if m["detection_cpu_seconds"] else 0.0
    metrics = {
        "scenario": "national" if full else "national scaled {establishments}x{days}d".format(**m),
        "detections": n,
        "output_mib": m["output_bytes"] / 1024**2,
        "total_seconds": m["total_seconds"],
        "total_cpu_seconds": m["total_cpu_seconds"],
        "detection_seconds": m["detection_seconds"],
        "detection_cpu_seconds": m["detection_cpu_seconds"],
        "events_per_second_wall": wall,
        "events_per_cpu_second": cpu,
        "overall_events_per_second_wall": n / m["total_seconds"],
        "overall_events_per_cpu_second": n / m["total_cpu_seconds"],
        "parent_peak_mib": m["peak_rss_bytes"] / 1024**2,
        "worker_peak_mib": m["worker_peak_rss_bytes"] / 1024**2,
    }
    targets = {"events_per_second_wall": f">= {TARGET_EVENTS_PER_SECOND:,}"}
    passed = {"events_per_second_wall": wall >= TARGET_EVENTS_PER_SECOND}
    if full:
        targets["detections"] = f">= {NATIONAL_MIN_EVENTS:,}"
        passed["detections"] = n >= NATIONAL_MIN_EVENTS
    return BenchResult("simulator", metrics, targets, passed)


def main(argv: list[str] | None = None) -> int:
    """``python -m cellwatch.bench.simulator [--full] [--workers N] [--work DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m cellwatch.bench.simulator")
    parser.add_argument("--full", action="store_true", help="the whole national year")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default temp)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cellwatch-bench-sim-"))
    try:
        result = _run(work, args.full, args.workers)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    for key, value in result.metrics.items():
        print(f"{key:<34} {value:,.2f}" if isinstance(value, float) else f"{key:<34} {value}")
    for key, target in result.targets.items():
        print(f"target {key:<27} {target:<14} {'ok' if result.passed[key] else 'MISSED'}")
    return 0 if all(result.passed.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
