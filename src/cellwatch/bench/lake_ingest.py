"""Detections ingest throughput: cellwatch's validated ingest against a plain DuckDB copy.

Both read the same generated CSV: (a) ``COPY (SELECT * FROM read_csv(...)) TO parquet``,
the floor any ingest pays; (b) ``cellwatch ingest detections`` through the framework
(sniff, validate, deduplicate, partitioned atomic append, quarantine). Each runs in its
own process so its peak memory is its own.

A third figure, (c), splits the gap: the same plain copy written into the lake's layout
(one directory per establishment and day, ``PARTITION_BY``), with no validation at all.
The issue's ratio is (b) against (a); ``layout_ratio`` is (b) against (c), and (c)
against (a) is what the layout alone costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult, run_child
from cellwatch.lake.analytic_engine import scratch_connection

RATIO_TARGET = 0.5
MEMORY_TARGET = 2 * 1024**3


def prepare(home: str, csv: str, rows: int) -> dict[str, Any]:
    """Child step: a store with the estate, and the CSV."""
    from cellwatch.bench.gen_detections import make_estate, write_detections_csv
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    store = open_store(Settings(home=Path(home), environment="test"))
    try:
        sensors = make_estate(store)
    finally:
        store.dispose()
    return {"bytes": write_detections_csv(Path(csv), rows, sensors)}


def baseline(csv: str, out: str) -> dict[str, Any]:
    """Child step: plain DuckDB, CSV to one Parquet file, no checks."""

    con = scratch_connection()
    # COPY takes no parameter for its target; ``out`` is a path this module made.
    target = out.replace("'", "''")
    con.execute(
        "COPY (SELECT * FROM read_csv(?, header = true, all_varchar = true)) TO "  # noqa: S608
        f"'{target}' (FORMAT PARQUET)",
        [csv],
    ).fetchall()
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchall()
    return {"rows": int(rows[0][0])}


def partitioned_baseline(csv: str, out: str) -> dict[str, Any]:
    """Child step: plain DuckDB, CSV into the lake's partition layout, no checks.

    The establishment is read off the generated sensor id (``HEI-S001``) rather than
    looked up, so that this stays a plain copy.
    """

    con = scratch_connection()
    con.execute(f"SET memory_limit = '{_lake_memory()}'")
    target = out.replace("'", "''")
    con.execute(
        "COPY (SELECT *, split_part(sensor_id, '-', 1) AS establishment, "  # noqa: S608
        "substr(ts, 1, 10) AS day FROM read_csv(?, header = true, all_varchar = true)) TO "
        f"'{target}' (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (establishment, day))",
        [csv],
    ).fetchall()
    return {}


def _lake_memory() -> str:
    """The lake's memory limit, as the ingest runs with it (a fair comparison)."""
    from cellwatch.settings import Settings

    return str(Settings().lake_memory_limit)


def cellwatch_ingest(home: str, csv: str) -> dict[str, Any]:
    """Child step: ``cellwatch ingest detections CSV`` through the framework."""
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=Path(home), environment="test")
    store = open_store(settings, migrate=False)
    try:
        summary = ingest_file(IngestContext.create(store, settings), "detections", csv)
    finally:
        store.dispose()
    return {"summary": summary.to_dict()}


def run(options: BenchOptions) -> list[BenchResult]:
    """Generate, then measure (a) and (b) and their ratio."""
    home = options.work_dir / "home"
    csv = options.work_dir / "detections.csv"
    prepared = run_child(
        "cellwatch.bench.lake_ingest:prepare",
        {"home": str(home), "csv": str(csv), "rows": options.rows},
    )
    plain = run_child(
        "cellwatch.bench.lake_ingest:baseline",
        {"csv": str(csv), "out": str(options.work_dir / "baseline.parquet")},
    )
    layout = run_child(
        "cellwatch.bench.lake_ingest:partitioned_baseline",
        {"csv": str(csv), "out": str(options.work_dir / "baseline-partitioned")},
    )
    ours = run_child(
        "cellwatch.bench.lake_ingest:cellwatch_ingest", {"home": str(home), "csv": str(csv)}
    )
    rows = options.rows
    plain_rate = rows / plain["seconds"]
    our_rate = rows / ours["seconds"]
    summary = ours["summary"]
    metrics = {
        "rows": rows,
        "csv_mib": prepared["bytes"] / 1024**2,
        "generate_seconds": prepared["seconds"],
        "duckdb_copy_seconds": plain["seconds"],
        "duckdb_copy_rows_per_s": plain_rate,
        "duckdb_copy_peak_mib": plain["peak_rss_bytes"] / 1024**2,
        "duckdb_partitioned_copy_seconds": layout["seconds"],
        "layout_cost_ratio": plain["seconds"] / layout["seconds"],
        "cellwatch_seconds": ours["seconds"],
        "cellwatch_rows_per_s": our_rate,
        "cellwatch_peak_mib": ours["peak_rss_bytes"] / 1024**2,
        "ratio": our_rate / plain_rate,
        "layout_ratio": layout["seconds"] / ours["seconds"],
        # CPU time is less disturbed by other work on a shared machine than wall time.
        "duckdb_copy_cpu_seconds": plain["cpu_seconds"],
        "cellwatch_cpu_seconds": ours["cpu_seconds"],
        "cpu_ratio": plain["cpu_seconds"] / ours["cpu_seconds"],
        "accepted": summary["accepted"],
        "duplicates": summary["duplicates"],
        "quarantined": summary["quarantined"],
    }
    return [
        BenchResult(
            name="detections ingest (CSV)",
            metrics=metrics,
            targets={"ratio": f">= {RATIO_TARGET}", "cellwatch_peak": "< 2 GiB"},
            passed={
                "ratio": metrics["ratio"] >= RATIO_TARGET,
                "cellwatch_peak": ours["peak_rss_bytes"] < MEMORY_TARGET,
            },
        )
    ]
