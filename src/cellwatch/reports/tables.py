"""Copying the store's small tables into an analytic engine as ``cw_<table>``.

The store may be SQLite or PostgreSQL; the tables go over as Arrow (see
:mod:`cellwatch.lake.reference`), so every analytic reads one engine with one SQL text.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import inspect

# The tables of the domains counted, on the metadata reference_table reads.
import cellwatch.access.models
import cellwatch.alerts.models
import cellwatch.attribution.models
import cellwatch.guard.models
import cellwatch.protect.models
import cellwatch.takedown.models
import cellwatch.tro.models  # noqa: F401
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.reference import reference_table
from cellwatch.store import Store


def load_store_tables(engine: AnalyticEngine, store: Store, names: Iterable[str]) -> set[str]:
    """Copy each named store table into ``engine`` as ``cw_<name>``; return those present.

    A table this store does not have (its migration branch not applied) is skipped, so a
    caller can fall back to zeros rather than fail.
    """
    present = {n for n in names if inspect(store.engine).has_table(n)}
    for name in sorted(present):
        # A registered Arrow table is a DuckDB view or a Spark temporary view: the same
        # name on either engine, with no engine-specific CREATE TABLE.
        engine.register(f"cw_{name}", reference_table(store, name))
    return present
