"""The SQL identifier and time functions agree with Python (stdnum, identifiers, zoneinfo)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from cellwatch.errors import InvalidIdentifier
from cellwatch.identifiers.imei import parse_imei
from cellwatch.lake.cleaning_sql import (
    digits_sql,
    imei_body_sql,
    imei_sql,
    luhn_digit_int_sql,
    luhn_sql,
    timestamp_offsets_sql,
    timestamp_prepare_sql,
    timestamp_sql,
)

CON = duckdb.connect()
CON.execute("SET TimeZone = 'UTC'")


def sql_imei(raw: str) -> tuple[str | None, str | None]:
    value, problem = imei_sql("raw", "d", "b", "k")
    query = (
        f"SELECT {value}, {problem} FROM (SELECT *, {luhn_digit_int_sql('b')} AS k FROM "
        f"(SELECT *, {imei_body_sql('d')} AS b FROM "
        f"(SELECT raw, {digits_sql('raw')} AS d FROM (SELECT ? AS raw))))"
    )
    row = CON.execute(query, [raw]).fetchall()[0]
    return row[0], row[1]


def python_imei(raw: str) -> str | None:
    try:
        return parse_imei(raw).value
    except InvalidIdentifier:
        return None


digit_strings = st.text(alphabet="0123456789", min_size=13, max_size=17)
separated = st.lists(
    st.tuples(
        st.text(alphabet="0123456789", min_size=1, max_size=6), st.sampled_from(["", " ", "-", "."])
    ),
    min_size=1,
    max_size=6,
).map(lambda parts: "".join(d + s for d, s in parts).strip(" .-") or "0")


@settings(max_examples=300, deadline=None)
@given(digit_strings)
def test_luhn_sql_agrees_with_stdnum(digits: str) -> None:
    number = digits[:15].ljust(15, "0")
    got = CON.execute(f"SELECT {luhn_sql('n')} FROM (SELECT ? AS n)", [number]).fetchall()[0][0]
    assert got == luhn.is_valid(number)


@settings(max_examples=300, deadline=None)
@given(st.one_of(digit_strings, separated))
def test_imei_sql_agrees_with_the_python_parser(raw: str) -> None:
    value, problem = sql_imei(raw)
    assert value == python_imei(raw)
    assert (problem is None) == (value is not None)
    if value is not None:
        assert luhn.is_valid(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35-209900-176148-1", "352099001761481"),
        ("35 209900 176148 1", "352099001761481"),
        ("35.209900.176148.1", "352099001761481"),
        ("3520990017614823", "352099001761481"),  # IMEISV: SV 23 dropped, check digit computed
        ("35209900176148", "352099001761481"),
        ("352099001761482", None),
        ("0000000000000000", None),
        ("35209900176148A", None),
    ],
)
def test_imei_edge_cases(raw: str, expected: str | None) -> None:
    assert sql_imei(raw)[0] == expected


def sql_time(raw: str) -> tuple[datetime | None, bool, str | None]:
    exact, local = timestamp_prepare_sql("raw")
    bst_ok, gmt_ok = timestamp_offsets_sql("t_local")
    value, ambiguous, problem = timestamp_sql("raw", "t_exact", "t_local", "bst_ok", "gmt_ok")
    query = (
        f"SELECT {value}, {ambiguous}, {problem} FROM (SELECT *, {bst_ok} AS bst_ok, "
        f"{gmt_ok} AS gmt_ok FROM (SELECT raw, {exact} AS t_exact, {local} AS t_local "
        "FROM (SELECT ? AS raw)))"
    )
    row = CON.execute(query, [raw]).fetchall()[0]
    return row[0], row[1], row[2]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected", "ambiguous"),
    [
        # 2025: clocks forward 30 March 01:00 UTC, back 26 October 01:00 UTC.
        ("2025-03-30 00:59:59", utc(2025, 3, 30, 0, 59, 59), False),
        ("2025-03-30 02:00:00", utc(2025, 3, 30, 1, 0), False),
        ("2025-10-26 00:59:59", utc(2025, 10, 25, 23, 59, 59), False),
        ("2025-10-26 01:00:00", utc(2025, 10, 26, 0, 0), True),
        ("2025-10-26T01:59:59", utc(2025, 10, 26, 0, 59, 59), True),
        ("2025-10-26 02:00:00", utc(2025, 10, 26, 2, 0), False),
        # 2026: forward 29 March, back 25 October.
        ("2026-03-29 00:30:00", utc(2026, 3, 29, 0, 30), False),
        ("2026-03-29 02:30:00", utc(2026, 3, 29, 1, 30), False),
        ("2026-10-25 01:30:00", utc(2026, 10, 25, 0, 30), True),
        ("2026-10-25 02:30:00", utc(2026, 10, 25, 2, 30), False),
        ("2026-07-01 12:00:00", utc(2026, 7, 1, 11, 0), False),
        ("2026-01-01 12:00:00", utc(2026, 1, 1, 12, 0), False),
        # Offsets are exact, even inside the local clock-change hours.
        ("2025-03-30T01:30:00Z", utc(2025, 3, 30, 1, 30), False),
        ("2025-10-26T01:30:00+01:00", utc(2025, 10, 26, 0, 30), False),
        ("2025-10-26T01:30:00+00:00", utc(2025, 10, 26, 1, 30), False),
        ("2025-06-01T10:00:00-0500", utc(2025, 6, 1, 15, 0), False),
        ("2025-06-01 10:00:00.250+01", datetime(2025, 6, 1, 9, 0, 0, 250000, tzinfo=UTC), False),
    ],
)
def test_timestamps_on_and_around_the_clock_changes(
    raw: str, expected: datetime, ambiguous: bool
) -> None:
    value, flag, problem = sql_time(raw)
    assert problem is None
    assert value == expected
    assert flag is ambiguous


@pytest.mark.parametrize(
    "raw", ["2025-03-30 01:00:00", "2025-03-30 01:59:59", "2026-03-29 01:30:00"]
)
def test_the_skipped_spring_hour_is_rejected(raw: str) -> None:
    value, _, problem = sql_time(raw)
    assert value is None
    assert problem is not None
    assert "does not exist" in problem


@pytest.mark.parametrize("raw", ["yesterday", "2025-13-01 10:00:00", "10:00 1/6/2025"])
def test_garbage_times_are_rejected(raw: str) -> None:
    value, _, problem = sql_time(raw)
    assert value is None
    assert problem == "not an ISO 8601 date and time"
