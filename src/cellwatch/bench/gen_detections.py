"""Synthetic detection files for benchmarks, generated vectorised (numpy and pyarrow).

Rows are valid against a small estate made by :func:`make_estate`, except a known
fraction with a wrong IMEI check digit (for the quarantine) and repeated event ids (for
deduplication), so the ingest does all of its work.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cellwatch.store import Establishment, Location, Sensor, Store

CHUNK_ROWS = 1_000_000
TECHNOLOGIES = ["GSM", "UMTS", "LTE", "NR"]


def estate_codes(establishments: int) -> list[str]:
    """Three-letter establishment codes ``XAA``, ``XAB``..."""
    letters = string.ascii_uppercase
    return [f"X{letters[i // 26]}{letters[i % 26]}" for i in range(establishments)]


def make_estate(store: Store, establishments: int = 20, sensors_each: int = 10) -> list[str]:
    """Add establishments, one wing each and their sensors; return the sensor ids in order."""
    sensor_ids: list[str] = []
    with store.session() as session:
        for code in estate_codes(establishments):
            session.add(Establishment(code=code, name=f"Bench {code}"))
        session.flush()
        for code in estate_codes(establishments):
            session.add(Location(code=f"{code}-A", establishment=code, type="WING"))
        session.flush()
        for code in estate_codes(establishments):
            for n in range(sensors_each):
                sensor_id = f"{code}-S{n:03d}"
                sensor_ids.append(sensor_id)
                session.add(Sensor(sensor_id=sensor_id, establishment=code, kind="MANAGED_ACCESS"))
    return sensor_ids


def luhn_complete(body: np.ndarray) -> np.ndarray:
    """Append the Luhn check digit to 14-digit integer bodies (vectorised)."""
    total = np.zeros(body.shape, dtype=np.int64)
    for pos in range(1, 15):
        digit = (body // 10 ** (14 - pos)) % 10
        if pos % 2 == 0:
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
    return body * 10 + (10 - total % 10) % 10


def detection_chunk(
    rng: np.random.Generator, start: int, rows: int, sensor_ids: list[str], bad_fraction: float
) -> pa.Table:
    """``rows`` detections numbered from ``start``, as CSV-ready text columns."""
    sensors = np.array(sensor_ids)
    pick = rng.integers(0, len(sensors), rows)
    seconds = rng.integers(0, 30 * 86400, rows) + np.int64(1_748_736_000)  # from 2025-06-01
    ts = pa.array(seconds * 1_000_000, pa.timestamp("us"))
    exact = pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ")
    local = pc.strftime(ts, format="%Y-%m-%d %H:%M:%S")
    ts_text = pc.if_else(pa.array(rng.random(rows) < 0.7), exact, local)
    index = np.arange(start, start + rows)
    # About 1% of event ids repeat an earlier one; 10% of rows have none.
    repeated = np.where(rng.random(rows) < 0.01, np.maximum(index - 1, 0), index)
    event_id = pc.binary_join_element_wise("E", pc.cast(pa.array(repeated), pa.string()), "")
    event_id = pc.if_else(pa.array(rng.random(rows) < 0.1), pa.scalar(None, pa.string()), event_id)
    body = np.int64(35_209_900_000_000) + rng.integers(0, 999_999, rows)
    imei = luhn_complete(body)
    bad = rng.random(rows) < bad_fraction
    imei = np.where(bad, imei + np.where(imei % 10 == 9, -1, 1), imei)
    imsi = np.int64(234_150_000_000_000) + rng.integers(0, 999_999_999, rows)
    establishment = pc.utf8_slice_codeunits(pa.array(sensors[pick]), 0, 3)
    location = pc.binary_join_element_wise(establishment, "-A", "")
    return pa.table(
        {
            "ts": ts_text,
            "sensor_id": pa.array(sensors[pick]),
            "event_id": event_id,
            "technology": pa.array(np.array(TECHNOLOGIES)[rng.integers(0, 4, rows)]),
            "band_mhz": pa.array(rng.choice([800.0, 900.0, 1800.0, 2100.0, 2600.0], rows)),
            "rssi_dbm": pa.array(np.round(rng.uniform(-110, -40, rows), 1)),
            "duration_s": pa.array(np.round(rng.exponential(30, rows), 1)),
            "imsi": pc.cast(pa.array(imsi), pa.string()),
            "imei": pc.cast(pa.array(imei), pa.string()),
            "location_code": pc.if_else(
                pa.array(rng.random(rows) < 0.2), location, pa.scalar(None, pa.string())
            ),
        }
    )


def write_detections_csv(
    path: Path, rows: int, sensor_ids: list[str], seed: int = 7, bad_fraction: float = 0.001
) -> int:
    """Write ``rows`` detections to ``path`` as CSV in chunks; return the bytes written."""
    rng = np.random.default_rng(seed)
    writer: pacsv.CSVWriter | None = None
    try:
        for start in range(0, rows, CHUNK_ROWS):
            chunk = detection_chunk(
                rng, start, min(CHUNK_ROWS, rows - start), sensor_ids, bad_fraction
            )
            if writer is None:
                writer = pacsv.CSVWriter(str(path), chunk.schema)
            writer.write_table(chunk)
    finally:
        if writer is not None:
            writer.close()
    return path.stat().st_size
