"""Working days in England and Wales across Christmas and Easter bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cellwatch.tro.calendar import add_working_days, is_working_day, working_days_between


def test_christmas_2026_boxing_day_substitute_and_new_year() -> None:
    # Wed 23 Dec: Thu 24 (1), Fri 25 and Mon 28 (Boxing Day substitute) off, 29-31 (2-4),
    # Fri 1 Jan off, Mon 4 Jan (5).
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    assert not is_working_day(date(2026, 12, 28))


def test_easter_2026_good_friday_and_easter_monday() -> None:
    # Wed 1 Apr: Thu 2 (1), Good Friday 3 and Easter Monday 6 off, 7-10 (2-5).
    assert add_working_days(date(2026, 4, 1), 5) == date(2026, 4, 10)
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))


def test_england_not_scotland() -> None:
    # 2 January is a bank holiday in Scotland only; St Andrew's Day likewise.
    assert is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 11, 30))


def test_service_on_friday_is_due_next_friday() -> None:
    assert add_working_days(date(2026, 6, 5), 5) == date(2026, 6, 12)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.integers(min_value=0, max_value=40))
def test_adding_working_days_lands_on_a_working_day_and_inverts(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    if n:
        assert is_working_day(due)
        assert due > start
        # a week has at most 5 working days, so n days take at least n calendar days
        assert due - start >= timedelta(days=n)
    else:
        assert due == start


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.integers(min_value=1, max_value=20))
def test_more_days_never_land_earlier(start: date, n: int) -> None:
    assert add_working_days(start, n) > add_working_days(start, n - 1)
