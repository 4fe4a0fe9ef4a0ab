"""Time: epoch seconds in UTC internally, written as ISO 8601 in several styles.

Europe/London follows the EU rule (BST from 01:00 UTC on the last Sunday of March to
01:00 UTC on the last Sunday of October). It is coded here rather than read from the
system tz database so that output never depends on the host's tzdata version.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
I64 = npt.NDArray[np.int64]

# Styles a timestamp can be written in; "local" carries no offset, as vendors log it.
TS_STYLES = ("utc_z", "local", "offset")


def _last_sunday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def bst_bounds(year: int) -> tuple[int, int]:
    """Epoch seconds (UTC) when BST starts and ends in ``year``."""
    start = _last_sunday(year, 3)
    end = _last_sunday(year, 10)
    return (
        int(dt.datetime(start.year, 3, start.day, 1, tzinfo=dt.UTC).timestamp()),
        int(dt.datetime(end.year, 10, end.day, 1, tzinfo=dt.UTC).timestamp()),
    )


def epoch(d: dt.date) -> int:
    """Epoch seconds of UTC midnight starting date ``d``."""
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())


def london_offset(t: I64) -> I64:
    """UTC offset in seconds (0 or 3600) of Europe/London at each instant."""
    t = np.asarray(t, dtype=np.int64)
    off = np.zeros(t.shape, dtype=np.int64)
    if t.size == 0:
        return off
    years = range(_year(int(t.min())), _year(int(t.max())) + 1)
    for y in years:
        a, b = bst_bounds(y)
        off[(t >= a) & (t < b)] = 3600
    return off


def _year(t: int) -> int:
    return dt.datetime.fromtimestamp(t, tz=dt.UTC).year


def local_midnights(start: dt.date, days: int) -> I64:
    """UTC epoch of local (Europe/London) midnight for each day of the period."""
    utc = np.array([epoch(start + dt.timedelta(days=i)) for i in range(days)], dtype=np.int64)
    # Midnight local is midnight UTC minus the offset in force then (never near a switch).
    return utc - london_offset(utc)


@lru_cache(maxsize=1)
def _hms() -> pa.Array:
    return pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)])


def _day_strings(first: int, last: int) -> pa.Array:
    base = dt.date(1970, 1, 1)
    return pa.array(
        [(base + dt.timedelta(days=d)).isoformat() + "T" for d in range(first, last + 1)]
    )


def format_ts(t: I64, style: str) -> pa.Array:
    """Write epoch seconds as ISO 8601 strings, vectorised.

    ``utc_z``: ``2024-03-01T23:14:05Z``; ``local``: ``2024-03-01T23:14:05`` (Europe/London,
    no offset); ``offset``: ``2024-03-01T23:14:05+00:00`` (local with its offset).
    """
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        return pa.array([], pa.string())
    off = np.zeros_like(t) if style == "utc_z" else london_offset(t)
    lt = t + off
    day = lt // DAY
    first = int(day.min())
    days = _day_strings(first, int(day.max()))
    parts = [pc.take(days, pa.array(day - first)), pc.take(_hms(), pa.array(lt % DAY))]
    if style == "utc_z":
        return pc.binary_join_element_wise(*parts, pa.scalar("Z"), "")
    if style == "local":
        return pc.binary_join_element_wise(*parts, "")
    suffix = pc.take(pa.array(["+00:00", "+01:00"]), pa.array(off // 3600))
    return pc.binary_join_element_wise(*parts, suffix, "")


def format_date(t: I64) -> pa.Array:
    """Local calendar date (``YYYY-MM-DD``) of each instant."""
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        return pa.array([], pa.string())
    day = (t + london_offset(t)) // DAY
    first = int(day.min())
    days = pc.utf8_slice_codeunits(_day_strings(first, int(day.max())), 0, 10)
    return pc.take(days, pa.array(day - first))


def spring_forward_local(year: int) -> str:
    """A local time that does not exist (inside the skipped hour) in ``year``."""
    d = _last_sunday(year, 3)
    return f"{d.isoformat()}T01:30:00"
