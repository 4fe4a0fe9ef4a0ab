"""The overview's weekly sums: each day in the week that holds it, days outside the twelve
weeks in none (checked against the plain definition, every day against every week)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cellwatch.web.estate import _week_labels, _weekly


def _by_definition(days: Counter[date], weeks: list[date]) -> list[int]:
    return [sum(n for d, n in days.items() if w <= d < w + timedelta(days=7)) for w in weeks]


@given(end=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       offsets=st.dictionaries(st.integers(min_value=-120, max_value=30),
                               st.integers(min_value=1, max_value=1000), max_size=60))
def test_each_day_counts_in_its_own_week_only(end: date, offsets: dict[int, int]) -> None:
    weeks = _week_labels(end)
    days = Counter({end + timedelta(days=k): n for k, n in offsets.items()})
    assert _weekly("t", days, weeks).values == _by_definition(days, weeks)


def test_the_edges_of_the_window() -> None:
    weeks = _week_labels(date(2026, 10, 28))  # a Wednesday: the last week began Monday 26th
    days = Counter({weeks[0]: 1, weeks[0] - timedelta(days=1): 10,
                    weeks[-1] + timedelta(days=6): 100, weeks[-1] + timedelta(days=7): 1000})
    values = _weekly("t", days, weeks).values
    assert values[0] == 1
    assert values[-1] == 100
    assert sum(values) == 101
