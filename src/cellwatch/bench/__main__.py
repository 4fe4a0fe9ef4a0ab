"""``python -m cellwatch.bench [--rows N] [--only NAME] [--out DIR]``.

Add a benchmark by writing a module with ``run(options) -> list[BenchResult]`` and
listing it in :data:`BENCHMARKS`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import tempfile
from pathlib import Path

from cellwatch.bench.common import BenchOptions, BenchResult, write_results

BENCHMARKS: list[str] = [
    "cellwatch.bench.lake_ingest",
    "cellwatch.bench.simulator",
    "cellwatch.bench.targeting",
    "cellwatch.bench.attribution",
    "cellwatch.bench.nightly",
    "cellwatch.bench.spark",
    "cellwatch.bench.pages",
    "cellwatch.bench.layout",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cellwatch.bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="events to generate")
    parser.add_argument("--out", type=Path, default=Path("bench-out"), help="results folder")
    parser.add_argument("--only", action="append", default=[], help="benchmark short name")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default temp)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, print their figures, write JSON; 1 if a target missed."""
    args = _parser().parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cellwatch-bench-"))
    chosen = [m for m in BENCHMARKS if not args.only or m.rsplit(".", 1)[-1] in args.only]
    summary: dict[str, list[dict[str, object]]] = {}
    ok = True
    try:
        for module_name in chosen:
            short = module_name.rsplit(".", 1)[-1]
            options = BenchOptions(rows=args.rows, work_dir=work / short, out_dir=args.out)
            options.work_dir.mkdir(parents=True, exist_ok=True)
            results: list[BenchResult] = importlib.import_module(module_name).run(options)
            write_results(args.out, short, results)
            summary[short] = [r.to_dict() for r in results]
            for result in results:
                _print(result)
                ok = ok and all(result.passed.values())
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return 0 if ok else 1


def _print(result: BenchResult) -> None:
    print(f"== {result.name}")
    for key, value in result.metrics.items():
        shown = (
            f"{value:,.2f}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else value
        )
        print(f"   {key:<32} {shown}")
    for key, target in result.targets.items():
        mark = "ok" if result.passed.get(key) else "MISSED"
        print(f"   target {key:<25} {target:<12} {mark}")


if __name__ == "__main__":
    raise SystemExit(main())
