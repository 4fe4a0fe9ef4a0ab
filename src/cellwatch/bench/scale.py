"""National scale: a full attribution run on DuckDB and on Spark over one estate.

``python -m cellwatch.bench.scale WORK ESTABLISHMENTS DAYS [DRIVER_MEMORY]`` simulates
the estate (seed 7) and ingests it once into ``WORK/home``, copies the home once per
engine, runs ``attribute`` on each in its own process (one at a time), and prints one
JSON object: per engine the wall and CPU seconds, the Python process's peak resident set,
the Spark JVM's peak resident set and CPU (sampled from ``/proc``: the JVM is a child of
the Python process), the load average before and after, and whether the two stores hold
the same attributions and evidence. Not in ``BENCHMARKS``: at national sizes a Spark run
takes many minutes (docs/lake.md, "National scale").
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from cellwatch.bench.common import simulated_home

_TICK = os.sysconf("SC_CLK_TCK")

# Every stored field of a run's attributions and evidence; probabilities to 6 decimals
# (the engines sum in different orders: the last bits differ).
_ATTRIBUTIONS = (
    "SELECT identifier_type, identifier, prison_number, rank, valid_from, valid_to, "
    "round(probability, 6), status FROM attributions "
    "WHERE run_id = (SELECT max(id) FROM attribution_runs)")
_EVIDENCE = (
    "SELECT a.identifier, a.prison_number, a.rank, a.valid_from, e.kind, e.description, "
    "round(e.weight_log2, 6), e.count, e.first_seen, e.last_seen "
    "FROM attribution_evidence e JOIN attributions a ON a.id = e.attribution_id "
    "WHERE a.run_id = (SELECT max(id) FROM attribution_runs)")


def build(work: str, establishments: int, days: int) -> dict[str, Any]:
    """Simulate and ingest the estate into ``work/home`` (skipped when already there)."""
    return simulated_home(work, {"run": {"days": days},
                                 "estate": {"establishments": establishments}})


def attribute(home: str, engine: str, driver_memory: str) -> dict[str, Any]:
    """One full attribution run on ``engine``; prints its figures as one JSON line."""
    from cellwatch.attribution.run import attribute as run
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=Path(home), environment="test", engine=engine,
                        spark_driver_memory=driver_memory)
    store = open_store(settings)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    report = run(settings, store)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    store.dispose()
    return {"seconds": seconds, "attributions": report.attributions,
            "python_cpu_seconds": (after.ru_utime + after.ru_stime)
            - (before.ru_utime + before.ru_stime),
            "python_peak_gib": after.ru_maxrss / 1024**2}


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it, from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat:
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def process_sample(pid: int) -> tuple[str, int, float] | None:
    """A process's name, resident bytes and CPU seconds so far, or None once it is gone."""
    stat, status = _read(f"/proc/{pid}/stat"), _read(f"/proc/{pid}/status")
    if not stat or not status:
        return None
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat.rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICK
    rss = next((int(line.split()[1]) * 1024 for line in status.splitlines()
                if line.startswith("VmRSS:")), 0)
    return name, rss, cpu


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def measure(home: str, engine: str, driver_memory: str = "4g") -> dict[str, Any]:
    """Run :func:`attribute` in a child process while sampling its JVM every 0.5 s."""
    load_before = os.getloadavg()
    command = [sys.executable, "-m", "cellwatch.bench.scale", "--attribute", home, engine,
               driver_memory]
    child = subprocess.Popen(command, stdout=subprocess.PIPE,  # noqa: S603
                             stderr=subprocess.DEVNULL, text=True)
    peak = {"tree": 0, "java": 0}
    java_cpu: dict[int, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            tree = java = 0
            for pid in process_tree(child.pid):
                sample = process_sample(pid)
                if sample is not None:
                    tree += sample[1]
                    if "java" in sample[0]:
                        java += sample[1]
                        java_cpu[pid] = sample[2]
            peak["tree"], peak["java"] = max(peak["tree"], tree), max(peak["java"], java)
            stop.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = child.communicate()
    stop.set()
    watcher.join()
    if child.returncode != 0:
        return {"engine": engine, "failed": child.returncode}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result.update(engine=engine, java_peak_gib=peak["java"] / 1024**3,
                  java_cpu_seconds=sum(java_cpu.values()), tree_peak_gib=peak["tree"] / 1024**3,
                  load_before=load_before, load_after=os.getloadavg())
    return result


def compare(home_a: str, home_b: str) -> dict[str, Any]:
    """Whether two stores' latest runs hold the same attributions and evidence."""
    found: dict[str, Any] = {}
    for name, sql in (("attributions", _ATTRIBUTIONS), ("evidence", _EVIDENCE)):
        rows = []
        for home in (home_a, home_b):
            con = sqlite3.connect(Path(home) / "cellwatch.db")
            try:
                rows.append(sorted(map(repr, con.execute(sql).fetchall())))
            finally:
                con.close()
        a, b = rows
        found[name] = {"rows": [len(a), len(b)], "only_first": len(set(a) - set(b)),
                       "only_second": len(set(b) - set(a)), "identical": a == b}
    return found


def run(work: Path, establishments: int, days: int, driver_memory: str) -> dict[str, Any]:
    """Build, copy the home per engine, measure each engine, compare the stores."""
    home = Path(build(str(work), establishments, days)["home"])
    results: dict[str, Any] = {}
    for engine in ("duckdb", "spark"):
        copy = work / f"home-{engine}"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(home, copy)
        results[engine] = measure(str(copy), engine, driver_memory)
    results["same"] = compare(str(work / "home-duckdb"), str(work / "home-spark"))
    return results


if __name__ == "__main__":
    if sys.argv[1] == "--attribute":
        print(json.dumps(attribute(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        memory = sys.argv[4] if len(sys.argv) > 4 else "4g"
        print(json.dumps(run(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), memory),
                         indent=2))
