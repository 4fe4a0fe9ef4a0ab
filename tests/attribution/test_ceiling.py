"""The evidence ceiling: an upper bound on confident recall that no weighting can pass."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from cellwatch.attribution.ceiling import ceiling_sql, truth_usage
from cellwatch.attribution.report import evaluate_latest
from cellwatch.attribution.run import attribute
from cellwatch.attribution.window import FIELDS
from cellwatch.lake import DuckDBEngine
from cellwatch.settings import Settings

from .tiny_estate import tiny_estate

D0 = date(2026, 3, 1)


def _vec(day: int, who: str, placed: int = 1, identifier: str = "I1",
         **levels: int) -> dict[str, Any]:
    return {"identifier_type": "IMEI", "identifier": identifier,
            "eday": D0 + timedelta(days=day), "prison_number": who, "placed_tonight": placed,
            "pin_today": 0, "pin_today_shared": 1} | {
                f"l_{f}": levels.get(f, -1) for f in FIELDS}


def test_ties_absent_users_and_silent_days_are_each_counted(tmp_path: Path) -> None:
    """Day 0 the user ties with his cellmate; day 1 he stands alone; day 2 only someone
    else is a candidate; day 3 the phone left no evidence at all; day 4 he stands alone
    on his window's calls, but a second phone shows that same vector on a man who was
    not its user (a phone lent for the night): half the time right is not confident."""
    (tmp_path / "device_usage.csv").write_text(
        "date,identifier_type,identifier,prison_number\n"
        + "".join(f"{D0 + timedelta(days=d)},IMEI,I1,A1\n" for d in range(5))
        + f"{D0},IMEI,I2,A1\n")
    engine = DuckDBEngine(duckdb.connect())
    engine.register("vec_in", pa.Table.from_pylist([
        _vec(0, "A1", vendor=5), _vec(0, "B2", vendor=5),
        _vec(1, "A1", vendor=5, pin=3), _vec(1, "B2", vendor=5, pin=0),
        _vec(2, "B2", vendor=5), _vec(4, "A1", placed=0, pin=3),
        _vec(0, "C3", placed=0, identifier="I2", pin=3)]))
    engine.run("CREATE TABLE cw_f_vec AS SELECT * FROM vec_in")
    engine.register("active_in", pa.Table.from_pylist(
        [{"identifier_type": "IMEI", "identifier": "I1", "eday": D0 + timedelta(days=d)}
         for d in (0, 1, 2, 4)] + [{"identifier_type": "IMEI", "identifier": "I2", "eday": D0}]))
    engine.run("CREATE TABLE cw_f_active AS SELECT * FROM active_in")
    engine.register("cw_truth", truth_usage(tmp_path))
    [row] = engine.run(ceiling_sql(engine.dialect, min_days=1)).to_pylist()
    assert row == {"identifier_type": "IMEI", "population": 6, "with_evidence": 5,
                   "user_is_candidate": 3, "user_stands_alone": 2, "can_be_confident": 1}
    # Trusting vectors right half the time, day 4 would count too.
    [row] = engine.run(ceiling_sql(engine.dialect, min_days=1, confident=0.5)).to_pylist()
    assert row["can_be_confident"] == 2


def test_a_vector_is_judged_with_the_rivals_of_its_night(tmp_path: Path) -> None:
    """The same vector is the user's whenever it is the night's only candidate (phones
    I1, I2) and never when a stronger rival stands beside it (I3, where B2 is the
    user): by its vector alone it is right half the time, but a model sees the rival
    too, so the lone nights can be confident and the bound counts them."""
    (tmp_path / "device_usage.csv").write_text(
        "date,identifier_type,identifier,prison_number\n"
        + "".join(f"{D0},IMEI,{i},{who}\n" for i, who in (("I1", "A1"), ("I2", "A1"),
                                                          ("I3", "B2"), ("I4", "B2"))))
    engine = DuckDBEngine(duckdb.connect())
    engine.register("vec_in", pa.Table.from_pylist([
        _vec(0, "A1", identifier="I1", vendor=3), _vec(0, "A1", identifier="I2", vendor=3),
        _vec(0, "A1", identifier="I3", vendor=3), _vec(0, "B2", identifier="I3", vendor=5),
        _vec(0, "A1", identifier="I4", vendor=3), _vec(0, "B2", identifier="I4", vendor=5)]))
    engine.run("CREATE TABLE cw_f_vec AS SELECT * FROM vec_in")
    engine.register("active_in", pa.Table.from_pylist(
        [{"identifier_type": "IMEI", "identifier": i, "eday": D0} for i in ("I1", "I2", "I3",
                                                                             "I4")]))
    engine.run("CREATE TABLE cw_f_active AS SELECT * FROM active_in")
    engine.register("cw_truth", truth_usage(tmp_path))
    [row] = engine.run(ceiling_sql(engine.dialect, min_days=1)).to_pylist()
    # I1, I2 (alone, always right) and I3, I4 (the rival B2's vector, always right).
    assert row["can_be_confident"] == 4


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("ceiling")
    settings = Settings(home=base / "home", environment="test")
    with tiny_estate(settings, 3, base / "sim") as (out, store):
        attribute(settings, store)
        return evaluate_latest(settings, store, out, base / "eval", ceiling=True)


@pytest.mark.parametrize("kind", ["IMEI", "IMSI"])
def test_no_threshold_above_a_half_recalls_more_than_the_ceiling(
        evaluated: dict[str, Any], kind: str) -> None:
    bound = evaluated["ceiling"][kind]
    assert bound["population"] >= bound["with_evidence"] >= bound["user_is_candidate"] >= (
        bound["user_stands_alone"]) > 0
    for point in evaluated["by_threshold"][kind]:
        if point["threshold"] > 0.5:
            assert point["recall"] <= bound["recall_ceiling"] + 1e-9
    # The bound is not slack everywhere: the run reaches most of it.
    confident = [p["recall"] for p in evaluated["by_threshold"][kind] if p["threshold"] == 0.9]
    assert confident[0] >= 0.5 * bound["recall_ceiling"]
    assert confident[0] <= bound["confident_ceiling"] + 1e-9
    assert bound["can_be_confident"] <= bound["user_stands_alone"]
