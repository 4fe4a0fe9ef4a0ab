"""Getting the lake and the store's reference data in front of the analytic engine.

Reference data is small (sensors, establishments, the allow list, seizures), so it is
read from the store once and registered as Arrow tables under ``tro_ref_*`` names; the
events themselves stay in the lake and are only ever touched by SQL.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import select

from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.store import (
    AllowListEntry,
    Establishment,
    Location,
    SeizureItem,
    Sensor,
    Store,
)
from cellwatch.tro.policy import EvidencePolicy

_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "tro_ref_sensors": pa.schema([("sensor_id", pa.string()), ("establishment", pa.string()),
                                  ("kind", pa.string()), ("location_code", pa.string()),
                                  ("location_type", pa.string())]),
    "tro_ref_establishments": pa.schema([("code", pa.string()), ("latitude", pa.float64()),
                                         ("longitude", pa.float64())]),
    "tro_ref_cells": pa.schema([("establishment", pa.string()), ("cell_id", pa.string())]),
    "tro_ref_allow": pa.schema([("identifier", pa.string()), ("reason", pa.string()),
                                ("valid_from", pa.date32()), ("valid_to", pa.date32())]),
    "tro_ref_seizures": pa.schema([("seizure_ref", pa.string()), ("item_no", pa.int64()),
                                   ("ts", _TS), ("establishment", pa.string()),
                                   ("location_code", pa.string()), ("imsi", pa.string()),
                                   ("imei", pa.string()), ("msisdn", pa.string()),
                                   ("prison_number", pa.string())]),
}


def open_lake(settings: Settings) -> AnalyticEngine:
    """The configured engine over the lake (``settings.engine``: DuckDB or Spark).

    Both engines give ``detections`` and ``call_records`` views over the documented
    layout, empty when no file exists yet.
    """
    return engine_for(settings)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def register_reference(engine: AnalyticEngine, store: Store, policy: EvidencePolicy) -> None:
    """Register every ``tro_ref_*`` table the candidate and verification SQL reads."""
    with store.session() as s:
        located = s.execute(select(Location.code, Location.type))
        location_types = {code: kind for code, kind in located}
        sensors = [
            {"sensor_id": x.sensor_id, "establishment": x.establishment, "kind": x.kind,
             "location_code": x.location_code,
             "location_type": location_types.get(x.location_code or "")}
            for x in s.scalars(select(Sensor))
        ]
        establishments = [
            {"code": e.code, "latitude": e.latitude, "longitude": e.longitude}
            for e in s.scalars(select(Establishment))
        ]
        allow = [
            {"identifier": a.identifier, "reason": a.reason, "valid_from": a.valid_from,
             "valid_to": a.valid_to}
            for a in s.scalars(select(AllowListEntry))
        ]
        seizures = [
            {"seizure_ref": z.seizure_ref, "item_no": z.item_no, "ts": z.ts,
             "establishment": z.establishment, "location_code": z.location_code,
             "imsi": z.imsi, "imei": z.imei, "msisdn": z.msisdn,
             "prison_number": z.prison_number}
            for z in s.scalars(select(SeizureItem))
        ]
    cells = [
        {"establishment": code, "cell_id": cell}
        for code, ids in policy.calls.cell_ids.items() for cell in ids
    ]
    engine.register("tro_ref_sensors", _table("tro_ref_sensors", sensors))
    engine.register("tro_ref_establishments", _table("tro_ref_establishments", establishments))
    engine.register("tro_ref_cells", _table("tro_ref_cells", cells))
    engine.register("tro_ref_allow", _table("tro_ref_allow", allow))
    engine.register("tro_ref_seizures", _table("tro_ref_seizures", seizures))


def run_named(engine: AnalyticEngine, sql: str, params: dict[str, Any]) -> pa.Table:
    """Run ``sql`` with named (``$name``) parameters, which keep the policy's many values
    readable in the SQL; DuckDB takes them as they are, Spark as ``:name``."""
    return engine.run(sql, params)
