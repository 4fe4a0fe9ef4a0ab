"""The detections column: counted per UK calendar month exactly as a direct count says.

The statistic counts per UTC hour and converts the hours (UK offsets are whole hours),
and defaults its window from the first and last ``day`` partitions: these tests hold it
to a count done here in Python, row by row, with ``zoneinfo``, at the month edges where
UTC and UK months differ (00:30 BST on the 1st is the new month; 23:30 GMT on the last
day is not).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellwatch.lake import Lake, append_batch, remove_batch
from cellwatch.reports import monthly_statistics
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Store
from cellwatch.store import open_store as _open

UK = ZoneInfo("Europe/London")
_BATCHES = count(1)


def _estate(store: Store) -> None:
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", region="West Midlands"))
        s.add(Establishment(code="LEI", name="Leeds (HMP)", region="Yorkshire"))


def _detect(settings: Settings, rows: list[tuple[str, datetime]]) -> int:
    """Append one detection per (establishment, UTC instant) to the lake as one batch."""
    batch = next(_BATCHES)
    lake = Lake(settings)
    con = lake.connect(views=False)
    try:
        con.register("given", pa.table({
            "establishment": [e for e, _ in rows],
            "ts": pa.array([t for _, t in rows], pa.timestamp("us", tz="UTC"))}))
        select = (
            "SELECT establishment, CAST(timezone('UTC', ts) AS DATE) AS day, ts, "
            "'S1' AS sensor_id, CAST(row_number() OVER () AS VARCHAR) AS event_id, "
            "md5(CAST(ts AS VARCHAR) || establishment || CAST(row_number() OVER () AS VARCHAR))"
            " AS event_key, 'LTE' AS technology, NULL AS band_mhz, NULL AS rssi_dbm, "
            "NULL AS duration_s, NULL AS imsi, '352099001761481' AS imei, NULL AS location_code,"
            f" true AS location_resolved, false AS ts_ambiguous, {batch} AS batch_id, "
            "2 AS source_line, NULL AS extra FROM given")
        assert append_batch(con, lake.root, "detections", batch, select) == len(rows)
    finally:
        con.close()
    return batch


def _uk_month(ts: datetime) -> date:
    local = ts.astimezone(UK)
    return date(local.year, local.month, 1)


def _direct(rows: list[tuple[str, datetime]], start: date, end: date) -> Counter[
        tuple[str, date]]:
    return Counter((e, _uk_month(t)) for e, t in rows if start <= t.astimezone(UK).date() <= end)


def _counted(settings: Settings, store: Store, start: date | None = None,
             end: date | None = None) -> tuple[date, date, Counter[tuple[str, date]]]:
    table = monthly_statistics(settings, store, start=start, end=end)
    got = Counter({(r["establishment"], r["month"]): r["detections"] for r in table.rows
                   if r["detections"]})
    return table.start, table.end, got


EDGES = [
    ("HEI", datetime(2026, 9, 30, 23, 30, tzinfo=UTC)),   # 00:30 BST on 1 October
    ("HEI", datetime(2026, 9, 30, 22, 59, tzinfo=UTC)),   # 23:59 BST on 30 September
    ("LEI", datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),  # 23:30 GMT on 31 October
    ("LEI", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),   # 01:30 BST, the hour before GMT
    ("LEI", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),   # 01:30 GMT, the hour repeated
    ("HEI", datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)),
]


def test_month_edges_and_default_window_equal_a_direct_count(
        settings: Settings, store: Store) -> None:
    _estate(store)
    # The first detection is on UTC day 30 September but in October in the UK: the
    # default window starts in October, and the 22:59 UTC one is September's.
    rows = [r for r in EDGES if r[1] != datetime(2026, 9, 30, 22, 59, tzinfo=UTC)]
    _detect(settings, rows)
    start, end, got = _counted(settings, store)
    assert (start, end) == (date(2026, 10, 1), date(2026, 11, 30))
    assert got == _direct(rows, start, end)
    assert got[("HEI", date(2026, 10, 1))] == 1
    assert got[("LEI", date(2026, 10, 1))] == 3
    _detect(settings, [EDGES[1]])
    start, end, got = _counted(settings, store)
    assert (start, end) == (date(2026, 9, 1), date(2026, 11, 30))
    assert got == _direct(EDGES, start, end)
    assert got[("HEI", date(2026, 9, 1))] == 1
    # A window starting on 1 October (a UK day) takes the 23:30 UTC find of 30 September.
    _, _, got = _counted(settings, store, date(2026, 10, 1), date(2026, 10, 31))
    assert got == Counter({("HEI", date(2026, 10, 1)): 1, ("LEI", date(2026, 10, 1)): 3})


INSTANTS = st.datetimes(min_value=datetime(2025, 12, 30), max_value=datetime(2027, 1, 2),
                        timezones=st.just(UTC))
EDGE_INSTANTS = st.builds(
    lambda d, m: datetime(2026, m, 1, tzinfo=UTC) + timedelta(minutes=d),
    st.integers(min_value=-120, max_value=120), st.integers(min_value=1, max_value=12))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["HEI", "LEI"]), INSTANTS | EDGE_INSTANTS),
                min_size=1, max_size=30),
       st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
       st.integers(min_value=0, max_value=70))
def test_any_detections_and_window_equal_a_direct_count(
        sqlite_settings: Settings, rows: list[tuple[str, datetime]], first: date,
        length: int) -> None:
    store = _open(sqlite_settings)
    batch = None
    try:
        with store.session() as s:
            s.query(Establishment).delete()
        _estate(store)
        batch = _detect(sqlite_settings, rows)
        start, end, got = _counted(sqlite_settings, store)
        local = sorted(t.astimezone(UK) for _, t in rows)
        following = date(local[-1].year + local[-1].month // 12, local[-1].month % 12 + 1, 1)
        assert (start, end) == (date(local[0].year, local[0].month, 1),
                                following - timedelta(days=1))
        assert got == _direct(rows, start, end)
        last = first + timedelta(days=length)
        _, _, got = _counted(sqlite_settings, store, first, last)
        assert got == _direct(rows, first, last)
    finally:
        if batch is not None:
            remove_batch(Lake(sqlite_settings).root, "detections", batch)
        store.dispose()
