"""The evaluation against hand-made truth: what counts as a prediction, a hit and a miss."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from cellwatch.attribution.evaluate import evaluate
from cellwatch.errors import NotFound

IMEI = "356938035643809"
START = dt.date(2026, 10, 1)


def _day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def _truth(tmp_path: Path, days: range, who: str = "A1234BC") -> Path:
    folder = tmp_path / "truth"
    folder.mkdir()
    lines = ["date,identifier_type,identifier,prison_number,role"]
    lines += [f"{_day(n).isoformat()},IMEI,{IMEI},{who},owner" for n in days]
    (folder / "device_usage.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def _attributions(rows: list[tuple[str, float, int, int]]) -> pa.Table:
    return pa.table({
        "identifier_type": ["IMEI"] * len(rows),
        "identifier": [IMEI] * len(rows),
        "prison_number": [r[0] for r in rows],
        "probability": [r[1] for r in rows],
        "valid_from": [_day(r[2]) for r in rows],
        "valid_to": [_day(r[3]) for r in rows],
        "status": ["PROPOSED"] * len(rows),
    })


def _at(doc: dict, threshold: float) -> dict:  # type: ignore[type-arg]
    return next(r for r in doc["by_threshold"]["IMEI"] if r["threshold"] == threshold)


def test_precision_counts_use_days_and_all_days_separately(tmp_path: Path) -> None:
    # Used days 0-7 by A1234BC. Predicted: A on 0-4 (right), B on 5 (wrong), A on 20
    # (a day nobody used it: no truth to check on use days, wrong on all days).
    root = _truth(tmp_path, range(8))
    att = _attributions([("A1234BC", 0.95, 0, 4), ("B2345CD", 0.92, 5, 5),
                         ("A1234BC", 0.95, 20, 20)])
    row = _at(evaluate(att, root), 0.9)
    assert row["population"] == 8
    assert row["predicted"] == 6
    assert row["precision"] == pytest.approx(5 / 6, abs=1e-4)
    assert row["recall"] == pytest.approx(5 / 8, abs=1e-4)
    assert row["predicted_all_days"] == 7
    assert row["precision_all_days"] == pytest.approx(5 / 7, abs=1e-4)


def test_threshold_drops_weak_predictions(tmp_path: Path) -> None:
    root = _truth(tmp_path, range(8))
    att = _attributions([("A1234BC", 0.6, 0, 7)])
    doc = evaluate(att, root)
    assert _at(doc, 0.5)["recall"] == 1.0
    assert _at(doc, 0.9)["recall"] == 0.0
    assert _at(doc, 0.9)["predicted"] == 0


def test_identifiers_used_on_fewer_than_seven_days_are_outside_the_population(
        tmp_path: Path) -> None:
    root = _truth(tmp_path, range(3))
    doc = evaluate(_attributions([("A1234BC", 0.99, 0, 2)]), root)
    assert _at(doc, 0.9)["population"] == 0
    assert doc["all_devices"][-1]["recall"] == 1.0


def test_time_to_first_confident_counts_days_of_use(tmp_path: Path) -> None:
    root = _truth(tmp_path, range(10))
    att = _attributions([("A1234BC", 0.5, 0, 2), ("A1234BC", 0.95, 3, 9)])
    ttf = evaluate(att, root)["time_to_first_confident"]
    assert ttf["reached"] == 1
    assert ttf["median_use_days"] == 4


def test_missing_truth_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"device_usage\.csv"):
        evaluate(_attributions([]), tmp_path)
