"""Search-targeting hit rate: the default simulated scenario through simulate, ingest,
attribution (when the package is installed) and targeting; the figure is how many times
a random choice of cells the ranking's hit rate is.

Run alone with ``python -m cellwatch.bench.targeting [WORK_DIR]``, or through
``python -m cellwatch.bench --only targeting`` once listed in ``BENCHMARKS``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult

# The ranking must beat a random choice of as many cells by at least this factor.
FACTOR_TARGET = 2.0
TOPS = (5, 10, 20)
# Days of history the first ranking gets before it is judged.
WARM_UP_DAYS = 21


def build(work: Path, seed: int = 1) -> dict[str, Any]:
    """Simulate the default scenario into ``work/src`` and take all of it into ``work/home``."""
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.prisons import load_prisons
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.settings import Settings
    from cellwatch.simulate import load_scenario, simulate
    from cellwatch.store import open_store

    source = work / "src"
    if not (source / "manifest.json").exists():
        simulate(load_scenario(None), seed, source, progress=False)
    manifest = json.loads((source / "manifest.json").read_text())
    settings = Settings(home=work / "home", environment="test")
    store = open_store(settings)
    try:
        ctx = IngestContext.create(store, settings)
        load_prisons(ctx)
        for entry in manifest["files"]:
            ingest_file(ctx, entry["kind"], source / entry["path"])
        attributed = False
        try:
            from cellwatch.attribution.run import attribute
        except ImportError:  # attribution not installed: rank on detections and intelligence
            pass
        else:
            attribute(settings, store)
            attributed = True
    finally:
        store.dispose()
    run = manifest["scenario"]["run"]
    return {"home": str(settings.home), "start": run["start_date"], "days": int(run["days"]),
            "attributed": attributed}


def measure(home: str, start: str, days: int) -> dict[str, Any]:
    """Evaluate the ranking over the scenario after its warm-up, for each top N."""
    from cellwatch.settings import Settings
    from cellwatch.store import open_store
    from cellwatch.targeting import evaluate_ranking

    settings = Settings(home=Path(home), environment="test")
    store = open_store(settings, migrate=False)
    first = date.fromisoformat(start) + timedelta(days=WARM_UP_DAYS)
    last = date.fromisoformat(start) + timedelta(days=days - 1)
    try:
        return {str(top): evaluate_ranking(settings, store, first, last, top=top).to_dict()
                for top in TOPS}
    finally:
        store.dispose()


def run(options: BenchOptions) -> list[BenchResult]:
    """Build the scenario once, then measure the hit-rate factor at each top N."""
    built = build(options.work_dir)
    figures = measure(built["home"], built["start"], built["days"])
    results = []
    for top, ev in figures.items():
        factor = ev["factor"]
        results.append(BenchResult(
            name=f"targeting top {top} cells per establishment",
            metrics={"window": f"{ev['from']} to {ev['to']}", "attribution": built["attributed"],
                     "hits": ev["hits"], "cells_chosen": ev["chosen"],
                     "hit_rate": ev["hit_rate"], "random_hits": ev["random_hits"],
                     "random_hit_rate": ev["random_hit_rate"],
                     "factor_vs_random": factor if factor is not None else "n/a"},
            targets={"factor_vs_random": f">= {FACTOR_TARGET}"},
            passed={"factor_vs_random": factor is not None and factor >= FACTOR_TARGET}))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run standalone and print the factors."""
    args = sys.argv[1:] if argv is None else argv
    work = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="cellwatch-bench-targeting-"))
    work.mkdir(parents=True, exist_ok=True)
    ok = True
    for result in run(BenchOptions(rows=0, work_dir=work, out_dir=work / "out")):
        print(f"== {result.name}")
        for key, value in result.metrics.items():
            print(f"   {key:<20} {value}")
        ok = ok and all(result.passed.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
