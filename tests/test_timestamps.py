"""The one timestamp parser: exact offsets, London local time, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.errors import InvalidData
from cellwatch.timestamps import LONDON, parse_date, parse_timestamp

naive = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(naive, offsets)
def test_with_offset_is_exact(moment: datetime, tz: timezone) -> None:
    aware = moment.replace(tzinfo=tz)
    parsed, ambiguous = parse_timestamp(aware.isoformat())
    assert parsed == aware
    assert parsed.tzinfo is UTC
    assert not ambiguous


@given(naive)
def test_z_suffix_is_utc(moment: datetime) -> None:
    parsed, _ = parse_timestamp(moment.isoformat() + "Z")
    assert parsed == moment.replace(tzinfo=UTC)


@given(naive)
def test_local_time_round_trips_through_london(moment: datetime) -> None:
    try:
        parsed, ambiguous = parse_timestamp(moment.isoformat())
    except InvalidData:
        # Only the skipped spring-forward hour may fail.
        assert (
            moment.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
            != moment
        )
        return
    assert parsed.astimezone(LONDON).replace(tzinfo=None) == moment
    assert ambiguous == (
        moment.replace(tzinfo=LONDON, fold=0).utcoffset()
        != moment.replace(tzinfo=LONDON, fold=1).utcoffset()
    )


def test_winter_and_summer_local_times() -> None:
    assert parse_timestamp("2024-01-15T12:00:00")[0] == datetime(2024, 1, 15, 12, tzinfo=UTC)
    assert parse_timestamp("2024-07-15 12:00")[0] == datetime(2024, 7, 15, 11, tzinfo=UTC)


def test_repeated_hour_is_first_occurrence_and_flagged() -> None:
    parsed, ambiguous = parse_timestamp("2024-10-27T01:30:00")
    assert ambiguous
    assert parsed == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert parse_timestamp("2024-10-27T02:30:00") == (
        datetime(2024, 10, 27, 2, 30, tzinfo=UTC),
        False,
    )


def test_skipped_hour_is_an_error() -> None:
    with pytest.raises(InvalidData, match="does not exist"):
        parse_timestamp("2024-03-31T01:30:00")
    assert parse_timestamp("2024-03-31T01:30:00Z")[0] == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2024-13-01T00:00", "15/01/2024 10:00", "2024-01-01T25:00"]
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidData):
        parse_timestamp(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_dates_round_trip(day: date) -> None:
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    "text", ["2024-02-30", "20240101", "01/02/2024", "2024-1-1", "2024-01-01T00:00"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(InvalidData):
        parse_date(text)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_time_with_no_utc_instant_is_a_bad_value_not_a_crash(text: str) -> None:
    with pytest.raises(InvalidData, match="out of range"):
        parse_timestamp(text)


@given(moment=st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=5)),
                                                       timezone(timedelta(hours=-5))])))
def test_any_iso_timestamp_parses_or_is_refused_as_bad_data(moment: datetime) -> None:
    # Every ISO 8601 text either becomes a UTC instant or raises InvalidData: a row's
    # value can never take the whole file down with another exception.
    try:
        parsed, _ = parse_timestamp(moment.isoformat())
    except InvalidData:
        return
    assert parsed.tzinfo is UTC
