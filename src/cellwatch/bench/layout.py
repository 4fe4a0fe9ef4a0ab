"""What fewer, larger lake files would save the pages (issue 19, items 2 and 4).

The lake keeps one file per establishment and UTC day for detections and one per day
for call records (docs/lake.md); the demo estate's two months are 185 + 61 files. On the
profile pages most of the lake's share is per-file cost (open, footer, row-group
statistics), not rows. This bench measures the page queries over the lake as it is and
over a compacted copy of the same rows in a scratch folder (detections one file per
establishment and month sorted by IMEI then time, call records one file per month
sorted by subject IMEI then time; ``day`` kept as a column), both read as the web app
reads them (one connection, Parquet footers cached). The lake itself is not changed:
cross-day files do not fit its ``day=`` partitions, and ingest de-duplicates against a
touched day's directory by name, so compacting the lake means a layout change there
(docs/lake.md, "Compaction").

Run with ``python -m cellwatch.bench --only layout`` (the demo estate is built as the page
bench builds it) or ``python -m cellwatch.bench.layout WORK_DIR`` to reuse an estate.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cellwatch.bench.common import BenchOptions, BenchResult
from cellwatch.lake.analytic_engine import scratch_connection
from cellwatch.settings import Settings, load_settings

REPEAT = 9

# The lake reads of the device and prisoner pages and the statistics, with the identifier
# and establishment they are asked for. Fixed SQL over the two views; values are bound.
QUERIES: dict[str, str] = {
    "count call records": "SELECT count(*) FROM call_records",
    "IMEI detections (device page)": (
        "SELECT ts, sensor_id, imsi, location_code FROM detections WHERE imei = $imei "
        "ORDER BY ts"),
    "IMEI detections in one prison": (
        "SELECT count(*), min(ts), max(ts) FROM detections "
        "WHERE imei = $imei AND establishment = $est"),
    "IMEI call records (device page)": (
        "SELECT start_ts, direction, other_party FROM call_records "
        "WHERE subject_imei = $imei ORDER BY start_ts"),
    "IMSI detections over 30 days (prisoner page)": (
        "SELECT day, count(*) FROM detections WHERE imsi = $imsi AND establishment = $est "
        "AND day BETWEEN $first AND $first + INTERVAL 30 DAY GROUP BY day"),
    "detections per establishment and hour (statistics)": (
        "SELECT establishment, count(*) FROM detections "
        "GROUP BY establishment, epoch_us(ts) // 3600000000"),
}


def compact_copy(con: Any, out: Path) -> dict[str, int]:
    """Write the compacted copy of ``con``'s lake views under ``out``; files per kind."""
    det, calls = out / "detections", out / "call_records"
    out.mkdir(parents=True, exist_ok=True)
    # Paths are this bench's scratch folder; the SQL is fixed.
    con.execute(
        f"COPY (SELECT *, strftime(day, '%Y-%m') AS month FROM detections "  # noqa: S608
        f"ORDER BY establishment, month, imei, ts) TO '{det}' (FORMAT PARQUET, "
        "COMPRESSION ZSTD, PARTITION_BY (establishment, month), OVERWRITE_OR_IGNORE)")
    con.execute(
        f"COPY (SELECT *, strftime(day, '%Y-%m') AS month FROM call_records "  # noqa: S608
        f"ORDER BY month, subject_imei, start_ts) TO '{calls}' (FORMAT PARQUET, "
        "COMPRESSION ZSTD, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
    return {"detections": len(list(det.rglob("*.parquet"))),
            "call_records": len(list(calls.rglob("*.parquet")))}


def _compacted_connection(out: Path) -> Any:
    con = scratch_connection()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET parquet_metadata_cache = true")
    for kind, levels in (("detections", "*/*"), ("call_records", "*")):
        glob = str(out / kind / levels / "*.parquet").replace("'", "''")
        # A scratch path made by this bench; the view keeps the lake's column names.
        con.execute(f"CREATE VIEW {kind} AS SELECT * EXCLUDE (month) FROM read_parquet("  # noqa: S608
                    f"'{glob}', hive_partitioning = true, hive_types = {{'month': 'VARCHAR'}})")
    return con


def _cpu_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: footers into the cache, as on a serving app
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append((time.process_time() - started) * 1000)
    return sorted(times)[len(times) // 2]


def _runner(con: Any, sql: str, params: dict[str, Any]) -> Callable[[], object]:
    def run() -> object:
        return con.execute(sql, params).fetchall()

    return run


def _subjects(con: Any) -> dict[str, Any]:
    rows = con.execute(
        "SELECT establishment, imei, max_by(imsi, n) AS imsi, min(day) AS first FROM ("
        "SELECT establishment, imei, imsi, min(day) AS day, count(*) AS n FROM detections "
        "WHERE imei IS NOT NULL AND imsi IS NOT NULL GROUP BY ALL) "
        "GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1").fetchall()
    est, imei, imsi, first = rows[0]
    return {"est": est, "imei": imei, "imsi": imsi, "first": first}


def measure(settings: Settings, scratch: Path, repeat: int = REPEAT) -> dict[str, Any]:
    """CPU ms (median of ``repeat``) of each page query over the lake and a compacted copy."""
    import shutil

    from cellwatch.lake import Lake
    from cellwatch.lake.layout import KINDS, data_files

    lake = Lake(settings).connect()
    lake.execute("SET parquet_metadata_cache = true")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    files = {k: len(data_files(settings.lake_dir, k)) for k in KINDS}
    compacted_files = compact_copy(lake, scratch)
    compacted = _compacted_connection(scratch)
    params = _subjects(lake)
    figures: dict[str, Any] = {"files": files, "compacted_files": compacted_files,
                               "queries": {}}
    for name, sql in QUERIES.items():
        wanted = {k: v for k, v in params.items() if f"${k}" in sql}
        answers = [sorted(map(str, con.execute(sql, wanted).fetchall()))
                   for con in (lake, compacted)]
        lake_ms, compacted_ms = (_cpu_ms(_runner(con, sql, wanted), repeat)
                                 for con in (lake, compacted))
        figures["queries"][name] = {"lake_ms": round(lake_ms, 1),
                                    "compacted_ms": round(compacted_ms, 1),
                                    "same_rows": answers[0] == answers[1]}
    lake.close()
    compacted.close()
    return figures


def run(options: BenchOptions) -> list[BenchResult]:
    """Build (or reuse) the demo estate and compare the page queries on the two layouts."""
    from cellwatch.bench.pages import build

    # The page bench's demo estate (built there once when both run; built here if not).
    estate = options.work_dir.parent / "pages"
    figures = measure(load_settings(home=build(estate)), options.work_dir / "compacted")
    results = []
    for name, f in figures["queries"].items():
        results.append(BenchResult(
            name=f"lake layout: {name}",
            metrics={"lake_cpu_ms": f["lake_ms"], "compacted_cpu_ms": f["compacted_ms"],
                     "ratio": round(f["lake_ms"] / max(f["compacted_ms"], 0.1), 1),
                     "lake_files": figures["files"],
                     "compacted_files": figures["compacted_files"]},
            # Informational: the lake is not compacted; only the answers must agree.
            targets={"same_rows": "true"}, passed={"same_rows": f["same_rows"]}))
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the comparison for an estate kept in WORK_DIR (built there if absent)."""
    import tempfile

    from cellwatch.bench.pages import build

    args = sys.argv[1:] if argv is None else argv
    work = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="cellwatch-bench-layout-"))
    work.mkdir(parents=True, exist_ok=True)
    figures = measure(load_settings(home=build(work)), work / "compacted")
    print(f"files: lake {figures['files']}, compacted {figures['compacted_files']}")
    print(f"{'query':<52} {'lake ms':>8} {'compact ms':>10} {'ratio':>6} same rows")
    for name, f in figures["queries"].items():
        ratio = f["lake_ms"] / max(f["compacted_ms"], 0.1)
        print(f"{name:<52} {f['lake_ms']:>8.1f} {f['compacted_ms']:>10.1f} {ratio:>6.1f} "
              f"{f['same_rows']}")
    return 0 if all(f["same_rows"] for f in figures["queries"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
