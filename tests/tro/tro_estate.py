"""Identifiers, the lake writer and the Estate helper of the TRO tests.

A module of its own (not conftest) so test files import it by a name no other test
directory uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cellwatch.lake import layout
from cellwatch.settings import Settings
from cellwatch.store import (
    Store,
)

# Valid identifiers: Vodafone UK (234-15) and O2 (234-10) IMSIs; Luhn-valid IMEIs.
IMSI_A = "234150000000001"
IMSI_B = "234100000000002"
IMSI_NEW = "234150000000009"
IMSI_STAFF = "234150000000077"
IMEI_A = "356938035643809"
IMEI_B = "490154203237518"
IMEI_STAFF = "353918057315836"
MSISDN_A = "+447700900123"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def write_lake(lake_dir: Path, kind: str, rows: Sequence[dict[str, Any]], part: int) -> None:
    """Write rows as one lake file per partition, in the layout the lake package documents."""
    schema = layout.FILE_SCHEMAS[kind]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        ts = row["ts"] if kind == layout.DETECTIONS else row["start_ts"]
        key = (
            (f"establishment={row['establishment']}", f"day={ts.date().isoformat()}")
            if kind == layout.DETECTIONS
            else (f"day={ts.date().isoformat()}",)
        )
        groups.setdefault(key, []).append({k: v for k, v in row.items() if k in schema.names})
    for key, group in groups.items():
        folder = layout.kind_dir(lake_dir, kind).joinpath(*key)
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(group, schema=schema)
        pq.write_table(table, folder / f"part-{part}-0.parquet")


@dataclass
class Estate:
    """The test estate: settings, store, and a way to add lake events."""

    settings: Settings
    store: Store
    parts: int = 0

    def detect(self, sensor: str, days: Sequence[int], imsi: str | None, imei: str | None,
               establishment: str = "HEI", start: datetime = START) -> None:
        self.parts += 1
        rows = [
            {"ts": start + timedelta(days=d), "sensor_id": sensor, "imsi": imsi, "imei": imei,
             "establishment": establishment}
            for d in days
        ]
        write_lake(self.settings.lake_dir, layout.DETECTIONS, rows, self.parts)

    def calls(self, days: Sequence[int], lat: float, lon: float, *, imsi: str | None = None,
              imei: str | None = None, msisdn: str | None = None,
              other_party: str = "+447700900999", cell_id: str | None = None,
              start: datetime = START) -> None:
        self.parts += 1
        rows = [
            {"start_ts": start + timedelta(days=d), "operator": "Vodafone UK",
             "record_type": "VOICE", "direction": "MO", "subject_imsi": imsi,
             "subject_imei": imei, "subject_msisdn": msisdn, "other_party": other_party,
             "cell_lat": lat, "cell_lon": lon, "cell_id": cell_id}
            for d in days
        ]
        write_lake(self.settings.lake_dir, layout.CALL_RECORDS, rows, self.parts)
