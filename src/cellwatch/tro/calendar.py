"""Working days in England and Wales: the clock an operator's compliance period runs on.

A TRO gives the operator a compliance period counted in working days: Monday to
Friday, excluding the bank holidays of England and Wales (the courts of England and
Wales make the orders, so Scottish or Northern Irish holidays do not stop the clock).
The day of service does not count: service on a Friday with 5 working days is due the
following Friday.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # holidays computes each year on demand; caching per year keeps the loop cheap.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (not a weekend, not an England and Wales bank holiday).

    >>> is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)
    False
    """
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    >>> add_working_days(date(2026, 12, 23), 5)  # over Christmas and Boxing Day
    datetime.date(2027, 1, 4)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if end <= start).

    The inverse of :func:`add_working_days` for working-day ends:
    ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
