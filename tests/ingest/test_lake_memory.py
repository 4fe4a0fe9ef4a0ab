"""A detections file needing more memory than the lake's limit still ingests: the
source streams through the validation joins, it is never held as their hash table."""

from __future__ import annotations

import random
from pathlib import Path

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake import Lake
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Location, Sensor, open_store

ROWS = 600_000
# References larger than DuckDB's guess at a CSV's size, as on a real estate.
CELLS, SENSORS = 30000, 2000
# Far below what ROWS staged rows take (about 1 KiB each): only spilling fits.
LIMIT = "128MB"


def _write(path: Path) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as out:
        out.write("ts,sensor_id,event_id,technology,band_mhz,rssi_dbm,duration_s,imsi,imei,"
                  "location_code\n")
        for i in range(ROWS):
            out.write(f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i % 59:02d},"
                      f"S{i % SENSORS},e{i},LTE,800,{-40 - rng.randrange(50)},{rng.randrange(90)},"
                      f"23415{rng.randrange(10**10):010d},,HEI-A-1-{i % CELLS:05d}\n")


def test_a_file_larger_than_the_memory_limit_ingests_whole(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", environment="test", lake_memory_limit=LIMIT)
    store = open_store(settings)
    try:
        with store.session() as session:
            session.add(Establishment(code="HEI", name="Hewell"))
            session.flush()
            session.add_all([Location(code=f"HEI-A-1-{c:05d}", establishment="HEI", type="CELL")
                             for c in range(CELLS)])
            session.add_all([Sensor(sensor_id=f"S{s}", establishment="HEI",
                                    kind="MANAGED_ACCESS") for s in range(SENSORS)])
        source = tmp_path / "big.csv"
        _write(source)
        summary = ingest_file(IngestContext(store, settings, "system"), "detections",
                              source)
        assert (summary.read, summary.accepted, summary.quarantined) == (ROWS, ROWS, 0)
        lake = Lake(settings)
        assert lake.memory_limit == LIMIT
        counted = lake.query("SELECT count(*) AS n FROM detections").column("n")[0].as_py()
        assert counted == ROWS
    finally:
        store.dispose()
