"""A hand-made estate for the guard tests: one prison, residential and visits zones, and
phones with each pattern (a staff phone, a visitor's, a contraband phone, a staff phone
lent for one night in a cell, an allow-listed staff phone used at night).

Written through the real store and the lake's documented layout, so the pattern SQL runs
exactly as on ingested data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from cellwatch.lake import layout
from cellwatch.settings import Settings
from cellwatch.store import (
    AllowListEntry,
    Establishment,
    Location,
    Prisoner,
    Sensor,
    Store,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 3, 2)
ZONES = ("HEI-A-1", "HEI-A-2", "HEI-B-1", "HEI-B-2")

STAFF_IMEI, STAFF_IMSI = "353918057315836", "234150000000077"
VISITOR_IMEI, VISITOR_IMSI = "490154203237518", "234100000000055"
CONTRABAND_IMEI, CONTRABAND_IMSI = "356938035643809", "234150000000001"
LENT_IMEI, LENT_IMSI = "352099001761481", "234150000000066"
LISTED_IMEI, LISTED_IMSI = "359881030314356", "234150000000088"


def build_store(store: Store) -> None:
    """Hewell: a wing with four landings (one MA unit each), a cell, visits, reception."""
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", latitude=52.3, longitude=-1.98))
        s.add(Establishment(code="BWI", name="Berwyn (HMP)", latitude=53.0, longitude=-2.97))
        s.flush()
        s.add(Location(code="HEI-A", establishment="HEI", type="WING"))
        s.add(Location(code="HEI-B", establishment="HEI", type="WING"))
        s.add(Location(code="HEI-VIS", establishment="HEI", type="VISITS"))
        s.flush()
        for zone in ZONES:
            s.add(Location(code=zone, establishment="HEI", type="LANDING",
                           parent_code=zone[:5]))
        s.flush()
        s.add(Location(code="HEI-A-1-001", establishment="HEI", type="CELL",
                       parent_code="HEI-A-1"))
        s.add(Prisoner(prison_number="A1234BC", surname="Smith", forenames="John",
                       establishment="HEI"))
        s.flush()
        for k, zone in enumerate(ZONES):
            s.add(Sensor(sensor_id=f"HEI-MA-{k + 1}", establishment="HEI",
                         kind="MANAGED_ACCESS", location_code=zone))
        s.add(Sensor(sensor_id="HEI-MA-V", establishment="HEI", kind="MANAGED_ACCESS",
                     location_code="HEI-VIS"))
        s.add(AllowListEntry(identifier_type="IMEI", identifier=LISTED_IMEI, reason="STAFF",
                             valid_from=date(2025, 1, 1)))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """Wall-clock time in London on ``MONDAY + day``, as UTC."""
    wall = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()).replace(
        hour=hour, minute=minute, tzinfo=LONDON)
    return wall.astimezone(UTC)


def _row(ts: datetime, sensor: str, imei: str, imsi: str,
         location: str | None = None) -> dict[str, object]:
    return {"ts": ts, "sensor_id": sensor, "imei": imei, "imsi": imsi,
            "location_code": location, "establishment": "HEI"}


def shift_rows(imei: str, imsi: str, days: Iterable[int]) -> list[dict[str, object]]:
    """A staff phone on shift: weekdays 08:00-17:00, a different landing each hour."""
    return [_row(local(d, 8 + h), f"HEI-MA-{(d + h) % 4 + 1}", imei, imsi)
            for d in days for h in range(0, 9, 2)]


def night_rows(imei: str, imsi: str, days: Iterable[int]) -> list[dict[str, object]]:
    """A phone in cell HEI-A-1-001 at night (the vendor locates it to the cell)."""
    return [_row(local(d, hour), "HEI-MA-1", imei, imsi, "HEI-A-1-001")
            for d in days for hour in (22, 23)] + [
        _row(local(d + 1, 2), "HEI-MA-1", imei, imsi, "HEI-A-1-001") for d in days]


def visit_rows(imei: str, imsi: str, days: Iterable[int]) -> list[dict[str, object]]:
    """A visitor's phone in the visits hall in the afternoon."""
    return [_row(local(d, 14, m), "HEI-MA-V", imei, imsi) for d in days for m in (5, 35)]


def write_detections(settings: Settings, rows: list[dict[str, object]], part: int) -> None:
    """Rows into the lake, one file per establishment and UTC day."""
    schema = layout.FILE_SCHEMAS[layout.DETECTIONS]
    groups: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        ts = row["ts"]
        assert isinstance(ts, datetime)
        groups.setdefault(ts.date().isoformat(), []).append(
            {k: v for k, v in row.items() if k in schema.names})
    for day, group in groups.items():
        folder = layout.kind_dir(settings.lake_dir, layout.DETECTIONS) / "establishment=HEI" / (
            f"day={day}")
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(group, schema=schema),
                       folder / f"part-{part}-0.parquet")


WEEKDAYS = [0, 1, 2, 3, 4, 7, 8, 9]


def write_world(settings: Settings) -> None:
    """Every phone of the estate, two weeks of it."""
    rows = shift_rows(STAFF_IMEI, STAFF_IMSI, WEEKDAYS)
    rows += visit_rows(VISITOR_IMEI, VISITOR_IMSI, [5, 6, 12])
    rows += night_rows(CONTRABAND_IMEI, CONTRABAND_IMSI, range(12))
    rows += shift_rows(LENT_IMEI, LENT_IMSI, WEEKDAYS) + night_rows(LENT_IMEI, LENT_IMSI, [3])
    rows += shift_rows(LISTED_IMEI, LISTED_IMSI, WEEKDAYS) + night_rows(
        LISTED_IMEI, LISTED_IMSI, [8])
    write_detections(settings, rows, 1)
