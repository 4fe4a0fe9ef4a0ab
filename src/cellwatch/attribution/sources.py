"""Inputs of the identity graph and of attribution, gathered in one analytic engine.

The lake gives ``detections`` and ``call_records`` views; the small relational tables
the analytics need (occupancy, sensors, locations, PIN contacts, allow list, seizures,
links, judgements) are copied from the store into the engine under a ``cw_`` prefix,
so each analytic is one SQL text over one engine, whether the store is SQLite or
PostgreSQL, and the same text runs on Spark (``CELLWATCH_ENGINE=spark``).
"""

from __future__ import annotations

import uuid
from typing import Final

import pyarrow as pa

from cellwatch.guard.detect import excluded_identifiers
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.engine_choice import engine_for, load_reference
from cellwatch.lake.layout import STAGING_DIR
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
    "protected_persons": "cw_protected_persons",
    "protected_identifiers": "cw_protected_ids",
    "extraction_links": "cw_extraction_links",
}


def load_store_tables(engine: AnalyticEngine, store: Store) -> None:
    """Register (or refresh) every store table the analytics read in ``engine``.

    Tables whose engine name is ``cw_`` + the store name go through
    :func:`~cellwatch.lake.engine_choice.load_reference`; the others are renamed on the way.
    A registered Arrow table is a DuckDB view or a Spark temporary view, and registering
    again replaces it, which is how a run sees the links it has just added.
    """
    same = tuple(src for src, name in STORE_TABLES.items() if name == f"cw_{src}")
    load_reference(engine, store, same, prefix="cw_")
    for source, name in STORE_TABLES.items():
        if source not in same:
            engine.register(name, reference_table(store, source))
    _with_guard_holds(engine, store)


def _with_guard_holds(engine: AnalyticEngine, store: Store) -> None:
    """Add the phones the guard holds (suspected staff, visitors, contractors) to
    ``cw_allow_list``, so every analytic leaves them out as it leaves out the allow list."""
    held = sorted(excluded_identifiers(store))
    if not held:
        return
    listed = reference_table(store, "allow_list")
    extra = pa.table({name: pa.nulls(len(held), type=listed.schema.field(name).type)
                      for name in listed.column_names})
    extra = extra.set_column(listed.column_names.index("identifier"), "identifier",
                             pa.array(held, listed.schema.field("identifier").type))
    extra = extra.set_column(listed.column_names.index("reason"), "reason",
                             pa.array(["GUARD_HOLD"] * len(held),
                                      listed.schema.field("reason").type))
    engine.register("cw_allow_list", pa.concat_tables([listed, extra]))


# The store tables a run itself changes (merged links, suppressed hubs, extraction links
# marked as merged): the only ones
# to load again during a run.
LINK_TABLES = ("identity_links", "identity_hubs", "extraction_links")


def refresh_links(engine: AnalyticEngine, store: Store) -> None:
    """Register the identity graph's tables again, after the run has changed them."""
    for source in LINK_TABLES:
        engine.register(STORE_TABLES[source], reference_table(store, source))


def open_engine(settings: Settings, store: Store) -> AnalyticEngine:
    """The configured engine over the lake with the store's tables loaded."""
    # Attribution joins more than ingest does: it may use more than the lake's default.
    # Its steps live in a scratch database file: at national scale they outgrow memory,
    # and DuckDB can evict a file's tables but not an in-memory database's.
    scratch_dir = settings.lake_dir / STAGING_DIR
    scratch_dir.mkdir(parents=True, exist_ok=True)
    engine = engine_for(settings, memory_limit=settings.analytics_memory_limit,
                        scratch=scratch_dir / f"attribution-{uuid.uuid4().hex}.duckdb")
    load_store_tables(engine, store)
    return engine
