"""The joint-working estate on every engine, and principals acting in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.store import Store


@pytest.fixture
def estate(store: Store) -> Store:
    """A store holding the fixture estate."""
    build_estate(store)
    return store


@pytest.fixture
def as_user(estate: Store) -> Callable[[str], Access]:
    """``as_user("hei_analyst")``: an :class:`Access` acting as that user."""

    def make(username: str) -> Access:
        with estate.session() as s:
            return Access(estate, principal_for(s, username))

    return make
