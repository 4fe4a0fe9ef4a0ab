"""The attributions export's valid_from/valid_to are nights: 08:00 to 08:00 Europe/London,
named by the date they start (interchange.md, "attributions"), whatever the clocks do."""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.attribution.export import export_attributions
from cellwatch.attribution.features import evidence_day
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.run import attribute
from cellwatch.lake import CALL_RECORD_SCHEMA, DETECTION_SCHEMA, Dialect
from cellwatch.settings import Settings
from cellwatch.store import Store

from . import estate

LONDON = ZoneInfo("Europe/London")


def _night_of(instant: datetime) -> date:
    """The reference: the local date of the instant, eight hours earlier."""
    return (instant.astimezone(LONDON).replace(tzinfo=None) - timedelta(hours=8)).date()


def _sql_nights(instants: list[datetime]) -> list[date]:
    con = duckdb.connect()
    try:
        con.register("t", pa.table({"ts": pa.array(instants, pa.timestamp("us", tz="UTC"))}))
        sql = f"SELECT {evidence_day(Dialect(), 'ts', RunParams())} AS d FROM t"
        return [row[0] for row in con.execute(sql).fetchall()]
    finally:
        con.close()


def _utc(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


@pytest.mark.parametrize(("instant", "night"), [
    # 01:30 on 3 March (GMT) falls in the night of 2 March.
    (_utc(2024, 3, 3, 1, 30), date(2024, 3, 2)),
    (_utc(2024, 3, 3, 7, 59), date(2024, 3, 2)),
    (_utc(2024, 3, 3, 8, 0), date(2024, 3, 3)),
    # Clocks forward (31 March 2024, 01:00 UTC): 07:30 UTC is 08:30 BST, the next day.
    (_utc(2024, 3, 31, 6, 59), date(2024, 3, 30)),
    (_utc(2024, 3, 31, 7, 0), date(2024, 3, 31)),
    (_utc(2024, 3, 31, 7, 30), date(2024, 3, 31)),
    # Clocks back (27 October 2024, 01:00 UTC): 07:30 UTC is 07:30 GMT, still the night.
    (_utc(2024, 10, 27, 7, 30), date(2024, 10, 26)),
    (_utc(2024, 10, 26, 6, 59), date(2024, 10, 25)),
    (_utc(2024, 10, 26, 7, 0), date(2024, 10, 26)),
    # The small hours of the repeated hour belong to the night before too.
    (_utc(2024, 10, 27, 0, 30), date(2024, 10, 26)),
    (_utc(2024, 10, 27, 1, 30), date(2024, 10, 26)),
])
def test_an_instant_falls_in_the_night_it_starts_the_evening_before(
        instant: datetime, night: date) -> None:
    assert _night_of(instant) == night
    assert _sql_nights([instant]) == [night]


@given(st.lists(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                             timezones=st.just(UTC)), min_size=1, max_size=50))
def test_the_sql_night_is_the_reference_night_for_any_instant(instants: list[datetime]) -> None:
    assert _sql_nights(instants) == [_night_of(i) for i in instants]


def _write_nights(settings: Settings, instants: list[datetime]) -> None:
    """The fixture phone read by the MA unit (and heard by the RF detector) at each instant,
    and calling the owner's family from it."""
    x, y = estate.CELLS["TST-A-1-01"]
    rssi = -38.0 - 22.0 * math.log10(math.hypot(x - 30.0, y - 4.0))
    by_day: dict[date, list[dict[str, object]]] = {}
    calls: dict[date, list[dict[str, object]]] = {}
    for ts in instants:
        base = {f.name: None for f in DETECTION_SCHEMA}
        calls.setdefault(ts.date(), []).append(
            {**{f.name: None for f in CALL_RECORD_SCHEMA}, "operator": "EE",
             "record_type": "VOICE", "direction": "MO", "start_ts": ts + timedelta(seconds=5),
             "subject_imsi": estate.IMSI, "subject_msisdn": estate.MSISDN,
             "other_party": estate.FAMILY, "batch_id": 2})
        for minute in range(3):
            at = ts + timedelta(minutes=7 * minute)
            by_day.setdefault(at.date(), []).extend([
                {**base, "ts": at, "sensor_id": "TST-MA01", "imei": estate.IMEI,
                 "imsi": estate.IMSI, "location_code": "TST-A", "batch_id": 1},
                {**base, "ts": at + timedelta(seconds=1), "sensor_id": "TST-RF001",
                 "rssi_dbm": rssi, "batch_id": 1}])
    for day, rows in by_day.items():
        folder = settings.lake_dir / "detections" / "establishment=TST" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=DETECTION_SCHEMA),
                       folder / "part-1-0.parquet")
    for day, rows in calls.items():
        folder = settings.lake_dir / "call_records" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=CALL_RECORD_SCHEMA),
                       folder / "part-2-0.parquet")


def _exported(settings: Settings, store: Store, tmp_path: Path) -> list[dict[str, str]]:
    attribute(settings, store)
    out = tmp_path / "attributions.csv"
    export_attributions(store, out)
    with out.open() as fh:
        return [r for r in csv.DictReader(fh) if r["identifier"] == estate.IMEI]


def _build(store: Store) -> None:
    estate.build_store(store)


def test_the_export_names_nights_by_the_evening_they_start(
        settings: Settings, store: Store, tmp_path: Path) -> None:
    _build(store)
    # Seen only in the small hours, 01:30 local (GMT), from 3 March on.
    _write_nights(settings, [_utc(2024, 3, d, 1, 30) for d in range(3, 10)])
    rows = _exported(settings, store, tmp_path)
    assert rows
    assert min(r["valid_from"] for r in rows) == "2024-03-02"
    owner = [r for r in rows if r["prison_number"] == estate.OWNER]
    assert owner
    assert all(date.fromisoformat(r["valid_from"]) <= date.fromisoformat(r["valid_to"])
               for r in rows)


@pytest.mark.parametrize(("first", "night"), [
    # 07:30 BST (06:30 UTC) from 31 March, the day the clocks go forward: the night before.
    (_utc(2024, 3, 31, 6, 30), "2024-03-30"),
    # 07:30 GMT (07:30 UTC) from 27 October, the day they go back: still the night before
    # (a reading that kept summer time would put it at 08:30, in the day of 27 October).
    (_utc(2024, 10, 27, 7, 30), "2024-10-26"),
])
def test_the_export_keeps_nights_local_across_the_clock_changes(
        settings: Settings, store: Store, tmp_path: Path, first: datetime, night: str) -> None:
    _build(store)
    _write_nights(settings, [first + timedelta(days=d) for d in range(7)])
    rows = _exported(settings, store, tmp_path)
    assert rows
    assert min(r["valid_from"] for r in rows) == night
