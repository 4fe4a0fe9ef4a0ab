"""The guard tests' estate (see guard_estate)."""

from __future__ import annotations

import pytest
from guard_estate import build_store, write_world

from cellwatch.settings import Settings
from cellwatch.store import Store


@pytest.fixture
def world(settings: Settings, store: Store) -> Store:
    """The hand-made estate with every pattern in its lake."""
    build_store(store)
    write_world(settings)
    return store
