"""The relational store: entities and workflow state.

SQLite by default, PostgreSQL in production.
"""

from cellwatch.store.base import Base, Provenance, utcnow
from cellwatch.store.engine import Store, open_store, translate
from cellwatch.store.events import SeizureItem
from cellwatch.store.ingest import IngestBatch, QuarantinedRow
from cellwatch.store.reference import (
    AllowListEntry,
    Establishment,
    Location,
    Occupancy,
    PinContact,
    Prisoner,
    Sensor,
)

__all__ = [
    "AllowListEntry",
    "Base",
    "Establishment",
    "IngestBatch",
    "Location",
    "Occupancy",
    "PinContact",
    "Prisoner",
    "Provenance",
    "QuarantinedRow",
    "SeizureItem",
    "Sensor",
    "Store",
    "open_store",
    "translate",
    "utcnow",
]
