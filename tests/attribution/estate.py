"""A tiny hand-made estate for attribution tests: one landing, three cells, one phone.

Written through the real store and the real lake layout (Parquet files where the lake
keeps them), so the analytics run exactly as on ingested data.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cellwatch.lake import CALL_RECORD_SCHEMA, DETECTION_SCHEMA
from cellwatch.settings import Settings
from cellwatch.store import (
    Establishment,
    Location,
    Occupancy,
    PinContact,
    Prisoner,
    SeizureItem,
    Sensor,
    Store,
)

START = date(2024, 2, 1)
IMEI = "356938035643809"
IMSI = "234150000000001"
MSISDN = "+447700900001"
# Cell code -> (x, y) on the grid; the RF detector sits at (30, 4).
CELLS = {"TST-A-1-01": (20.0, 0.0), "TST-A-1-02": (35.0, 8.0), "TST-A-1-03": (30.0, 7.0)}
OWNER, NEIGHBOUR, OTHER = "A1111AA", "B2222BB", "C3333CC"
OCCUPANTS = {OWNER: "TST-A-1-01", NEIGHBOUR: "TST-A-1-02", OTHER: "TST-A-1-03"}
FAMILY = "+447700900999"
NEIGHBOUR_CONTACT = "+447700900888"


def build_store(store: Store) -> None:
    """Reference data: the estate, its prisoners, their cells and PIN lists."""
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with store.session() as s:
        s.add(Establishment(code="TST", name="Test (HMP)"))
        s.flush()
        s.add(Location(code="TST-A", establishment="TST", type="WING", x_m=30, y_m=4, floor=0))
        s.flush()
        s.add(Location(code="TST-A-1", establishment="TST", type="LANDING", parent_code="TST-A",
                       x_m=30, y_m=4, floor=0))
        s.flush()
        for code, (x, y) in CELLS.items():
            s.add(Location(code=code, establishment="TST", type="CELL", parent_code="TST-A-1",
                           capacity=1, x_m=x, y_m=y, floor=0))
        for number in OCCUPANTS:
            s.add(Prisoner(prison_number=number, surname="Test", forenames="T",
                           establishment="TST"))
        s.flush()
        for number, cell in OCCUPANTS.items():
            s.add(Occupancy(prison_number=number, location_code=cell, start_ts=t0))
        s.add(Sensor(sensor_id="TST-MA01", establishment="TST", kind="MANAGED_ACCESS",
                     location_code="TST-A", x_m=30, y_m=4, range_m=70))
        s.add(Sensor(sensor_id="TST-RF001", establishment="TST", kind="RF_DETECTOR",
                     location_code="TST-A-1", x_m=30, y_m=4, range_m=18))
        s.add(PinContact(prison_number=OWNER, contact_number=FAMILY, relationship="FAMILY"))
        s.add(PinContact(prison_number=NEIGHBOUR, contact_number=NEIGHBOUR_CONTACT))


def _night(day: int, k: int) -> datetime:
    # 22:00 UTC plus a few minutes: night in Europe/London in February.
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
        hours=22, minutes=7 * k)


def write_lake(settings: Settings, days: int = 10, batch_id: int = 1, first_day: int = 0,
               cell: str = "TST-A-1-01") -> None:
    """Night-time bursts of the phone from ``cell``: the MA unit reads it, the RF detector
    hears it a second later at the strength the distance gives."""
    x, y = CELLS[cell]
    rssi = -38.0 - 22.0 * math.log10(math.hypot(x - 30.0, y - 4.0))
    for day in range(first_day, first_day + days):
        rows: list[dict[str, Any]] = []
        for k in range(3):
            ts = _night(day, k)
            base = {f.name: None for f in DETECTION_SCHEMA}
            rows.append({**base, "ts": ts, "sensor_id": "TST-MA01", "imei": IMEI, "imsi": IMSI,
                         "location_code": "TST-A", "batch_id": batch_id})
            rows.append({**base, "ts": ts + timedelta(seconds=1), "sensor_id": "TST-RF001",
                         "rssi_dbm": rssi, "batch_id": batch_id})
        d = START + timedelta(days=day)
        folder = settings.lake_dir / "detections" / "establishment=TST" / f"day={d}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=DETECTION_SCHEMA),
                       folder / f"part-{batch_id}-0.parquet")


def write_calls(settings: Settings, days: int = 10, batch_id: int = 2,
                parties: tuple[str, ...] = (FAMILY, "+441234567890"), first_day: int = 0) -> None:
    """The phone calls the owner's family number each day (and a privileged line)."""
    for day in range(first_day, first_day + days):
        base = {f.name: None for f in CALL_RECORD_SCHEMA}
        rows = [{**base, "operator": "EE", "record_type": "VOICE", "direction": "MO",
                 "start_ts": _night(day, 1) + timedelta(seconds=5), "subject_imsi": IMSI,
                 "subject_msisdn": MSISDN, "other_party": party, "batch_id": batch_id}
                for party in parties]
        folder = settings.lake_dir / "call_records" / f"day={START + timedelta(days=day)}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=CALL_RECORD_SCHEMA),
                       folder / f"part-{batch_id}-0.parquet")


def add_seizure(store: Store, day: int = 9) -> None:
    """The handset found in the owner's cell, with its SIM in it."""
    with store.session() as s:
        s.add(SeizureItem(seizure_ref="S1", item_no=1, ts=_night(day, 0), establishment="TST",
                          location_code="TST-A-1-01", item_type="HANDSET_WITH_SIM",
                          imei=IMEI, imsi=IMSI))

