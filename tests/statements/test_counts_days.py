"""The day partitions the detection counts read: every detection whose evidence day lies
in a period is on a listed UTC day, however many periods and however long."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.statements.counts import PERIODS_SCHEMA, _days_filter

LONDON = ZoneInfo("Europe/London")
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


def _evidence_day(ts: datetime) -> date:
    # As attribution counts nights: UK wall-clock time less eight hours.
    return (ts.astimezone(LONDON).replace(tzinfo=None) - timedelta(hours=8)).date()


def _listed(sql: str) -> set[date] | tuple[date, date]:
    found = [date.fromisoformat(d) for d in re.findall(r"DATE '([\d-]+)'", sql)]
    if sql.startswith("day BETWEEN"):
        return (found[0], found[1])
    assert sql.startswith("day IN (")
    return set(found)


def _table(periods: list[tuple[date, date]]) -> pa.Table:
    return pa.Table.from_pylist([{"prison_number": "A1234BC", "identifier_type": "IMEI",
                                  "identifier": "490154203237518", "valid_from": a,
                                  "valid_to": b} for a, b in periods], schema=PERIODS_SCHEMA)


@given(st.lists(st.tuples(DAYS, st.integers(0, 500)), min_size=1, max_size=6),
       st.integers(0, 10_000), st.integers(0, 86_399))
def test_every_detection_of_a_period_lies_on_a_listed_day(
        spans: list[tuple[date, int]], pick: int, second: int) -> None:
    periods = [(start, start + timedelta(days=length)) for start, length in spans]
    listed = _listed(_days_filter(_table(periods)))
    start, end = periods[pick % len(periods)]
    day = start + timedelta(days=pick % ((end - start).days + 1))
    # A moment of that evidence day: from 08:00 UK time on it, for 24 hours (25 or 23 at
    # a change of the clocks; the rest of the span is checked too).
    local = datetime(day.year, day.month, day.day, 8, tzinfo=LONDON)
    ts = local.astimezone(UTC) + timedelta(seconds=second)
    if _evidence_day(ts) != day:
        return
    utc_day = ts.date()
    if isinstance(listed, tuple):
        assert listed[0] <= utc_day <= listed[1]
    else:
        assert utc_day in listed


def test_short_periods_list_their_days_and_the_next() -> None:
    sql = _days_filter(_table([(date(2026, 3, 28), date(2026, 3, 29))]))
    assert _listed(sql) == {date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)}


def test_a_long_history_is_one_range() -> None:
    sql = _days_filter(_table([(date(2025, 1, 1), date(2026, 6, 30))]))
    assert _listed(sql) == (date(2025, 1, 1), date(2026, 7, 1))
