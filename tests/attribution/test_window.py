"""The trailing window (packed day counts) against a plain count over the same days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution.params import RunParams
from cellwatch.attribution.window import window_sql
from cellwatch.lake import DuckDBEngine

START = date(2026, 3, 1)
PAIR_DAY = st.fixed_dictionaries({
    "day": st.integers(0, 20),
    "prison_number": st.sampled_from(["A0000AA", "B0000BB"]),
    "vendor": st.integers(0, 1), "zone": st.integers(0, 1), "handheld": st.integers(0, 1),
    "pin_calls": st.integers(0, 3), "pin_shared": st.integers(0, 1),
    "seizure": st.integers(0, 2), "judged": st.integers(0, 1), "prot": st.integers(0, 1),
    "follow": st.integers(0, 1), "cell": st.sampled_from([None, "C1", "C2"]),
    "zone_class": st.integers(0, 3),
})
COUNTS = ("v", "z", "h", "pin_days", "pin_calls", "pin_shared", "seizure", "prot_days",
          "follow_days", "cells", "first_cell", "last_cell", "first_day", "last_day",
          "calls_today", "pin_today", "pin_today_shared", "z2", "z3", "tonight", "placed_tonight")


def _engine(pairs: list[dict[str, Any]], active: list[int]) -> DuckDBEngine:
    engine = DuckDBEngine(duckdb.connect())
    engine.register("pair_in", pa.Table.from_pylist(
        [{**p, "identifier_type": "IMEI", "identifier": "I1",
          "eday": START + timedelta(days=p["day"])} for p in pairs]))
    engine.run("CREATE TABLE cw_f_pair AS SELECT * EXCLUDE (day), "
               "CASE WHEN zone_class = 3 THEN 1 ELSE 0 END AS cell_zone FROM pair_in")
    engine.register("active_in", pa.Table.from_pylist(
        [{"identifier_type": "IMEI", "identifier": "I1", "eday": START + timedelta(days=d),
          "vendor_nights": 1, "ma_nights": 1, "call_days": 0} for d in active]))
    engine.run("CREATE TABLE cw_f_active AS SELECT * FROM active_in")
    # The identifier's own calls: on even days only, so a day without calls is tried too.
    even = [START + timedelta(days=d) for d in active if d % 2 == 0]
    engine.register("calls_in", pa.table({
        "identifier_type": pa.array(["IMEI"] * len(even), pa.string()),
        "identifier": pa.array(["I1"] * len(even), pa.string()),
        "eday": pa.array(even, pa.date32()), "calls": pa.array([7] * len(even), pa.int64())}))
    engine.run("CREATE TABLE cw_f_calldays AS SELECT * FROM calls_in")
    return engine


def _expected(pairs: list[dict[str, Any]], active: list[int], window: int,
              ) -> dict[tuple[int, str], dict[str, Any]]:
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for who in {p["prison_number"] for p in pairs}:
        mine = [p for p in pairs if p["prison_number"] == who]
        d0, d1 = min(p["day"] for p in mine), max(p["day"] for p in mine)
        for day in active:
            if not d0 <= day <= d1 + window - 1:
                continue
            w = [p for p in mine if day - window < p["day"] <= day]
            evidence = [p for p in w if p["vendor"] + p["handheld"] + p["zone"] + p["pin_calls"]
                        + p["seizure"] + p["judged"] + p["prot"] > 0]
            if not evidence:
                continue
            pin = [p for p in w if p["pin_calls"] > 0]
            today = [p for p in w if p["day"] == day]
            cells = sorted({p["cell"] for p in w if p["cell"]})
            out[(day, who)] = {
                "v": sum(p["vendor"] for p in w), "z": sum(p["zone"] for p in w),
                "h": sum(p["handheld"] for p in w), "pin_days": len(pin),
                "pin_calls": sum(p["pin_calls"] for p in w),
                "pin_shared": min(p["pin_shared"] for p in pin) if pin else None,
                "seizure": max(p["seizure"] for p in w), "prot_days": sum(p["prot"] for p in w),
                "follow_days": sum(p["follow"] for p in w),
                "cells": min(len(cells), 2), "first_cell": cells[0] if cells else None,
                "last_cell": cells[-1] if cells else None,
                "first_day": START + timedelta(days=min(p["day"] for p in w)),
                "last_day": START + timedelta(days=max(p["day"] for p in w)),
                # The day's own: the identifier's calls, and the pair's PIN calls that day.
                "calls_today": 7 if day % 2 == 0 else 0,
                "pin_today": sum(p["pin_calls"] for p in today),
                "pin_today_shared": min((p["pin_shared"] for p in today), default=1),
                "z2": sum(p["zone_class"] == 2 for p in w),
                "z3": sum(p["zone_class"] == 3 for p in w),
                # The night's own evidence for him: placed, swept, found, a cell-sized
                # zone, or a call to a PIN number of his alone.
                "tonight": int(any(p["vendor"] + p["handheld"] + p["seizure"] + p["judged"] > 0
                                   or p["zone_class"] == 3
                                   or (p["pin_calls"] > 0 and p["pin_shared"] == 0)
                                   for p in today)),
                "placed_tonight": int(any(p["vendor"] + p["handheld"] + p["seizure"]
                                          + p["judged"] > 0 or p["zone_class"] == 3
                                          for p in today))}
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(PAIR_DAY, min_size=1, max_size=25), st.sets(st.integers(0, 30), min_size=1),
       st.integers(1, 6))
def test_packed_window_counts_equal_plain_counts(
        pairs: list[dict[str, Any]], active: set[int], window: int) -> None:
    unique = list({(p["day"], p["prison_number"]): p for p in pairs}.values())  # one per day
    engine = _engine(unique, sorted(active))
    rows = engine.run(window_sql(engine.dialect, RunParams(window_days=window))).to_pylist()
    got = {((r["eday"] - START).days, r["prison_number"]): {c: r[c] for c in COUNTS}
           for r in rows}
    assert got == _expected(unique, sorted(active), window)


def test_a_window_full_of_evidence_counts_every_day() -> None:
    days = 20
    pairs = [{"day": d, "prison_number": "A0000AA", "vendor": 1, "zone": 1, "handheld": 1,
              "pin_calls": 2, "pin_shared": 1, "seizure": 1, "judged": 0, "prot": 1,
              "follow": 1, "cell": "C1", "zone_class": 1} for d in range(days)]
    engine = _engine(pairs, list(range(days)))
    rows = engine.run(window_sql(engine.dialect, RunParams(window_days=days))).to_pylist()
    last = max(rows, key=lambda r: r["eday"])
    assert {c: last[c] for c in ("v", "z", "h", "pin_days", "prot_days", "follow_days")} == {
        c: days for c in ("v", "z", "h", "pin_days", "prot_days", "follow_days")}
    assert (last["pin_calls"], last["pin_shared"], last["seizure"]) == (2 * days, 1, 1)
    assert last == {**last, **_expected(pairs, list(range(days)), days)[(days - 1, "A0000AA")]}
