"""An estate with two prisoners and observations of their accounts, on every engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cellwatch.protect.models import SocialObservation
from cellwatch.store import Establishment, Prisoner, Store


def observe(store: Store, ref: str, account: str, platform: str, prisoner: str | None,
            day: int) -> None:
    """Store one social observation, as the protect ingest would."""
    with store.session() as s:
        s.add(SocialObservation(observation_ref=ref, platform=platform, account=account,
                                observed_ts=datetime(2026, 10, day, 9, 0, tzinfo=UTC),
                                prison_number=prisoner, establishment="HEI",
                                content="post"))


@pytest.fixture
def estate(store: Store) -> Store:
    """HEI with prisoners A1234BC and B2345CD; A1234BC seen behind x.com/bigman."""
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", region="West Midlands"))
        s.flush()
        s.add(Prisoner(prison_number="A1234BC", surname="Smith", forenames="John",
                       establishment="HEI"))
        s.add(Prisoner(prison_number="B2345CD", surname="Jones", forenames="Tom",
                       establishment="HEI"))
    observe(store, "SO-1", "https://x.com/BigMan", "x", "A1234BC", 1)
    observe(store, "SO-2", "@bigman", "x", "A1234BC", 2)
    return store


@pytest.fixture
def observer() -> Callable[..., None]:
    """:func:`observe`, for tests in other modules (conftest is not importable by name)."""
    return observe
