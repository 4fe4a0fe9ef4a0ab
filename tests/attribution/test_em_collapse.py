"""EM that slides to "nobody is ever the user" is not the run's answer.

On this three-week, two-prison simulated estate (seed 11) the plain mixture that starts
the constrained EM used to collapse (prior at its floor), and the run attributed
nothing. With the day's own PIN calls compared too (``window.FIELDS["today"]``) it no
longer collapses there, so the guard is exercised by collapsing that mixture on purpose:
the run then starts again from the generic ramps, attributes, says so in its
parameters, and what it attributes with confidence is right.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cellwatch.attribution import pipeline
from cellwatch.attribution.em import Estimate
from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.attribution.pipeline import COLLAPSED_PRIOR
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings

from .tiny_estate import tiny_estate


@pytest.mark.parametrize("collapse", [False, True], ids=["as-fitted", "mixture-collapsed"])
def test_a_collapsed_start_is_left_for_the_generic_one(
        sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        collapse: bool) -> None:
    if collapse:
        fitted = pipeline.estimate

        def collapsed(*args: Any, **kwargs: Any) -> Estimate:
            return replace(fitted(*args, **kwargs), prior=1e-6)

        monkeypatch.setattr(pipeline, "estimate", collapsed)
    with tiny_estate(sqlite_settings, 11, tmp_path / "sim", campaigns=True) as (out, store):
        report = attribute(sqlite_settings, store)
        started = "generic" if collapse else "pairwise"
        assert report.result.estimate.started_from == started
        assert report.result.estimate.prior > COLLAPSED_PRIOR
        assert report.attributions > 0
        with store.session() as s:
            [params] = s.scalars(select(AttributionRun.params)).all()
            confident = {(a.identifier, a.prison_number, day) for a in s.scalars(
                select(Attribution).where(Attribution.probability >= 0.9))
                for day in _days(a.valid_from, a.valid_to)}
        assert params["estimate"]["started_from"] == started
    truth = {(r["identifier"], r["prison_number"], r["date"]) for r in csv.DictReader(
        (out / "truth" / "device_usage.csv").open())}
    assert confident
    assert len(confident & truth) / len(confident) >= 0.9


def _days(first: object, last: object) -> list[str]:
    import datetime as dt

    assert isinstance(first, dt.date)
    assert isinstance(last, dt.date)
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
