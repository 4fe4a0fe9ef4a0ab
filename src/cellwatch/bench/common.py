"""What benchmarks share: options, results, and running a step in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cellwatch.errors import BenchError


@dataclass(frozen=True)
class BenchOptions:
    """Options every benchmark gets: scale, where to work, where to write results."""

    rows: int
    work_dir: Path
    out_dir: Path


@dataclass
class BenchResult:
    """One measured figure set: a name, its metrics, and its targets with pass/fail."""

    name: str
    metrics: dict[str, Any]
    targets: dict[str, str] = field(default_factory=dict)
    passed: dict[str, bool] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def run_child(target: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run ``module:function(**args)`` in a fresh interpreter; return its dict result.

    The child adds ``peak_rss_bytes`` (its own ``ru_maxrss``) and ``seconds``.
    """
    command = [sys.executable, "-m", "cellwatch.bench.child", target, json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"{target} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def write_results(out_dir: Path, name: str, results: list[BenchResult]) -> Path:
    """Write a benchmark's results as ``out_dir/name.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps([r.to_dict() for r in results], indent=2, default=str))
    return path


def simulated_home(work: str, scenario: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    """Simulate ``scenario`` and ingest it into ``work/home``, once: a folder already
    ingested is reused (benchmarks time the runs over it, not the building)."""
    from cellwatch.ingest.batches import IngestContext
    from cellwatch.ingest.prisons import load_prisons
    from cellwatch.ingest.registry import ingest_file
    from cellwatch.settings import Settings
    from cellwatch.simulate import simulate
    from cellwatch.simulate.scenario import scenario_from_mapping
    from cellwatch.store import open_store

    root = Path(work)
    source, home = root / "src", root / "home"
    settings = Settings(home=home, environment="test")
    if not (home / "ingested").exists():
        simulate(scenario_from_mapping(scenario), seed, source, progress=False)
        store = open_store(settings)
        try:
            ctx = IngestContext.create(store, settings)
            load_prisons(ctx)
            manifest = json.loads((source / "manifest.json").read_text())
            for entry in manifest["files"]:
                ingest_file(ctx, entry["kind"], source / entry["path"])
        finally:
            store.dispose()
        (home / "ingested").write_text("yes")
    return {"home": str(home)}
