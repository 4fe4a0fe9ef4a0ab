"""Shared nights (issue 14, round 10): the learned sharing rate and how scoring mixes it in."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwatch.attribution.em import Estimate, estimate
from cellwatch.attribution.increment import estimate_from_saved
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import learn_sharing, sharing_rate
from cellwatch.attribution.scoring import score_sql
from cellwatch.attribution.window import FIELDS

from .test_scoring import ROW, _engine

NO_OWN = {"placed_tonight": 0, "pin_today": 0, "pin_today_shared": 0, "calls_today": 0}
MEN = ("A0000AA", "B0000BB")


def _fitted(rows: list[dict[str, object]]) -> Estimate:
    pats = {f: [int(r[f"l_{f}"]) for r in rows] for f in FIELDS}  # type: ignore[call-overload]
    return estimate(pats, [1] * len(rows), FIELDS, iterations=20)


def _tied_night(level: int) -> list[dict[str, object]]:
    """Two men with the same vector on one phone and night, neither with a call."""
    vec = {f"l_{f}": min(level, max(levels)) for f, levels in FIELDS.items()}
    vec["l_today"] = -1
    return [{"identifier": "I1", "day": 0, "prison_number": m, **NO_OWN, **vec} for m in MEN]


def _scores(rows: list[dict[str, object]], est: Estimate) -> list[dict[str, object]]:
    engine = _engine(rows)
    out: list[dict[str, object]] = engine.run(
        score_sql(engine.dialect, est, RunParams(min_probability=0.0))).to_pylist()
    return out


@pytest.mark.parametrize("level", [1, 2, 3])
def test_tied_men_get_more_than_a_share_and_never_more_than_their_odds(level: int) -> None:
    rows = _tied_night(level)
    est = replace(_fitted(rows), handover=0.0, handover_placed=0.0)
    for r in _scores(rows, est):
        odds = float(r["odds"])  # type: ignore[arg-type]
        # Unshared: one user a night, exactly as before.
        assert r["model_p"] == pytest.approx(odds / (1.0 + 2.0 * odds), rel=1e-12)
    for r in _scores(rows, replace(est, shared=0.4)):
        odds = float(r["odds"])  # type: ignore[arg-type]
        assert odds / (1.0 + 2.0 * odds) < float(r["model_p"])  # type: ignore[arg-type]
        assert float(r["model_p"]) <= odds / (1.0 + odds) + 1e-12  # type: ignore[arg-type]
        assert r["model_p"] == pytest.approx(
            0.6 * odds / (1.0 + 2.0 * odds) + 0.4 * odds / (1.0 + odds), rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=30), st.floats(0.0, 1.0))
def test_shared_scores_stay_probabilities_between_share_and_own_odds(
        rows: list[dict[str, object]], shared: float) -> None:
    est = _fitted(rows)
    plain = {(r["identifier"], r["eday"], r["prison_number"]): r for r in _scores(rows, est)}
    for r in _scores(rows, replace(est, shared=shared)):
        assert 0.0 <= float(r["probability"]) <= 1.0  # type: ignore[arg-type]
        assert 0.0 <= float(r["raw_p"]) <= 1.0  # type: ignore[arg-type]
        odds = float(r["odds"])  # type: ignore[arg-type]
        before = plain.get((r["identifier"], r["eday"], r["prison_number"]))
        if before is not None:  # sharing never lowers a man's row
            assert float(r["model_p"]) >= float(before["model_p"]) - 1e-12  # type: ignore[arg-type]
        assert float(r["model_p"]) <= odds / (1.0 + odds) + 1e-12  # type: ignore[arg-type]


def test_sharing_counts_nights_with_two_own_callers() -> None:
    own = {**NO_OWN, "pin_today": 1, "calls_today": 1}
    vec = {f"l_{f}": 0 for f in FIELDS}

    def row(ident: str, day: int, man: str, level: int) -> dict[str, object]:
        return {"identifier": ident, "day": day, "prison_number": man, **own, **vec,
                "l_today": level}

    rows = [row("I1", 0, MEN[0], 2), row("I1", 0, MEN[1], 2),  # shared
            row("I1", 1, MEN[0], 2), row("I1", 1, MEN[1], 0),  # one own caller
            row("I2", 0, MEN[0], 2), row("I2", 0, MEN[1], 1),  # the other's PIN is shared
            row("I2", 1, MEN[0], 0), row("I2", 1, MEN[1], 1)]  # nobody's own: not counted
    engine = _engine(rows)
    assert learn_sharing(engine) == sharing_rate(3, 1)


def test_sharing_rate_is_nought_without_nights_and_follows_the_data() -> None:
    assert sharing_rate(0, 0) == 0.0
    assert sharing_rate(10_000, 4_000) == pytest.approx(0.4, abs=0.01)
    assert sharing_rate(100, 40) < sharing_rate(1_000, 400) < 0.4
    assert 0.0 <= sharing_rate(5, 5) <= 1.0


def test_saved_estimate_keeps_the_rate_and_old_runs_read_as_unshared() -> None:
    est = replace(_fitted(_tied_night(2)), shared=0.31)
    assert estimate_from_saved(est.as_dict()).shared == 0.31
    old = {k: v for k, v in est.as_dict().items() if k != "shared"}
    assert estimate_from_saved(old).shared == 0.0

