"""DuckDB beside Spark: one analytic, one SQL text, the same lake, timed on both engines.

The lake is the attribution benchmark's simulated estate (built once in the work
folder). The analytic is the detection-days feature (``cw_f_det``: the lake scan and
group-by that dominates attribution), run on each engine in its own process so that
start-up and memory are its own. Spark in local mode pays for its JVM, planning and
shuffles, so on one machine and small data it is much slower than DuckDB: the point
of the figures is that both give the same rows, and what Spark costs on this data.
Nothing is targeted; the times are reported as measured. ``peak_gib`` is the Python
process only: Spark's JVM is a child process and is not counted.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult, run_child

# Store tables the detection features read.
_TABLES = {"sensors": "cw_sensors", "locations": "cw_locations", "allow_list": "cw_allow_list",
           "identity_hubs": "cw_hubs"}


def measure(home: str, engine: str) -> dict[str, Any]:
    """Time ``detection_days_sql`` on ``engine`` (start-up, first run, second run)."""
    import cellwatch.attribution.models  # noqa: F401  (identity_hubs on the metadata)
    from cellwatch.attribution.features import detection_days_sql
    from cellwatch.attribution.params import RunParams
    from cellwatch.lake.engine_choice import engine_for
    from cellwatch.lake.reference import reference_table
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=Path(home), environment="test")
    started = time.perf_counter()
    eng = engine_for(settings, engine)
    store = open_store(settings, migrate=False)
    try:
        for source, name in _TABLES.items():
            eng.register(name, reference_table(store, source))
    finally:
        store.dispose()
    ready = time.perf_counter()
    sql = detection_days_sql(eng.dialect, RunParams())
    runs = []
    for _ in range(2):  # the first run pays for warming up (JIT, file listing)
        t0 = time.perf_counter()
        table = eng.run(sql)
        runs.append(time.perf_counter() - t0)
    events = eng.run("SELECT count(*) AS n FROM detections").column(0)[0].as_py()
    eng.close()
    return {"startup_seconds": ready - started, "first_seconds": runs[0],
            "second_seconds": runs[1], "rows": table.num_rows, "events": int(events),
            "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}


def _spark_available() -> bool:
    import importlib.util
    import shutil

    return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


def run(options: BenchOptions) -> list[BenchResult]:
    """Build (or reuse) the estate, then time the analytic on DuckDB and on Spark."""
    built = run_child("cellwatch.bench.attribution:build",
                      {"work": str(options.work_dir), "rows": options.rows})
    duck = run_child("cellwatch.bench.spark:measure", {"home": built["home"], "engine": "duckdb"})
    metrics: dict[str, Any] = {"events": duck["events"], "result_rows": duck["rows"]}
    for key in ("startup_seconds", "first_seconds", "second_seconds", "peak_gib"):
        metrics[f"duckdb_{key}"] = round(duck[key], 3)
    if not _spark_available():
        metrics["spark"] = "skipped: pyspark or java missing"
        return [BenchResult(name="spark", metrics=metrics)]
    spark = run_child("cellwatch.bench.spark:measure", {"home": built["home"], "engine": "spark"})
    for key in ("startup_seconds", "first_seconds", "second_seconds", "peak_gib"):
        metrics[f"spark_{key}"] = round(spark[key], 3)
    metrics["spark_over_duckdb"] = round(
        spark["second_seconds"] / max(duck["second_seconds"], 1e-6), 1)
    same = spark["rows"] == duck["rows"]
    return [BenchResult(name="spark", metrics=metrics,
                        targets={"same_rows": "spark rows == duckdb rows"},
                        passed={"same_rows": same})]
