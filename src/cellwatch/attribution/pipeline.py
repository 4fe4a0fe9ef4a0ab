"""One attribution run over the engine: features, EM, scoring, in one ordered pipeline.

Each step is a named table built from one SQL text (Splink's CTE pipeline, made
durable so a step's output can be inspected); only the comparison-vector counts come
back to Python, for EM, and then the top candidates per identifier and day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from cellwatch.attribution import (
    calls,
    cellmates,
    continuity,
    em_prior,
    features,
    rf,
    scoring,
    window,
)
from cellwatch.attribution.em import Centre, Estimate, estimate, estimate_assigned, own_call_labels
from cellwatch.attribution.params import RunParams
from cellwatch.lake import AnalyticEngine, Dialect

Step = tuple[str, Callable[[Dialect, RunParams], str]]

# The trailing window: the first step whose rows are per identifier-day and candidate.
WINDOW_STEP = "cw_f_win"
# Feature tables in dependency order.
FEATURE_STEPS: tuple[Step, ...] = (
    ("cw_f_det", features.detection_days_sql),
    ("cw_f_cov", lambda d, p: features.coverage_sql(d)),
    ("cw_f_days", lambda d, p: features.days_sql(d)),
    ("cw_f_where", lambda d, p: features.where_sql(d)),
    ("cw_f_fix", features.fix_sql),
    ("cw_f_fixhits", features.fix_hits_sql),
    ("cw_f_man", rf.night_bursts_sql),
    ("cw_f_rfn", rf.night_rf_sql),
    ("cw_f_rfm", rf.rf_matches_sql),
    ("cw_f_rfb", rf.rf_chance_sql),
    ("cw_f_rfc", lambda d, p: rf.rf_cells_sql(d)),
    ("cw_f_hits", features.cell_hits_sql),
    ("cw_f_calls", calls.call_subjects_sql),
    ("cw_f_pin", calls.pin_hits_sql),
    ("cw_f_prot", calls.protected_hits_sql),
    ("cw_f_calldays", lambda d, p: calls.call_days_sql(d)),
    ("cw_f_seiz", calls.seizure_hits_sql),
    ("cw_f_follow", continuity.follow_sql),
    ("cw_f_cand", window.candidates_sql),
    ("cw_f_zone", features.zone_sql),
    ("cw_f_pair", lambda d, p: window.pair_day_sql(d)),
    ("cw_f_active", window.active_sql),
    (WINDOW_STEP, window.window_sql),
    ("cw_f_custody", features.custody_sql),
    ("cw_f_vec", lambda d, p: window.levels_sql(d)),
)


@dataclass
class PipelineResult:
    """The estimate; the per-day attributions (all identifier types) are left in the
    engine as ``cw_f_daily``, to be streamed rather than held."""

    estimate: Estimate


# Night bursts RF matching takes at once: at about 10 M its join and aggregates passed
# DuckDB's 3 GB limit (100 M detections, one slice, ran out of memory).
MATCH_SLICE_BURSTS = 5_000_000


def build_features(engine: AnalyticEngine, params: RunParams,
                   first_day: date | None = None) -> None:
    """Every feature table up to the comparison vectors; with ``first_day``, windowed
    pairs (and all after them) only from that day on."""
    for name, step in FEATURE_STEPS:
        if name == "cw_f_rfm":
            _match_in_slices(engine, params)
        elif name == WINDOW_STEP and first_day is not None:
            # An increment keeps the days from its cut: the steps after the window are
            # per identifier-day, so the earlier days (two thirds of the six weeks it
            # reads) need not be custody-checked, vectorised and scored only to be dropped.
            # The frames are computed before the filter, over every day read.
            day = f"DATE '{first_day.isoformat()}'"  # ISO digits and dashes only
            engine.materialize(name, f"SELECT * FROM ({step(engine.dialect, params)}) w "  # noqa: S608
                                     f"WHERE eday >= {day}")
        else:
            engine.materialize(name, step(engine.dialect, params))


def _match_in_slices(engine: AnalyticEngine, params: RunParams) -> None:
    """cw_f_rfm, a slice of establishments at a time (one slice on a small estate)."""
    counts = engine.run("SELECT establishment, count(*) AS n FROM cw_f_man GROUP BY 1 "
                        "ORDER BY 1").to_pylist()
    slices = rf.match_slices([(r["establishment"], int(r["n"])) for r in counts],
                             MATCH_SLICE_BURSTS)
    parts = [rf.rf_matches_sql(engine.dialect, params, s) for s in slices] or [
        rf.rf_matches_sql(engine.dialect, params)]
    engine.materialize_parts("cw_f_rfm", parts)


# A prior this low means EM explained the data by "nobody is ever the user" and would
# attribute nothing: the start it slid from is abandoned for the other one.
COLLAPSED_PRIOR = 1e-4
# The generic start's prior odds per candidate (the pairwise start brings its own).
GENERIC_START_PRIOR = 0.1


def fit(engine: AnalyticEngine, params: RunParams) -> Estimate:
    """EM over the comparison vectors, one user per identifier-day (labels from analysts).

    The pairwise estimate starts it and is the centre of its weak prior: started from
    generic ramps, the constrained EM can slide on a small estate to "nobody is ever
    the user" (prior -> 0), which explains any data and attributes nothing. The plain
    mixture can slide there too (a three-week, two-prison estate did, and its run
    attributed nothing): then the generic start is tried, and of two collapsed fits the
    higher prior is kept. ``started_from`` records which start the run used.
    With ``params.vendor_trust``, own-call days are labels too and a coarse vendor's
    field is pulled towards no evidence (:func:`coarse_vendor`, :func:`uninformative`).
    """
    pats = engine.run(window.patterns_sql(engine.dialect)).to_pydict()
    pairwise = estimate(
        {f: pats[f"l_{f}"] for f in window.FIELDS}, pats["n"], window.FIELDS,
        n_match=pats["n_match"], n_nonmatch=pats["n_nonmatch"],
        iterations=params.em_iterations, start=window.FIELD_START,
    )
    days = int(engine.run(window.days_sql(engine.dialect)).column("n")[0].as_py())
    every = max(1, -(-days // int(params.em_max_days)))
    rows = engine.run(window.assigned_rows_sql(engine.dialect, every))
    _, groups = np.unique(np.asarray(rows.column("g"), dtype=np.int64), return_inverse=True)
    strength = float(params.em_prior_strength)
    centre = em_prior.load() if strength > 0 else None
    if centre is not None and params.vendor_trust and coarse_vendor(engine):
        centre = uninformative(centre, UNTRUSTED_FIELDS)
    codes = np.asarray(rows.column("code"), dtype=np.int64)
    labels = np.asarray(rows.column("label"), dtype=np.int64)
    if params.vendor_trust:
        labels = own_call_labels(codes, groups.astype(np.int64), labels, window.FIELDS)

    def assigned(start: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                 start_prior: float) -> Estimate:
        return estimate_assigned(
            codes, groups.astype(np.int64), labels, window.FIELDS,
            iterations=params.em_iterations, start=start, start_prior=start_prior,
            centre=centre, strength=strength)

    best: Estimate | None = None
    if pairwise.prior > COLLAPSED_PRIOR:
        best = assigned({f: ([pairwise.m[f][lv] for lv in levels],
                             [pairwise.u[f][lv] for lv in levels])
                         for f, levels in window.FIELDS.items()}, pairwise.prior)
    if best is None or best.prior <= COLLAPSED_PRIOR:
        generic = replace(assigned(window.FIELD_START, GENERIC_START_PRIOR),
                          started_from="generic")
        if best is None or generic.prior > best.prior:
            best = generic
    unplaced, placed = learn_handover(engine)
    shared = learn_sharing(engine) if params.share_nights else 0.0
    mates = learn_cellmates(engine) if params.cellmate_share else 0.0
    return replace(best, handover=unplaced, handover_placed=placed, shared=shared,
                   cellmates=mates)


# Fields whose weight rests on the vendor's location fix: on a world whose vendor locates
# coarser than the cell, the development worlds' centre (cell-accurate vendors) is the
# wrong place to pull them towards. The zone was tried too and left out (2502 s99 ECE
# 0.134 to 0.162 with it, 0.129 without; docs/attribution.md, Round 11).
UNTRUSTED_FIELDS = ("vendor",)
# A vendor is coarse when fewer than this share of its fixes inside the wings name a cell.
CELL_FIX_SHARE = 0.5


def coarse_vendor(engine: AnalyticEngine) -> bool:
    """Whether the vendor's fixes mostly name a landing or a wing rather than a cell."""
    row = engine.run(
        "SELECT sum(CASE WHEN l.type = 'CELL' THEN d.n ELSE 0 END) AS cell, sum(d.n) AS n "
        "FROM cw_f_det d JOIN cw_locations l ON l.code = d.vendor_loc "
        "WHERE l.type IN ('CELL', 'LANDING', 'WING')").to_pylist()[0]
    n = float(row["n"] or 0)
    return n > 0 and float(row["cell"] or 0) / n < CELL_FIX_SHARE


def uninformative(centre: Centre, names: Sequence[str]) -> Centre:
    """The centre with the match side of ``names`` set to their non-match side: the prior
    then pulls those fields towards no evidence, and only a world's own rows give them
    weight (freed altogether, the vendor swung further: 2502 s99 ECE 0.134 to 0.162)."""
    m, u = centre
    return ({f: (u[f].copy() if f in names else v) for f, v in m.items()}, u)


def learn_handover(engine: AnalyticEngine) -> tuple[float, float]:
    """How often a phone is in another's hands for a night (:func:`window.handover_sql`):
    when its window's user was not placed in his cell that night, and when he was."""
    rows = {int(r["placed"]): r for r in
            engine.run(window.handover_sql(engine.dialect)).to_pylist()}
    rates = [window.handover_rate(int(rows[k]["n"]) if k in rows else 0,
                                  int(rows[k]["handed"]) if k in rows else 0) for k in (0, 1)]
    return rates[0], rates[1]


def learn_sharing(engine: AnalyticEngine) -> float:
    """How often a phone someone used that night had a second user
    (:func:`window.sharing_sql`): lower 90% bound of the Beta posterior, so a run with
    few nights of own calls scores about as one user a night; guessed high, the rate
    lifts rivals' rows on phones nobody shares."""
    row = engine.run(window.sharing_sql(engine.dialect)).to_pylist()[0]
    return sharing_rate(int(row["n"] or 0), int(row["shared"] or 0))


def learn_cellmates(engine: AnalyticEngine) -> float:
    """How often a cellmate on the same placement used the phone too
    (:func:`cellmates.cellmates_sql`, :func:`cellmates.cellmate_rate`)."""
    row = engine.run(cellmates.cellmates_sql(engine.dialect)).to_pylist()[0]
    return cellmates.cellmate_rate(int(row["n"] or 0), int(row["shared"] or 0))


def sharing_rate(n: int, shared: int) -> float:
    """Lower 90% bound on the sharing rate, ``shared`` of ``n`` nights (Beta posterior
    from the handover's prior, normal approximation); 0 with no nights.

    >>> sharing_rate(0, 0)
    0.0
    >>> round(sharing_rate(1000, 400), 3)
    0.377
    """
    return window.rate_bound(n, shared, -1)


def score(engine: AnalyticEngine, est: Estimate, params: RunParams) -> None:
    """Per-day probabilities for IMEIs, IMSIs and, through their SIMs, numbers (cw_f_daily);
    ``cw_f_state``, the per-day rows a later incremental run carries over, is every day's."""
    d = engine.dialect
    engine.materialize("cw_f_score", scoring.score_sql(d, est, params))
    engine.materialize("cw_f_state",
                       f"SELECT {scoring.DAILY_COLUMNS} FROM cw_f_score")  # noqa: S608
    engine.materialize("cw_f_num", scoring.numbers_sql(d))
    engine.materialize("cw_f_daily", scoring.daily_sql(d))


def score_from(engine: AnalyticEngine, est: Estimate, params: RunParams, cut: date) -> None:
    """Score the days from ``cut`` on and join them to the last run's earlier days.

    The features were built over the lake from some weeks before ``cut``, so days before the
    cut saw part of their window only: their rows are the last run's (``cw_base_state``,
    :mod:`cellwatch.attribution.increment`). Numbers are attributed again over every
    day, through today's links, from the SIMs' rows: a small table, not the lake.
    """
    d = engine.dialect
    day = f"DATE '{cut.isoformat()}'"  # ISO digits and dashes only
    engine.materialize("cw_f_new", scoring.score_sql(d, est, params))
    engine.materialize("cw_f_score", f"SELECT * FROM cw_f_new WHERE eday >= {day}")  # noqa: S608
    engine.materialize("cw_f_state", (
        f"SELECT {scoring.DAILY_COLUMNS} FROM cw_base_state WHERE eday < {day} "  # noqa: S608
        f"UNION ALL SELECT {scoring.DAILY_COLUMNS} FROM cw_f_score"))
    engine.materialize("cw_f_num", scoring.numbers_sql(d, "cw_f_state"))
    engine.materialize("cw_f_daily", scoring.daily_sql(d, "cw_f_state"))


def run_pipeline(engine: AnalyticEngine, params: RunParams | None = None,
                 est: Estimate | None = None) -> PipelineResult:
    """Features, then EM (unless ``est`` is given, to re-score), then scores."""
    params = params or RunParams()
    build_features(engine, params)
    est = est or fit(engine, params)
    score(engine, est, params)
    return PipelineResult(est)


def run_increment(engine: AnalyticEngine, lake_dir: Path, params: RunParams, est: Estimate,
                  cut: date) -> None:
    """Features over the lake from as far back as the days from ``cut`` on read, then
    :func:`score_from`.

    Day ``d`` reads the nights of its window; a night's zone check reads the pair's
    evidence days within ``window - 1`` of it (:func:`window.candidates_sql`); and the
    evening of a night sits in the next UTC day's partition: one day more.
    """
    reach = int(params.window_days) - 1
    engine.events_since(lake_dir, cut - timedelta(days=2 * reach + 2))
    build_features(engine, params, first_day=cut)
    score_from(engine, est, params, cut)
