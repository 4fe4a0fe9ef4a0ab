"""Invariants of the guard, for any pattern of detections (hypothesis):

* a phone seen at night in a residential area is never held (contraband used in the
  cells is never hidden from the candidates);
* a phone seen only in working hours, on weekdays, on three or more landings for three
  or more days is held (a staff phone missing from the allow list)."""

from __future__ import annotations

import itertools

import pytest
from guard_estate import ZONES, _row, build_store, local, write_detections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellwatch.guard.detect import staff_patterns
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.store import Store

_IMEIS = itertools.count(1)
_PARTS = itertools.count(100)


def _imei() -> tuple[str, str]:
    """A fresh Luhn-valid IMEI and an IMSI, never used by another example."""
    from cellwatch.identifiers.digits import luhn_digit

    body = f"35{next(_IMEIS):012d}"
    return body + luhn_digit(body), f"2341599{next(_IMEIS):08d}"


def _verdict(settings_: Settings, store: Store, imei: str) -> str | None:
    engine = engine_for(settings_)
    try:
        found = {p.identifier: p.verdict for p in staff_patterns(engine, store)}
    finally:
        engine.close()
    return found.get(imei)


@pytest.fixture
def estate(settings: Settings, store: Store) -> Store:
    build_store(store)
    return store


SIGHTING = st.tuples(st.integers(0, 20), st.integers(0, 23), st.integers(0, 59),
                     st.integers(0, 3))


@given(day=st.integers(0, 19),
       night_hour=st.sampled_from([21, 22, 23, 0, 1, 2, 3, 4, 5]),
       others=st.lists(SIGHTING, min_size=0, max_size=40))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_night_in_the_cells_is_never_held(settings: Settings, estate: Store, day: int,
                                            night_hour: int,
                                            others: list[tuple[int, int, int, int]]) -> None:
    imei, imsi = _imei()
    rows = [_row(local(d, h, m), f"HEI-MA-{z + 1}", imei, imsi) for d, h, m, z in others]
    # One night in a cell: the vendor locates it there.
    rows.append(_row(local(day, night_hour), "HEI-MA-1", imei, imsi, "HEI-A-1-001"))
    write_detections(settings, rows, next(_PARTS))
    assert _verdict(settings, estate, imei) != "HOLD"


WEEKDAYS = [d for d in range(21) if d % 7 < 5]  # MONDAY is day 0


@given(days=st.lists(st.sampled_from(WEEKDAYS), min_size=3, max_size=10, unique=True),
       hours=st.lists(st.integers(7, 19), min_size=3, max_size=6))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_roaming_weekday_worker_is_held(settings: Settings, estate: Store, days: list[int],
                                          hours: list[int]) -> None:
    imei, imsi = _imei()
    rows = [_row(local(d, h), f"HEI-MA-{(i + j) % len(ZONES) + 1}", imei, imsi)
            for i, d in enumerate(days) for j, h in enumerate(hours)]
    write_detections(settings, rows, next(_PARTS))
    assert _verdict(settings, estate, imei) == "HOLD"
