"""Timestamps and dates as the interchange contract defines them.

One parser for the whole of cellwatch's Python code, so that every source agrees on
what a local time means: ISO 8601 with an offset (or ``Z``) is exact; without one it is
wall-clock time in Europe/London, because detection vendors and prison systems log
local time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cellwatch.errors import InvalidData

LONDON = ZoneInfo("Europe/London")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date, then optionally 'T' or a space and a time; fromisoformat does the real work.
_TIMESTAMP = re.compile(r"\d{4}-?\d{2}-?\d{2}([T ]\d{2}(:?\d{2}(:?\d{2}([.,]\d+)?)?)?.*)?")


def parse_timestamp(text: str) -> tuple[datetime, bool]:
    """Parse an ISO 8601 timestamp into an aware UTC datetime and an ``ambiguous`` flag.

    Without an offset the time is local to Europe/London. In the repeated hour when the
    clocks go back the first occurrence (BST) is taken and ``ambiguous`` is True; a time in
    the hour skipped when they go forward raises :class:`InvalidData`.

    >>> parse_timestamp("2024-10-27T01:30:00")
    (datetime.datetime(2024, 10, 27, 0, 30, tzinfo=datetime.timezone.utc), True)
    """
    value = text.strip()
    if not _TIMESTAMP.fullmatch(value):
        raise InvalidData(f"not an ISO 8601 timestamp: {text!r}")
    try:
        parsed = datetime.fromisoformat(value.replace(",", "."))
    except ValueError as exc:
        raise InvalidData(f"not an ISO 8601 timestamp: {text!r}") from exc
    try:
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC), False
        return _from_london(parsed)
    except OverflowError as exc:
        # 0001-01-01T00:00+05:00 is valid ISO 8601 but has no UTC instant a datetime can
        # hold: a bad value of the row, not a crash of the whole file.
        raise InvalidData(f"timestamp out of range: {text!r}") from exc


def _from_london(naive: datetime) -> tuple[datetime, bool]:
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    as_utc = first.astimezone(UTC)
    # A skipped wall time does not survive the round trip through UTC.
    if as_utc.astimezone(LONDON).replace(tzinfo=None) != naive:
        raise InvalidData(f"local time {naive.isoformat()} does not exist (clocks went forward)")
    return as_utc, first.utcoffset() != second.utcoffset()


def parse_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` date; anything else raises :class:`InvalidData`."""
    value = text.strip()
    if not _DATE.fullmatch(value):
        raise InvalidData(f"not a YYYY-MM-DD date: {text!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidData(f"not a valid date: {text!r}") from exc
