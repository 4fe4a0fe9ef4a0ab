"""Nightly runs: an incremental run stores what a full re-score with its estimate would.

A simulated estate's detections and call records arrive a few nights at a time, one
establishment late once (its files older than another's already in); after each
arrival ``attribute`` continues the last run. Every interval it stores (identifier,
prisoner, status, days, rank, probability) and every evidence item is compared with a
full re-score of the whole lake with the same estimate.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cellwatch.attribution.explain import evidence_items
from cellwatch.attribution.increment import (
    INCREMENT,
    REBUILD,
    RESCORE,
    estimate_from_saved,
    state_dir,
)
from cellwatch.attribution.judgements import judge
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import run_pipeline
from cellwatch.attribution.run import EVIDENCE_MAX_RANK, RunReport, attribute
from cellwatch.attribution.scoring import stored_intervals_sql
from cellwatch.attribution.sources import open_engine
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store, open_store

ESTATE: dict[str, Any] = {
    "run": {"days": 12, "chunk_days": 3, "rows_per_part": 1000},
    "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15}}
EVENTS = ("detections", "call_records")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = simulate(scenario_from_mapping(ESTATE), 5,
                         tmp_path_factory.mktemp("increment") / "sim", progress=False).out_dir
    return out


@pytest.fixture
def arriving(simulated: Path, settings: Settings) -> Iterator[tuple[Path, Store]]:
    """The store (each engine) with everything but the events, which the test ingests in
    parts."""
    store = open_store(settings)
    try:
        ctx = IngestContext(store, settings, "system")
        load_prisons(ctx)
        for f in _manifest(simulated):
            if f["kind"] not in EVENTS:
                ingest_file(ctx, f["kind"], simulated / f["path"])
        yield simulated, store
    finally:
        store.dispose()


def _manifest(sim: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads((sim / "manifest.json").read_text())["files"]
    return files


def _calls_between(sim: Path, first: date, last: date, out: Path) -> Path:
    """The simulated call records whose local start date is in ``first .. last``."""
    with (sim / "call_records.csv").open(newline="") as src, out.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for row in reader:
            if first <= datetime.fromisoformat(row["start_ts"]).date() <= last:
                writer.writerow(row)
    return out


def _arrive(settings: Settings, store: Store, sim: Path, chunks: list[str],
            calls: tuple[date, date] | None, tmp: Path) -> None:
    ctx = IngestContext(store, settings, "system")
    for chunk in chunks:
        ingest_file(ctx, "detections", sim / "detections" / f"{chunk}.csv")
    if calls is not None:
        part = _calls_between(sim, *calls, tmp / f"calls-{calls[0]}.csv")
        ingest_file(ctx, "call_records", part)


def _stored(store: Store, run_id: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Run ``run_id``'s intervals: key -> (rank, probability, evidence)."""
    with store.session() as s:
        rows = s.execute(select(Attribution).where(Attribution.run_id == run_id)).scalars().all()
        items: dict[int, list[tuple[Any, ...]]] = {}
        for e in s.scalars(select(EvidenceItem).join(
                Attribution, Attribution.id == EvidenceItem.attribution_id).where(
                Attribution.run_id == run_id)):
            items.setdefault(e.attribution_id, []).append(
                (e.kind, e.description, round(e.weight_log2, 9), e.count))
        return {(r.identifier_type, r.identifier, r.prison_number, r.status, r.valid_from,
                 r.valid_to): (r.rank, round(r.probability, 9), sorted(items.get(r.id, [])))
                for r in rows}


def _rescored(settings: Settings, store: Store, run_id: int) -> dict[tuple[Any, ...],
                                                                      tuple[Any, ...]]:
    """What a full re-score of the whole lake with run ``run_id``'s estimate stores."""
    with store.session() as s:
        run = s.get(AttributionRun, run_id)
        assert run is not None
        est = estimate_from_saved(run.params["estimate"])
    params = RunParams()
    engine = open_engine(settings, store)
    try:
        run_pipeline(engine, params, est)
        rows = engine.run(stored_intervals_sql(engine.dialect, EVIDENCE_MAX_RANK)).to_pylist()
    finally:
        engine.close()
    return {(r["identifier_type"], r["identifier"], r["prison_number"], r["status"],
             r["valid_from"], r["valid_to"]): (
                int(r["rank"]), round(float(r["probability"]), 9),
                sorted((i["kind"], i["description"], round(i["weight_log2"], 9), i["count"])
                       for i in (evidence_items(r, params.window_days) if r["scored"] else [])))
            for r in rows}


def _start(sim: Path) -> Callable[[int, int], tuple[date, date]]:
    """Day offsets of the simulated period as dates (first, last)."""
    start = date.fromisoformat(json.loads((sim / "manifest.json").read_text())
                               ["scenario"]["run"]["start_date"])

    def days(first: int, last: int) -> tuple[date, date]:
        return start + timedelta(days=first), start + timedelta(days=last)

    return days


def _assert_as_rescored(settings: Settings, store: Store, report: RunReport) -> None:
    stored, expected = _stored(store, report.run_id), _rescored(settings, store, report.run_id)
    assert set(stored) == set(expected), (
        sorted(set(stored) - set(expected))[:5], sorted(set(expected) - set(stored))[:5])
    assert [k for k in stored if stored[k] != expected[k]] == []
    assert report.attributions == len(stored)


def test_nightly_runs_store_what_a_full_rescore_stores(
        arriving: tuple[Path, Store], settings: Settings, tmp_path: Path) -> None:
    sim, store = arriving
    days = _start(sim)

    _arrive(settings, store, sim, ["HEI-00000", "MDI-00000"], days(-1, 2), tmp_path)
    first = attribute(settings, store)
    assert first.plan.mode == REBUILD
    # Nights 3-5, then 6-8 for one prison only, then the other's 6-8 late with 9-11.
    arrivals = [(["HEI-00001", "MDI-00001"], days(3, 5)), (["HEI-00002"], days(6, 8)),
                (["MDI-00002", "HEI-00003", "MDI-00003"], days(9, 12))]
    cuts = []
    for chunks, calls in arrivals:
        _arrive(settings, store, sim, chunks, calls, tmp_path)
        report = attribute(settings, store)
        assert report.plan.base_run == report.run_id - 1
        assert report.plan.mode == INCREMENT, report.plan.reason
        cuts.append(report.plan.cut)
        _assert_as_rescored(settings, store, report)
    # The late prison's nights took the last cut back to their first day at least.
    late = days(6, 8)[0]
    assert cuts[2] is not None
    assert cuts[2] < late
    # Nothing new: every interval carried over, the same as the run before.
    same = attribute(settings, store)
    assert same.plan.mode == INCREMENT
    assert _stored(store, same.run_id) == _stored(store, same.run_id - 1)


def test_a_judgement_since_the_last_run_rescores_every_day_and_rebuild_fits_again(
        arriving: tuple[Path, Store], settings: Settings, tmp_path: Path) -> None:
    sim, store = arriving
    _arrive(settings, store, sim, ["HEI-00000", "MDI-00000", "HEI-00001", "MDI-00001"],
            (date(2000, 1, 1), date(2100, 1, 1)), tmp_path)
    first = attribute(settings, store)
    assert first.attributions > 0
    with store.session() as s:
        top = s.scalars(select(Attribution).where(Attribution.run_id == first.run_id,
                                                  Attribution.identifier_type == "IMEI")
                        .order_by(Attribution.probability.desc()).limit(1)).one()
        kind, subject, who = top.identifier_type, top.identifier, top.prison_number
    judge(store, "ATTRIBUTION", kind, subject, "PRISONER", who, "CONFIRMED", "seen in his cell",
          "analyst")
    again = attribute(settings, store)
    assert again.plan.mode == RESCORE
    assert "cw_judgements" in again.plan.reason
    _assert_as_rescored(settings, store, again)
    confirmed = _stored(store, again.run_id)
    assert any(k[1] == subject and k[2] == who and k[3] == "CONFIRMED" for k in confirmed)
    rebuilt = attribute(settings, store, rebuild=True)
    assert rebuilt.plan.mode == REBUILD


def test_a_run_without_the_last_runs_state_rebuilds_and_says_why(
        arriving: tuple[Path, Store], settings: Settings, tmp_path: Path) -> None:
    store = arriving[1]
    first = _first_run(arriving, settings, tmp_path)
    shutil.rmtree(state_dir(settings, first.run_id))
    again = attribute(settings, store)
    assert again.plan.mode == REBUILD
    assert again.plan.reason == f"run {first.run_id} left no state to continue from"
    # Its own state is there for the next run, and only the newest states are kept.
    assert state_dir(settings, again.run_id).is_dir()
    third = attribute(settings, store)
    fourth = attribute(settings, store)
    assert (third.plan.mode, fourth.plan.mode) == (INCREMENT, INCREMENT)
    kept = sorted(p.name for p in state_dir(settings, 0).parent.iterdir())
    assert kept == [f"run-{third.run_id}", f"run-{fourth.run_id}"]


def test_an_estimate_older_than_the_refit_age_is_fitted_again(
        arriving: tuple[Path, Store], settings: Settings, tmp_path: Path) -> None:
    store = arriving[1]
    first = _first_run(arriving, settings, tmp_path)
    fitted = first.plan.fitted_at
    kept = attribute(settings, store)
    assert kept.plan.mode == INCREMENT
    assert kept.plan.fitted_at == fitted  # the estimate carried on keeps its age
    # Seven days on (the default), the next run refits and says why.
    _fitted_long_ago(store, kept.run_id, fitted - timedelta(days=7))
    refit = attribute(settings, store)
    assert refit.plan.mode == REBUILD
    assert refit.plan.reason.startswith("the estimate was fitted 7 days ago")
    assert refit.plan.fitted_at > fitted
    # 0 leaves refitting to --rebuild.
    never = settings.model_copy(update={"attribution_refit_days": 0})
    _fitted_long_ago(store, refit.run_id, fitted - timedelta(days=400))
    assert attribute(never, store).plan.mode == INCREMENT


def _fitted_long_ago(store: Store, run_id: int, when: datetime) -> None:
    """Say in run ``run_id``'s saved parameters that its estimate was fitted ``when``."""
    with store.session() as s:
        run = s.get(AttributionRun, run_id)
        assert run is not None
        state = {**run.params["increment"], "fitted_at": when.isoformat()}
        run.params = {**run.params, "increment": state}


def _first_run(arriving: tuple[Path, Store], settings: Settings, tmp_path: Path) -> RunReport:
    """The first nights in, and the first run over them."""
    sim, store = arriving
    days = _start(sim)
    _arrive(settings, store, sim, ["HEI-00000", "MDI-00000"], days(-1, 2), tmp_path)
    return attribute(settings, store)
