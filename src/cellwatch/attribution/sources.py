"""Inputs of the identity graph and of attribution, gathered in one analytic engine.

The lake gives ``detections`` and ``call_records`` views; the small relational tables
the analytics need (occupancy, sensors, locations, PIN contacts, allow list, seizures,
links, judgements) are copied from the store into the engine under a ``cw_`` prefix,
so each analytic is one SQL text over one engine, whether the store is SQLite or
PostgreSQL, and the same text could run on Spark.
"""

from __future__ import annotations

from typing import Final

from cellwatch.lake import DuckDBEngine, Lake
from cellwatch.lake.reference import reference_table
from cellwatch.settings import Settings
from cellwatch.store import Store

# store table -> engine table
STORE_TABLES: Final = {
    "locations": "cw_locations",
    "occupancy": "cw_occupancy",
    "prisoners": "cw_prisoners",
    "sensors": "cw_sensors",
    "pin_contacts": "cw_pin_contacts",
    "allow_list": "cw_allow_list",
    "seizure_items": "cw_seizures",
    "identity_links": "cw_links",
    "judgements": "cw_judgements",
    "identity_hubs": "cw_hubs",
}

# Attribution joins more than ingest does; it may use more memory than the lake's default.
MEMORY_LIMIT: Final = "3GB"


def load_store_tables(engine: DuckDBEngine, store: Store) -> None:
    """Copy (or refresh) every store table the analytics read into ``engine``."""
    for source, name in STORE_TABLES.items():
        engine.register(f"{name}_arrow", reference_table(store, source))
        # Both names come from the fixed mapping above.
        engine.run(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
        engine.connection.unregister(f"{name}_arrow")


def open_engine(settings: Settings, store: Store) -> DuckDBEngine:
    """An engine over the lake with the store's tables loaded."""
    engine = DuckDBEngine(Lake(settings, memory_limit=MEMORY_LIMIT).connect())
    load_store_tables(engine, store)
    return engine
