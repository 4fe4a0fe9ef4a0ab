"""Continuity: the phone's placements move with the prisoner who moved cell."""

from __future__ import annotations

from cellwatch.attribution.continuity import follow_sql
from cellwatch.attribution.params import RunParams
from cellwatch.lake import DuckDBEngine

# Nights 1-3: MOVER and STAYER share cell A, the phone is placed in A (and its mirror M).
# Nights 4-6: MOVER is in cell B, STAYER still in A; the phone is placed in B (and N).
HITS = [(day, who, cell) for day in (1, 2, 3) for who, cell in (("MOVER", "A"), ("STAYER", "A"))]
HITS += [(day, "MOVER", "B") for day in (4, 5, 6)]
PLACED = [(day, cell) for day in (1, 2, 3) for cell in ("A", "M")]
PLACED += [(day, cell) for day in (4, 5, 6) for cell in ("B", "N")]


def _engine(hits: list[tuple[int, str, str]], placed: list[tuple[int, str]]) -> DuckDBEngine:
    engine = DuckDBEngine()
    day = "DATE '2026-01-01' + CAST(d AS INTEGER)"
    engine.run("CREATE TABLE h (d INTEGER, who VARCHAR, cell VARCHAR)")
    engine.run("CREATE TABLE p (d INTEGER, cell VARCHAR)")
    for row in hits:
        engine.run("INSERT INTO h VALUES (?, ?, ?)", list(row))
    for prow in placed:
        engine.run("INSERT INTO p VALUES (?, ?)", list(prow))
    engine.run("CREATE TABLE cw_f_hits AS SELECT 'IMEI' AS identifier_type, '1' AS identifier, "
               f"{day} AS eday, who AS prison_number, cell, 2 AS vendor_n FROM h")
    engine.run("CREATE TABLE cw_f_rfc AS SELECT 'IMEI' AS identifier_type, '1' AS identifier, "
               f"{day} AS eday, cell, 0.0 AS rel FROM p")
    return engine


def test_the_mover_is_followed_and_the_cellmate_left_behind_is_not() -> None:
    engine = _engine(HITS, PLACED)
    rows = engine.run(follow_sql(engine.dialect, RunParams())).to_pylist()
    assert {r["prison_number"] for r in rows} == {"MOVER"}
    # Every night after the move (nights 4-6, dated 2026-01-05..07), each within the
    # window of a night before it.
    assert sorted(r["eday"].day for r in rows) == [5, 6, 7]


def test_no_follow_when_both_cells_are_placements_every_night() -> None:
    # A move between two cells the phone is always placed in (mirror cells) says nothing.
    placed = [(day, cell) for day in range(1, 7) for cell in ("A", "B")]
    engine = _engine(HITS, placed)
    assert engine.run(follow_sql(engine.dialect, RunParams())).num_rows == 0


def test_no_follow_beyond_the_window() -> None:
    hits = [(1, "MOVER", "A"), (30, "MOVER", "B")]
    engine = _engine(hits, [(1, "A"), (30, "B")])
    assert engine.run(follow_sql(engine.dialect, RunParams(window_days=14))).num_rows == 0
