"""The hard rule: a night is never attributed to a man not in custody, in that
establishment, that night, however strongly his window points at the phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from cellwatch.attribution.export import attribution_rows
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Location, Occupancy, Store

from . import estate

# The owner leaves on the morning of day 5: nights 0-4 are his, 5-9 are not.
LEAVES = datetime.combine(estate.START + timedelta(days=5), datetime.min.time(), UTC) + (
    timedelta(hours=9))


def _end_owner_occupancy(store: Store) -> None:
    with store.session() as s:
        s.execute(update(Occupancy).where(Occupancy.prison_number == estate.OWNER)
                  .values(end_ts=LEAVES))


def _owner_days(store: Store) -> set[date]:
    days: set[date] = set()
    for r in attribution_rows(store):
        if r["prison_number"] != estate.OWNER or r["status"] == "REJECTED":
            continue
        d0, d1 = date.fromisoformat(str(r["valid_from"])), date.fromisoformat(str(r["valid_to"]))
        days |= {d0 + timedelta(days=k) for k in range((d1 - d0).days + 1)}
    return days


@pytest.fixture
def built(settings: Settings, store: Store) -> Store:
    estate.build_store(store)
    estate.write_lake(settings)
    estate.write_calls(settings)  # his family every night: a window full of his calls
    return store


def test_no_night_after_release(settings: Settings, built: Store) -> None:
    _end_owner_occupancy(built)
    attribute(settings, built)
    days = _owner_days(built)
    assert days, "before he left the phone was his"
    assert max(days) < estate.START + timedelta(days=5)


def test_no_night_after_transfer_elsewhere(settings: Settings, built: Store) -> None:
    """Transferred to another prison, he is in custody, but not where the phone is."""
    _end_owner_occupancy(built)
    with built.session() as s:
        s.add(Establishment(code="OTH", name="Other (HMP)"))
        s.flush()
        s.add(Location(code="OTH-1", establishment="OTH", type="CELL", capacity=1))
        s.flush()
        s.add(Occupancy(prison_number=estate.OWNER, location_code="OTH-1", start_ts=LEAVES))
    attribute(settings, built)
    days = _owner_days(built)
    assert days
    assert max(days) < estate.START + timedelta(days=5)


def test_in_custody_throughout_he_keeps_every_night(settings: Settings, built: Store) -> None:
    attribute(settings, built)
    assert max(_owner_days(built)) == estate.START + timedelta(days=9)
