"""The lake's layout tells a batch's files by their names, without opening them."""

from __future__ import annotations

from pathlib import Path

from cellwatch.lake.layout import DETECTIONS, files_after, has_data_files, kind_dir


def _touch(root: Path, partition: str, name: str) -> Path:
    path = kind_dir(root, DETECTIONS) / partition / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_files_after_lists_newer_batches_and_the_newest(tmp_path: Path) -> None:
    _touch(tmp_path, "establishment=HEI/day=2026-01-01", "part-3-0.parquet")
    newer = _touch(tmp_path, "establishment=HEI/day=2026-01-02", "part-12-0.parquet")
    also = _touch(tmp_path, "establishment=MDI/day=2026-01-02", "part-4-1.parquet")
    assert files_after(tmp_path, DETECTIONS, 3) == (12, sorted([newer, also]))
    assert files_after(tmp_path, DETECTIONS, 12) == (12, [])


def test_files_after_cannot_tell_when_a_name_does_not_say_its_batch(tmp_path: Path) -> None:
    _touch(tmp_path, "establishment=HEI/day=2026-01-01", "part-3-0.parquet")
    _touch(tmp_path, "establishment=HEI/day=2026-01-01", "copied-in.parquet")
    assert files_after(tmp_path, DETECTIONS, 0) is None


def test_files_after_an_empty_lake(tmp_path: Path) -> None:
    assert files_after(tmp_path, DETECTIONS, 0) == (0, [])


def test_has_data_files_needs_a_parquet_file_in_a_partition(tmp_path: Path) -> None:
    assert not has_data_files(tmp_path, DETECTIONS)
    stray = kind_dir(tmp_path, DETECTIONS) / "establishment=HEI" / "day=2026-01-01" / "x.csv"
    stray.parent.mkdir(parents=True)
    stray.write_text("")
    assert not has_data_files(tmp_path, DETECTIONS)
    _touch(tmp_path, "establishment=HEI/day=2026-01-01", "part-1-0.parquet")
    assert has_data_files(tmp_path, DETECTIONS)
    assert not has_data_files(tmp_path, "call_records")
