"""Cellmates on one placement (issue 14, round 12): the learned rate at which both use the
phone, how scoring lifts a co-placed man by it, and the ``tied`` calibration class."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution import calibration
from cellwatch.attribution.cellmates import cellmate_rate
from cellwatch.attribution.em import Estimate, estimate
from cellwatch.attribution.increment import estimate_from_saved
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import build_features, fit, learn_cellmates, score
from cellwatch.attribution.scoring import score_sql
from cellwatch.attribution.sources import open_engine
from cellwatch.attribution.window import FIELDS
from cellwatch.settings import Settings
from cellwatch.store import Occupancy, PinContact, Prisoner, Store

from . import estate
from .test_scoring import ROW, _engine

MEN = ("A0000AA", "B0000BB", "C0000CC")
NO_CALLS = {"pin_today": 0, "pin_today_shared": 0, "calls_today": 0}
ON = RunParams(min_probability=0.0, cellmate_share=True)
OFF = RunParams(min_probability=0.0)


def _fitted(rows: list[dict[str, object]]) -> Estimate:
    pats = {f: [int(r[f"l_{f}"]) for r in rows] for f in FIELDS}  # type: ignore[call-overload]
    return replace(estimate(pats, [1] * len(rows), FIELDS, iterations=20),
                   handover=0.0, handover_placed=0.0)


def _night(placed: tuple[int, ...], level: int = 2) -> list[dict[str, object]]:
    """Three men with the same vector on one phone and night, none with a call; the
    phone placed in the cells of the men ``placed`` names."""
    vec = {f"l_{f}": min(level, max(levels)) for f, levels in FIELDS.items()}
    vec["l_today"] = -1
    return [{"identifier": "I1", "day": 0, "prison_number": m, **NO_CALLS, **vec,
             "placed_tonight": int(i in placed)} for i, m in enumerate(MEN)]


def _scores(rows: list[dict[str, object]], est: Estimate,
            params: RunParams) -> dict[str, dict[str, object]]:
    engine = _engine(rows)
    out = engine.run(score_sql(engine.dialect, est, params)).to_pylist()
    return {str(r["prison_number"]): r for r in out}


def test_two_cellmates_on_one_placement_are_lifted_by_the_rate() -> None:
    rows = _night((0, 1))
    est = replace(_fitted(rows), cellmates=0.3)
    off, on = _scores(rows, est, OFF), _scores(rows, est, ON)
    odds = float(off[MEN[0]]["odds"])  # type: ignore[arg-type]
    share = odds / (1.0 + 3.0 * odds)
    for man in MEN[:2]:
        assert off[man]["model_p"] == pytest.approx(share, rel=1e-12)
        assert off[man]["night"] == "placed"
        # His share, and the rate times his one co-placed rival's share.
        assert on[man]["model_p"] == pytest.approx(1.3 * share, rel=1e-12)
        assert on[man]["night"] == "tied"
        cal = calibration.load()
        assert on[man]["probability"] == pytest.approx(
            cal.apply("tied", float(on[man]["raw_p"])), abs=1e-9)  # type: ignore[arg-type]
    # The man the phone was not placed with is neither lifted nor tied.
    assert on[MEN[2]]["model_p"] == pytest.approx(share, rel=1e-12)
    assert on[MEN[2]]["night"] == "window"


def test_a_man_placed_alone_or_calling_his_own_numbers_is_not_lifted() -> None:
    alone = _night((0,))
    est = replace(_fitted(alone), cellmates=0.3)
    off, on = _scores(alone, est, OFF), _scores(alone, est, ON)
    assert on[MEN[0]]["model_p"] == off[MEN[0]]["model_p"]
    assert on[MEN[0]]["night"] == "placed"
    own = _night((0, 1))
    own[0] |= {"pin_today": 1, "calls_today": 1, "l_today": 2}
    est = replace(_fitted(own), cellmates=0.3)
    off, on = _scores(own, est, OFF), _scores(own, est, ON)
    odds = float(on[MEN[0]]["odds"])  # type: ignore[arg-type]
    assert on[MEN[0]]["raw_p"] == pytest.approx(odds / (1.0 + odds), rel=1e-12)
    assert on[MEN[0]]["night"] == "own"
    # His cellmate, without a call, is far behind him: neither lifted nor tied.
    assert on[MEN[1]]["model_p"] == pytest.approx(float(off[MEN[1]]["model_p"]),  # type: ignore[arg-type]
                                                  rel=1e-12)
    assert on[MEN[1]]["night"] == "placed"
    # Three men on one placement: a mirror cell's, not cellmates; none is tied or lifted.
    three = _night((0, 1, 2))
    est = replace(_fitted(three), cellmates=0.3)
    off, on = _scores(three, est, OFF), _scores(three, est, ON)
    for man in MEN:
        assert on[man]["night"] == "placed"
        assert on[man]["model_p"] == pytest.approx(float(off[man]["model_p"]),  # type: ignore[arg-type]
                                                   rel=1e-12)


def test_a_man_far_behind_his_co_placed_rival_is_neither_lifted_nor_tied() -> None:
    rows = _night((0, 1))
    rows[0] |= {"l_pin": 3}  # the first man's window holds his own PIN calls
    est = replace(_fitted(rows), cellmates=0.3)
    assert est.weight("pin", 3) > 1.0
    off, on = _scores(rows, est, OFF), _scores(rows, est, ON)
    assert on[MEN[0]]["night"] == on[MEN[1]]["night"] == "placed"
    for man in MEN[:2]:
        assert on[man]["model_p"] == pytest.approx(float(off[man]["model_p"]),  # type: ignore[arg-type]
                                                   rel=1e-12)


def test_two_cellmates_stay_tied_beside_a_weak_third_on_the_placement() -> None:
    """A placement often holds a mirror cell's occupant too, far behind the cellmates."""
    rows = _night((0, 1, 2))
    for r in rows[:2]:
        r |= {"l_pin": 3}
    est = replace(_fitted(rows), cellmates=0.3)
    off, on = _scores(rows, est, OFF), _scores(rows, est, ON)
    strong, weak = (float(off[m]["odds"]) for m in MEN[1:])  # type: ignore[arg-type]
    assert strong > 2.0 * weak  # the third man is far behind
    for man in MEN[:2]:
        assert on[man]["night"] == "tied"
        lifted = float(off[man]["model_p"]) * 1.3  # type: ignore[arg-type]
        assert on[man]["model_p"] == pytest.approx(lifted, rel=1e-12)
    assert on[MEN[2]]["night"] == "placed"
    assert on[MEN[2]]["model_p"] == pytest.approx(float(off[MEN[2]]["model_p"]),  # type: ignore[arg-type]
                                                  rel=1e-12)


def test_with_no_rate_learned_scoring_is_as_without_the_setting() -> None:
    rows = _night((0, 1))
    est = _fitted(rows)
    assert est.cellmates == 0.0
    off, on = _scores(rows, est, OFF), _scores(rows, est, ON)
    for man in MEN:
        assert on[man] == off[man]


@settings(max_examples=30, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=30), st.floats(0.0, 1.0))
def test_lifted_scores_stay_probabilities_and_never_fall(
        rows: list[dict[str, object]], rate: float) -> None:
    est = replace(_fitted(rows), cellmates=rate)
    engine = _engine(rows)
    key = ("identifier", "eday", "prison_number")
    plain = {tuple(r[k] for k in key): r
             for r in engine.run(score_sql(engine.dialect, est, OFF)).to_pylist()}
    for r in engine.run(score_sql(engine.dialect, est, ON)).to_pylist():
        assert 0.0 <= r["raw_p"] <= 1.0
        assert 0.0 <= r["probability"] <= 1.0
        assert r["night"] in calibration.CLASSES
        before = plain.get(tuple(r[k] for k in key))
        if before is not None:
            assert r["model_p"] >= before["model_p"] - 1e-12
            # Only a placed night can become tied; every other class stays.
            if before["night"] == "placed":
                assert r["night"] in ("placed", "tied")
            else:
                assert r["night"] == before["night"]


def test_the_rate_counts_own_callers_placed_with_a_rival() -> None:
    vec = {f"l_{f}": 0 for f in FIELDS}

    def row(day: int, man: str, placed: int, today: int) -> dict[str, object]:
        return {"identifier": "I1", "day": day, "prison_number": man, **NO_CALLS, **vec,
                "placed_tonight": placed, "l_today": today}

    rows = [row(0, MEN[0], 1, 2), row(0, MEN[1], 1, 2),   # both co-placed callers: 2 of 2
            row(1, MEN[0], 1, 2), row(1, MEN[1], 1, 0),   # a caller, his cellmate quiet
            row(2, MEN[0], 1, 2), row(2, MEN[1], 0, 2),   # placed alone: not counted
            row(3, MEN[0], 0, 2), row(3, MEN[1], 1, -1),  # caller not placed: not counted
            row(4, MEN[0], 1, 1), row(4, MEN[1], 1, 2),   # a shared PIN is not his own
            row(5, MEN[0], 1, 2), row(5, MEN[1], 1, 0),   # a third man placed too: the
            row(5, MEN[2], 1, 0)]                         # caller counts, unshared
    assert learn_cellmates(_engine(rows)) == cellmate_rate(5, 2)


def test_the_rate_is_nought_without_nights_and_follows_the_data() -> None:
    assert cellmate_rate(0, 0) == 0.0
    assert cellmate_rate(10_000, 3_000) == pytest.approx(0.3, abs=0.01)
    assert cellmate_rate(20, 8) < cellmate_rate(2_000, 800) < 0.4
    assert 0.0 <= cellmate_rate(3, 3) <= 1.0


def test_saved_estimate_keeps_the_rate_and_old_runs_read_as_none() -> None:
    est = replace(_fitted(_night((0, 1))), cellmates=0.27)
    assert estimate_from_saved(est.as_dict()).cellmates == 0.27
    old = {k: v for k, v in est.as_dict().items() if k != "cellmates"}
    assert estimate_from_saved(old).cellmates == 0.0


CELLMATE = "D4444DD"
CELLMATE_CONTACT = "+447700900777"


def _double_cell(settings: Settings, store: Store) -> None:
    """The tiny estate with a second man in the owner's cell. The phone is heard from
    that cell for 10 nights; on nights 0-5 the owner calls his family from it, and on
    nights 0, 2 and 4 his cellmate calls his own contact too; nights 6-9 have no calls."""
    estate.build_store(store)
    with store.session() as s:
        s.add(Prisoner(prison_number=CELLMATE, surname="Test", forenames="D",
                              establishment="TST"))
        s.flush()
        s.add(Occupancy(prison_number=CELLMATE, location_code="TST-A-1-01",
                        start_ts=datetime(2024, 1, 1, tzinfo=UTC)))
        s.add(PinContact(prison_number=CELLMATE, contact_number=CELLMATE_CONTACT))
    estate.write_lake(settings)
    for day in range(6):
        parties = (estate.FAMILY, CELLMATE_CONTACT) if day % 2 == 0 else (estate.FAMILY,)
        estate.write_calls(settings, days=1, first_day=day, parties=parties)


def test_a_double_cell_in_a_real_store_learns_the_rate_and_ties_its_quiet_nights(
        settings: Settings, store: Store) -> None:
    _double_cell(settings, store)
    engine = open_engine(settings, store)
    try:
        build_features(engine, RunParams())
        # Per own caller co-placed: the owner on 6 nights (3 with his cellmate's calls
        # too), the cellmate on 3 (all with the owner's).
        assert learn_cellmates(engine) == cellmate_rate(9, 6)
        est = fit(engine, replace(RunParams(), cellmate_share=True))
        assert est.cellmates == cellmate_rate(9, 6) > 0.0
        quiet = "SELECT prison_number, night, model_p FROM cw_f_score " \
                "WHERE identifier_type = 'IMEI' AND eday >= DATE '2024-02-07' " \
                "AND prison_number IN ('A1111AA', 'D4444DD')"
        score(engine, est, RunParams())
        off = engine.run(quiet).to_pylist()
        score(engine, est, replace(RunParams(), cellmate_share=True))
        on = engine.run(quiet).to_pylist()
    finally:
        engine.close()
    assert off
    assert {r["night"] for r in off} == {"placed"}
    assert {r["night"] for r in on} == {"tied"}
    assert sum(r["model_p"] for r in on) > sum(r["model_p"] for r in off)
