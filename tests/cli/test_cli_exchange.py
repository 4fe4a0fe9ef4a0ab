"""``cellwatch export misp|chart|stix`` from the shell:
files written, refusals and unusable rows reported with their exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from attribution_seed import SHARED, seed_attributions
from cellwatch.store import Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest


def test_misp_and_stix_exports_write_and_report(run: Run, store: Store,
                                                tmp_path: Path) -> None:
    seed_attributions(store)
    code, out, err = run("system", "export", "misp", "--out", str(tmp_path / "e.json"))
    assert code == 0, err
    assert "MISP event" in out
    event = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["Event"]
    assert {o["name"] for o in event["Object"]} >= {"person", "phone"}
    code, out, err = run("system", "export", "stix", "--out", str(tmp_path / "s.json"))
    assert code == 0, err
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["type"] == "bundle"


def test_chart_formats_and_bad_roots(run: Run, store: Store, tmp_path: Path) -> None:
    seed_attributions(store)
    code, out, err = run("system", "export", "chart", f"IMEI:{SHARED}", "--format", "i2csv",
                         "--out", str(tmp_path / "chart.csv"))
    assert code == 0, err
    assert "links (i2csv)" in out
    assert sorted(p.name for p in tmp_path.glob("chart*")) == [
        "chart.csv", "chart.i2-import.txt", "chart.schema.json"]
    code, _, err = run("system", "export", "chart", f"IMEI:{SHARED}", "--format", "anx",
                       "--out", str(tmp_path / "chart.anx"))
    assert code == 0, err
    assert "<Chart " in (tmp_path / "chart.anx").read_text(encoding="utf-8")
    code, _, err = run("system", "export", "chart", SHARED, "--out", str(tmp_path / "x"))
    assert code != 0
    assert "TYPE:VALUE" in err
    assert not (tmp_path / "x").exists()
