"""The evaluation matrix: seeds parsed, a world run end to end in its own store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cellwatch.attribution.service.matrix import WorldResult, parse_seeds, run_world, summary
from cellwatch.errors import ConfigError


def test_seed_lists_and_ranges() -> None:
    assert parse_seeds("2001-2003, 7") == [2001, 2002, 2003, 7]
    assert parse_seeds("5") == [5]
    for bad in ("", "a", "3-1", "1-x"):
        with pytest.raises(ConfigError):
            parse_seeds(bad)


def test_one_world_end_to_end(tmp_path: Path) -> None:
    result = run_world(tmp_path, 1003, 3)
    root = tmp_path / "world-1003-seed-3"
    doc = json.loads((root / "evaluation" / "evaluation.json").read_text())
    saved = json.loads((root / "figures.json").read_text())
    assert saved["world"]["world_seed"] == 1003
    at = next(r for r in doc["by_threshold"]["all"] if r["threshold"] == 0.9)
    assert result.precision == at["precision"]
    assert result.ece == doc["calibration"]["ece"]
    assert result.ceiling is not None
    # The confident ceiling is a calibrated model's; no model passes the tie bound.
    alone = sum(doc["ceiling"][k]["user_stands_alone"] for k in ("IMEI", "IMSI"))
    assert 0 < result.recall <= alone / result.population + 1e-9
    assert result.ceiling <= alone / result.population + 1e-9
    assert not (root / "src").exists()  # sources and store removed unless kept
    assert summary([result])["worlds"] == 1
    # The candidates' figures: counted against the world's truth, and saved.
    assert result.staff_candidates == saved["staff_candidates"] == 0
    assert result.handsets_kept == saved["handsets_kept"]
    assert result.handsets_kept is not None
    assert 0.9 <= result.handsets_kept <= 1.0


def test_a_staff_phone_among_the_candidates_misses_the_targets() -> None:
    met = WorldResult(world_seed=1, seed=1, precision=1.0, recall=0.5, ece=0.01,
                      ceiling=0.5, recall_vs_ceiling=1.0, predicted=10, population=20,
                      seconds=1.0, staff_candidates=0, handsets_kept=1.0)
    assert met.meets_targets
    assert not replace(met, staff_candidates=1).meets_targets
    assert not replace(met, handsets_kept=0.89).meets_targets
    assert replace(met, handsets_kept=None).meets_targets  # no handset had evidence
    assert summary([met, replace(met, staff_candidates=2, handsets_kept=0.5)])[
        "staff_candidates"] == 2


def test_the_command_prints_one_table_and_writes_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cellwatch.cli import main

    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path / "home"))
    assert main(["init"]) == 0
    assert main(["evaluate"]) == 2  # neither --truth nor --matrix
    out = tmp_path / "m"
    assert main(["evaluate", "--matrix", "1006", "--seeds", "4", "--out", str(out)]) == 0
    doc = json.loads((out / "matrix.json").read_text())
    assert [(r["world_seed"], r["seed"]) for r in doc["results"]] == [(1006, 4)]
    assert doc["summary"]["worlds"] == 1
