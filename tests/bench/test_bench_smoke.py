"""``python -m cellwatch.bench`` runs end to end on a tiny file and writes its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from stdnum import luhn

from cellwatch.bench.__main__ import BENCHMARKS, main
from cellwatch.bench.gen_detections import luhn_complete


def test_generated_imeis_pass_luhn() -> None:
    bodies = np.array([35_209_900_176_148, 1, 99_999_999_999_999], dtype=np.int64)
    assert all(luhn.is_valid(str(v).zfill(15)) for v in luhn_complete(bodies))


def test_bench_smoke(tmp_path: Path) -> None:
    assert "cellwatch.bench.lake_ingest" in BENCHMARKS
    out = tmp_path / "out"
    # Only the ingest benchmark: the others simulate whole estates and belong to `make bench`.
    main(["--rows", "2000", "--only", "lake_ingest", "--out", str(out),
          "--work", str(tmp_path / "work")])
    (result,) = json.loads((out / "lake_ingest.json").read_text())
    metrics = result["metrics"]
    assert metrics["rows"] == 2000
    assert metrics["accepted"] + metrics["duplicates"] + metrics["quarantined"] == 2000
    assert set(result["passed"]) == {"ratio", "cellwatch_peak"}
    assert metrics["cellwatch_cpu_seconds"] > 0
    assert metrics["cpu_ratio"] > 0
    assert (out / "summary.json").is_file()
