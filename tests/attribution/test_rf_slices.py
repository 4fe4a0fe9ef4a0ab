"""RF matching by slices of establishments: the same rows as in one pass."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.attribution.params import RunParams
from cellwatch.attribution.rf import match_slices, rf_matches_sql
from cellwatch.lake import DuckDBEngine

COUNTS = st.lists(st.tuples(st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]),
                            st.integers(1, 50)), unique_by=lambda t: t[0])


@given(COUNTS, st.integers(1, 80))
def test_slices_keep_every_establishment_once_in_order_within_the_limit(
        counts: list[tuple[str, int]], limit: int) -> None:
    slices = match_slices(counts, limit)
    assert [e for s in slices for e in s] == [e for e, _ in counts]
    held = dict(counts)
    for s in slices:
        assert len(s) == 1 or sum(held[e] for e in s) <= limit


def _engine() -> DuckDBEngine:
    engine = DuckDBEngine(duckdb.connect())
    bursts = [("IMEI", f"35{i % 3}", est, 1000 + i * 7, "2026-03-01")
              for est in ("AAA", "BBB", "CCC") for i in range(12)]
    engine.register("man_in", pa.Table.from_pylist([
        {"identifier_type": t, "identifier": i, "establishment": e, "sec": s, "eday": d}
        for t, i, e, s, d in bursts]))
    engine.run("CREATE TABLE cw_f_man AS SELECT * REPLACE (CAST(eday AS DATE) AS eday) "
               "FROM man_in")
    engine.register("rfn_in", pa.Table.from_pylist([
        {"sensor_id": f"{e}-RF{j}", "establishment": e, "rssi_dbm": -50.0 - j,
         "eday": "2026-03-01", "sec": 1000 + i * 7 + j - 1}
        for e in ("AAA", "BBB", "CCC") for i in range(12) for j in range(3)]))
    engine.run("CREATE TABLE cw_f_rfn AS SELECT * REPLACE (CAST(eday AS DATE) AS eday) "
               "FROM rfn_in")
    return engine


def test_matching_in_slices_gives_the_rows_of_one_pass() -> None:
    engine, p = _engine(), RunParams()
    engine.materialize("whole", rf_matches_sql(engine.dialect, p))
    engine.materialize_parts("sliced", [rf_matches_sql(engine.dialect, p, s)
                                        for s in (["AAA"], ["BBB", "CCC"])])
    order = " ORDER BY identifier_type, identifier, eday, sensor_id"
    whole = engine.run("SELECT * FROM whole" + order).to_pylist()
    assert whole
    assert engine.run("SELECT * FROM sliced" + order).to_pylist() == whole
    one = engine.run(f"SELECT * FROM ({rf_matches_sql(engine.dialect, p, ['AAA'])}) x"
                     + order).to_pylist()
    assert one
    assert {r["sensor_id"][:3] for r in one} == {"AAA"}
