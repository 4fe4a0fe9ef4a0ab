"""Nightly attribution: time of an incremental run after one new night, against history.

For each history length the simulator writes an estate one file per establishment and
day; everything but the last night is ingested and attributed in full (a rebuild, timed);
then the last night's detections and call records arrive and ``attribute`` continues the
last run (an increment, timed). Beside them, one group-by scan of that night's
detections: the issue asks for an increment within 5 s and within three such scans plus
a fixed cost that does not grow with history. An increment reads about six weeks of
the lake (docs/lake.md, "Nightly attribution"), so the two longest histories, both past
that, are compared: the longer may cost at most 1.5 times the shorter.

Run alone with ``python -m cellwatch.bench.nightly WORK_DIR [DAYS,...] [ESTABLISHMENTS]``
(the issue's months: ``30,90,365,730``), or through
``python -m cellwatch.bench --only nightly``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult, run_child

INCREMENT_TARGET_SECONDS = 5.0
# The longest history's increment over the next longest's: "does not grow with history".
GROWTH_TARGET = 1.5
QUICK_HISTORIES = (60, 120)
FULL_HISTORIES = (30, 90, 365, 730)
FULL_SCALE_ROWS = 10_000_000


def _scenario(days: int, establishments: int) -> dict[str, Any]:
    # ISO times, so that the files split at the last night by their text.
    return {"run": {"days": days, "messy_formats": False},
            "estate": {"establishments": establishments}}


def build(work: str, days: int, establishments: int) -> dict[str, Any]:
    """Simulate ``days`` and ingest all but the last night; returns where, and that night."""
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.prisons import load_prisons
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.settings import Settings
    from cellwatch.simulate import simulate
    from cellwatch.simulate.scenario import scenario_from_mapping
    from cellwatch.store import open_store

    root = Path(work)
    source, home = root / "src", root / "home"
    simulate(scenario_from_mapping(_scenario(days, establishments)), 7, source, progress=False)
    manifest = json.loads((source / "manifest.json").read_text())
    night = _day(manifest["scenario"]["run"]["start_date"], days - 1)
    events = {"detections": "ts", "call_records": "start_ts"}
    parts = {kind: _split([source / e["path"] for e in manifest["files"] if e["kind"] == kind],
                          column, night, root / kind)
             for kind, column in events.items()}
    store = open_store(Settings(home=home, environment="test"))
    try:
        ctx = IngestContext.create(store, Settings(home=home, environment="test"))
        load_prisons(ctx)
        for entry in manifest["files"]:
            if entry["kind"] not in events:
                ingest_file(ctx, entry["kind"], source / entry["path"])
        for kind in events:
            ingest_file(ctx, kind, parts[kind]["before"])
    finally:
        store.dispose()
    return {"home": str(home), "detections": [str(parts["detections"]["night"])],
            "calls": str(parts["call_records"]["night"]), "night": night}


def _day(start: str, offset: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(start) + timedelta(days=offset)).isoformat()


def _split(files: list[Path], column: str, night: str, out: Path) -> dict[str, Path]:
    """The rows of ``files`` dated before the last night's date, and that night's, as two
    CSV files (one each for the history and the night: a year of small files would spend
    the build on each ingest's fixed cost)."""
    from cellwatch.lake.analytic_engine import scratch_connection

    con = scratch_connection()
    con.execute("SET preserve_insertion_order = true")
    paths = {"before": out.with_name(f"{out.name}-before.csv"),
             "night": out.with_name(f"{out.name}-night.csv")}
    for name, op in (("before", "<"), ("night", ">=")):
        target = str(paths[name]).replace("'", "''")
        # The operator is one of two fixed strings, the column one of two names; the
        # paths were made here.
        con.execute(
            "COPY (SELECT * FROM read_csv(?, header = true, all_varchar = true, "  # noqa: S608
            f"union_by_name = true) WHERE substr({column}, 1, 10) {op} ?) TO '{target}' "
            "(HEADER)", [[str(f) for f in files], night])
    return paths


def rebuild(home: str) -> dict[str, Any]:
    """A full run over the history (no earlier run: a rebuild)."""
    return _attribute(home, [], None)


def increment(home: str, detections: list[str], calls: str) -> dict[str, Any]:
    """The last night's files in, then ``attribute`` (an increment); only the run is timed."""
    return _attribute(home, detections, calls)


def _attribute(home: str, detections: list[str], calls: str | None) -> dict[str, Any]:
    from cellwatch.attribution.run import attribute
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=Path(home), environment="test")
    store = open_store(settings)
    try:
        ctx = IngestContext.create(store, settings)
        for path in detections:
            ingest_file(ctx, "detections", path)
        if calls is not None:
            ingest_file(ctx, "call_records", calls)
        start = time.perf_counter()
        report = attribute(settings, store)
        seconds = time.perf_counter() - start
    finally:
        store.dispose()
    return {"run_seconds": seconds, "mode": report.plan.mode, "reason": report.plan.reason,
            "cut": str(report.plan.cut), "attributions": report.attributions}


def night_scan(home: str, night: str) -> dict[str, Any]:
    """One group-by scan of the detections of the night's UTC days (the yardstick)."""
    from datetime import date, timedelta

    from cellwatch.lake import Lake
    from cellwatch.settings import Settings

    con = Lake(Settings(home=Path(home), environment="test")).connect()
    first = date.fromisoformat(night)
    days = [first, first + timedelta(days=1)]
    start = time.perf_counter()
    rows = con.execute("SELECT sensor_id, count(*) FROM detections WHERE day IN (?, ?) "
                       "GROUP BY 1", days).fetchall()
    return {"scan_seconds": time.perf_counter() - start,
            "night_rows": sum(int(r[1]) for r in rows)}


def run(options: BenchOptions, histories: tuple[int, ...] | None = None,
        establishments: int | None = None) -> list[BenchResult]:
    """One history length after another, each in its own folder and processes."""
    full = options.rows >= FULL_SCALE_ROWS
    histories = histories or (FULL_HISTORIES if full else QUICK_HISTORIES)
    establishments = establishments or (20 if full else 3)
    metrics: dict[str, Any] = {"establishments": establishments}
    increments: list[float] = []
    for days in histories:
        work = options.work_dir / f"nightly-{days}"
        built = run_child("cellwatch.bench.nightly:build",
                          {"work": str(work), "days": days, "establishments": establishments})
        full_run = run_child("cellwatch.bench.nightly:rebuild", {"home": built["home"]})
        inc = run_child("cellwatch.bench.nightly:increment", {
            "home": built["home"], "detections": built["detections"], "calls": built["calls"]})
        scan = run_child("cellwatch.bench.nightly:night_scan",
                         {"home": built["home"], "night": built["night"]})
        increments.append(inc["run_seconds"])
        metrics |= {f"d{days}_rebuild_seconds": round(full_run["run_seconds"], 2),
                    f"d{days}_increment_seconds": round(inc["run_seconds"], 2),
                    f"d{days}_increment_mode": inc["mode"],
                    f"d{days}_night_rows": scan["night_rows"],
                    f"d{days}_night_scan_seconds": round(scan["scan_seconds"], 3)}
    # One history alone (a by-hand run) has nothing to grow from.
    growth = increments[-1] / max(increments[-2], 1e-6) if len(increments) > 1 else 1.0
    metrics["growth_longest_over_next"] = round(growth, 2)
    modes_ok = all(metrics[f"d{d}_increment_mode"] == "increment" for d in histories)
    return [BenchResult(
        name="nightly attribution", metrics=metrics,
        targets={"increment": f"<= {INCREMENT_TARGET_SECONDS} s",
                 "growth": f"<= {GROWTH_TARGET}", "mode": "increment"},
        passed={"increment": max(increments) <= INCREMENT_TARGET_SECONDS,
                "growth": growth <= GROWTH_TARGET, "mode": modes_ok})]


def main(argv: list[str]) -> None:
    """``python -m cellwatch.bench.nightly WORK_DIR [DAYS,DAYS,...] [ESTABLISHMENTS]``."""
    work_dir = Path(argv[0]) if argv else Path("bench-nightly")
    histories = tuple(int(d) for d in argv[1].split(",")) if len(argv) > 1 else None
    establishments = int(argv[2]) if len(argv) > 2 else None
    work_dir.mkdir(parents=True, exist_ok=True)
    options = BenchOptions(rows=1, work_dir=work_dir, out_dir=work_dir / "out")
    for result in run(options, histories, establishments):
        print(json.dumps(result.to_dict(), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
