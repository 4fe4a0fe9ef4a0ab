"""The nightly benchmark feeds a real last night: its files hold that night's rows only."""

from __future__ import annotations

import csv
from pathlib import Path

from cellwatch.bench.nightly import _split, build


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_split_keeps_every_row_once_on_its_side_of_the_night(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("ts,sensor_id\n2026-01-01T23:00:00Z,S1\n2026-01-03T01:00:00Z,S1\n")
    # Another file with its columns in another order, as the simulator's parts may be.
    second.write_text("sensor_id,ts\nS2,2026-01-02T09:00:00Z\nS2,2026-01-02T07:59:00Z\n")
    parts = _split([first, second], "ts", "2026-01-02", tmp_path / "detections")
    before, night = _rows(parts["before"]), _rows(parts["night"])
    assert [r["ts"] for r in before] == ["2026-01-01T23:00:00Z"]
    assert sorted(r["ts"] for r in night) == [
        "2026-01-02T07:59:00Z", "2026-01-02T09:00:00Z", "2026-01-03T01:00:00Z"]
    assert {r["sensor_id"] for r in night} == {"S1", "S2"}


def test_build_leaves_the_last_night_out_of_the_lake(tmp_path: Path) -> None:
    built = build(str(tmp_path), 3, 1)
    (night_file,) = built["detections"]
    night = _rows(Path(night_file))
    assert night, "the last night must bring detections, or the increment times nothing"
    assert all(r["ts"][:10] >= built["night"] for r in night)
    history = _rows(tmp_path / "detections-before.csv")
    assert history
    assert all(r["ts"][:10] < built["night"] for r in history)
