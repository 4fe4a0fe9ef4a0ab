"""Targeting: signals move cells up the ranking; the evaluation's random baseline is exact."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellwatch.access.models import IntelligenceReport, IntelligenceSubject
from cellwatch.errors import ConfigError, InvalidData
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Location, Occupancy, Prisoner, SeizureItem, Store
from cellwatch.store import open_store as _open
from cellwatch.targeting import evaluate_ranking, rank_locations
from cellwatch.targeting.params import parse_params

CELLS = [f"HEI-A-1-00{n}" for n in range(1, 5)] + [f"HEI-A-2-00{n}" for n in range(1, 5)]


def _estate(store: Store) -> None:
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", region="West Midlands"))
        s.flush()
        s.add(Location(code="HEI-A", establishment="HEI", type="WING"))
        s.flush()
        for landing in ("HEI-A-1", "HEI-A-2"):
            s.add(Location(code=landing, establishment="HEI", type="LANDING", parent_code="HEI-A"))
        s.flush()
        for k, cell in enumerate(CELLS):
            s.add(Location(code=cell, establishment="HEI", type="CELL", parent_code=cell[:7]))
            s.add(Prisoner(prison_number=f"A{1000 + k}AA", surname="P", forenames="Q",
                           establishment="HEI"))
        s.flush()
        for k, cell in enumerate(CELLS):
            s.add(Occupancy(prison_number=f"A{1000 + k}AA", location_code=cell,
                            start_ts=datetime(2026, 1, 1, tzinfo=UTC)))


def _intelligence(store: Store, prisoner: str, day: int, grade: tuple[str, str]) -> None:
    with store.session() as s:
        report = IntelligenceReport(report_ref=f"IR-{prisoner}-{day}",
                                    ts=datetime(2026, 10, day, 12, tzinfo=UTC),
                                    establishment="HEI", source_evaluation=grade[0],
                                    intelligence_assessment=grade[1], handling_code="P",
                                    identifiers=[])
        s.add(report)
        s.flush()
        s.add(IntelligenceSubject(report_id=report.id, prison_number=prisoner))


def _find(store: Store, ref: str, cell: str, day: int, item: str = "HANDSET") -> None:
    with store.session() as s:
        s.add(SeizureItem(seizure_ref=ref, item_no=1, ts=datetime(2026, 10, day, 10, tzinfo=UTC),
                          establishment="HEI", location_code=cell, item_type=item))


def test_intelligence_ranks_its_subjects_cell_first(settings: Settings, store: Store) -> None:
    _estate(store)
    _intelligence(store, "A1005AA", 10, ("1", "A"))  # HEI-A-2-002
    _intelligence(store, "A1002AA", 12, ("3", "E"))  # HEI-A-1-003, weak grading
    ranking = rank_locations(settings, store, "HEI", date(2026, 10, 14))
    codes = [r["code"] for r in ranking.rows]
    assert codes[:2] == ["HEI-A-2-002", "HEI-A-1-003"]
    assert sorted(codes) == sorted(CELLS)  # every cell once: a permutation
    assert [r["rank"] for r in ranking.rows] == list(range(1, len(CELLS) + 1))
    top = ranking.rows[0]
    assert top["intelligence"] == pytest.approx(0.6 * 0.5 ** (3.5 / 7), rel=0.02)
    assert top["expected_finds"] == pytest.approx(0.5 * top["p_phone"], abs=1e-3)
    assert "intelligence" in top["why"]
    landings = rank_locations(settings, store, "HEI", date(2026, 10, 14), level="LANDING")
    assert [r["code"] for r in landings.rows] == ["HEI-A-2", "HEI-A-1"]
    assert sum(r["expected_finds"] for r in landings.rows) == pytest.approx(
        sum(r["expected_finds"] for r in ranking.rows), abs=1e-3)


def test_intelligence_after_the_ranking_day_is_not_used(settings: Settings,
                                                         store: Store) -> None:
    _estate(store)
    _intelligence(store, "A1005AA", 20, ("1", "A"))
    ranking = rank_locations(settings, store, "HEI", date(2026, 10, 14), top=1)
    assert ranking.rows[0]["p_phone"] == 0.0


def test_evaluation_against_the_exact_random_expectation(settings: Settings,
                                                         store: Store) -> None:
    _estate(store)
    _intelligence(store, "A1005AA", 10, ("1", "A"))
    _find(store, "S1", "HEI-A-2-002", 15)             # in the top cell
    _find(store, "S2", "HEI-A-1-004", 16, "SIM")      # elsewhere
    _find(store, "S3", "HEI-A-1-001", 16, "CHARGER")  # not a phone: not a find
    ev = evaluate_ranking(settings, store, date(2026, 10, 14), date(2026, 10, 20), top=1,
                          every_days=7)
    assert (ev.hits, ev.chosen) == (1, 1)
    assert ev.random_hits == pytest.approx(1 * 2 / 8)  # top * find cells / cells
    assert ev.factor == pytest.approx(4.0)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(CELLS), max_size=8), st.integers(min_value=1, max_value=8))
def test_random_baseline_is_top_times_share_of_find_cells(
    sqlite_settings: Settings, found: set[str], top: int
) -> None:
    store = _open(sqlite_settings)
    try:
        with store.session() as s:
            for table in (SeizureItem, Occupancy, Prisoner, Location, Establishment):
                s.query(table).delete()
        _estate(store)
        for k, cell in enumerate(sorted(found)):
            _find(store, f"S{k}", cell, 15)
        ev = evaluate_ranking(sqlite_settings, store, date(2026, 10, 14), date(2026, 10, 20),
                              top=top)
        assert ev.random_hits == pytest.approx(top * len(found) / len(CELLS))
        assert 0 <= ev.hits <= min(top, len(found))
        if top == len(CELLS):
            assert ev.hits == len(found)
    finally:
        store.dispose()


def test_refusals(settings: Settings, store: Store) -> None:
    with pytest.raises(InvalidData):
        evaluate_ranking(settings, store, date(2026, 10, 20), date(2026, 10, 1))
    with pytest.raises(InvalidData):
        rank_locations(settings, store, "HEI", date(2026, 10, 1), level="WING")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        parse_params({"window_days": 0})
