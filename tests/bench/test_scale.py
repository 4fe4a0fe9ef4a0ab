"""The national-scale bench's helpers: process sampling and the store comparison."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from cellwatch.bench.scale import compare, process_sample, process_tree

_SCHEMA = """
CREATE TABLE attribution_runs (id INTEGER PRIMARY KEY);
CREATE TABLE attributions (id INTEGER PRIMARY KEY, run_id INT, identifier_type TEXT,
  identifier TEXT, prison_number TEXT, probability REAL, rank INT, valid_from TEXT,
  valid_to TEXT, status TEXT);
CREATE TABLE attribution_evidence (id INTEGER PRIMARY KEY, attribution_id INT, kind TEXT,
  description TEXT, weight_log2 REAL, count INT, first_seen TEXT, last_seen TEXT);
"""


def _store(home: Path, probability: float, evidence_count: int) -> str:
    home.mkdir()
    con = sqlite3.connect(home / "cellwatch.db")
    con.executescript(_SCHEMA)
    con.execute("INSERT INTO attribution_runs VALUES (1), (2)")
    # Run 1 is an older run: only the latest is compared.
    con.execute("INSERT INTO attributions VALUES (1, 1, 'IMEI', 'x', 'A0000AA', 0.5, 1, "
                "'2026-01-01', '2026-01-02', 'PROPOSED')")
    con.execute("INSERT INTO attributions VALUES (7, 2, 'IMEI', 'y', 'A0000AA', ?, 1, "
                "'2026-01-01', '2026-02-01', 'PROPOSED')", (probability,))
    con.execute("INSERT INTO attribution_evidence VALUES (3, 7, 'CALLS', 'd', 1.5, ?, "
                "'2026-01-01', '2026-01-09')", (evidence_count,))
    con.commit()
    con.close()
    return str(home)


def test_compare_ignores_last_bits_and_finds_differences(tmp_path: Path) -> None:
    a = _store(tmp_path / "a", 0.9, 4)
    b = _store(tmp_path / "b", 0.9 + 3e-14, 4)
    c = _store(tmp_path / "c", 0.9, 5)
    same = compare(a, b)
    assert same["attributions"] == {"rows": [1, 1], "only_first": 0, "only_second": 0,
                                    "identical": True}
    assert same["evidence"]["identical"]
    different = compare(a, c)
    assert different["attributions"]["identical"]
    assert not different["evidence"]["identical"]
    assert different["evidence"]["only_first"] == 1


def test_process_sampling_sees_this_process() -> None:
    assert os.getpid() in process_tree(os.getpid())
    sample = process_sample(os.getpid())
    assert sample is not None
    _, rss, cpu = sample
    assert rss > 0
    assert cpu >= 0
    assert process_sample(2**22 + 12345) is None
