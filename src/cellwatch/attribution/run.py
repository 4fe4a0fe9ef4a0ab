"""``cellwatch attribute``: update the identity graph, estimate, score, and store a run.

The run's parameters (fixed settings, EM estimates, link limits) are saved with it, so
any attribution can be traced to the weights that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, func, insert, select

from cellwatch.attribution import calibration
from cellwatch.attribution.carry import carry_over
from cellwatch.attribution.explain import evidence_items
from cellwatch.attribution.graph import BuildReport, LinkLimits, update_links
from cellwatch.attribution.increment import (
    INCREMENT,
    Plan,
    digest_tables,
    plan_run,
    prune_states,
    save_state,
)
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import PipelineResult, run_increment, run_pipeline
from cellwatch.attribution.scoring import stored_intervals_sql
from cellwatch.attribution.sources import open_engine
from cellwatch.lake import AnalyticEngine
from cellwatch.settings import Settings
from cellwatch.store import Store

# Evidence is stored for the strongest candidates only; the rest are listed without it.
EVIDENCE_MAX_RANK = 1
# Intervals written per transaction (and held in memory at once).
WRITE_BATCH_ROWS = 5000


@dataclass
class RunReport:
    """What a run produced."""

    run_id: int
    links: BuildReport
    attributions: int
    identifiers: int
    result: PipelineResult
    plan: Plan


def _write(store: Store, run_id: int, engine: AnalyticEngine, params: RunParams,
           plan: Plan) -> int:
    """Insert intervals and their evidence batch by batch; returns how many intervals.

    Rows stream from the engine, so memory holds one batch whatever the run's size; one
    transaction, so a failed run leaves nothing half-written. An incremental run writes
    the intervals reaching its cut or later, and carries the last run's earlier ones over
    (:func:`cellwatch.attribution.carry.carry_over`) in the same transaction.
    """
    count = 0
    # Core inserts on the tables, not ORM bulk inserts: the ORM's per-row bookkeeping was
    # most of the write's time. The ids come back in the order the rows went in
    # (``sort_by_parameter_order``), which is what pairs each interval with its evidence.
    table = cast(Table, Attribution.__table__)
    intervals = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    with store.session() as s:
        since = plan.cut if plan.mode == INCREMENT else None
        for batch in engine.stream(stored_intervals_sql(engine.dialect, EVIDENCE_MAX_RANK,
                                                        since), WRITE_BATCH_ROWS):
            rows = batch.to_pylist()
            ids = s.execute(intervals, [
                {"run_id": run_id, "identifier_type": r["identifier_type"],
                 "identifier": r["identifier"], "prison_number": r["prison_number"],
                 "probability": float(r["probability"]), "rank": int(r["rank"]),
                 "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                 "status": r["status"]} for r in rows]).scalars().all()
            evidence = [{"attribution_id": aid, **item}
                        for aid, r in zip(ids, rows, strict=True) if r["scored"]
                        for item in evidence_items(r, params.window_days)]
            if evidence:
                s.execute(insert(cast(Table, EvidenceItem.__table__)), evidence)
            count += len(rows)
        if since is not None and plan.base_run is not None:
            carry_over(s, plan.base_run, run_id, since)
            # Counted in the store: drivers differ on what an INSERT ... SELECT reports.
            count = int(s.scalar(select(func.count()).select_from(table).where(
                table.c.run_id == run_id)) or 0)
    return count


def _identifiers(engine: AnalyticEngine) -> int:
    """How many identifiers the run attributed."""
    table = engine.run("SELECT count(*) AS n FROM (SELECT DISTINCT identifier_type, "
                       "identifier FROM cw_f_daily) x")
    return int(table.column("n")[0].as_py())


def attribute(settings: Settings, store: Store, params: RunParams | None = None,
              limits: LinkLimits | None = None, rebuild: bool = False) -> RunReport:
    """Run attribution end to end and store the run; returns a short report.

    By default the run continues the last one (:mod:`cellwatch.attribution.increment`):
    only the days new evidence touches are scored again, with its estimate. ``rebuild``
    recomputes every day and fits EM again.
    """
    params = params or RunParams()
    limits = limits or LinkLimits()
    saved = {"run": params.as_dict(), "limits": limits.as_dict(),
             "calibration": calibration.load().provenance if params.calibrate else None}
    engine = open_engine(settings, store)
    try:
        with store.session() as s:
            run = AttributionRun(engine=engine.dialect.name, run_by=settings.principal,
                                 params=dict(saved))
            s.add(run)
            s.flush()
            run_id = run.id
        links = update_links(store, engine, limits, settings.lake_dir)
        # After the links' update, which refreshes the hubs: what this run reads.
        digests = digest_tables(engine)
        plan = plan_run(settings, store, engine, params, saved, digests, rebuild)
        if plan.mode == INCREMENT and plan.cut is not None and plan.estimate is not None:
            run_increment(engine, settings.lake_dir, params, plan.estimate, plan.cut)
            result = PipelineResult(plan.estimate)
        else:
            result = run_pipeline(engine, params, plan.estimate)
        save_state(engine, settings, run_id, with_base=plan.mode == INCREMENT)
        count = _write(store, run_id, engine, params, plan)
        identifiers = _identifiers(engine)
        with store.session() as s:
            stored = s.get(AttributionRun, run_id)
            assert stored is not None
            stored.params = {**stored.params, "estimate": result.estimate.as_dict(),
                             "increment": plan.as_dict() | {"digests": digests}}
            stored.summary = {"intervals": count, "identifiers": identifiers,
                              "links_added": links.added, "hubs": len(links.hubs),
                              "mode": plan.mode, "reason": plan.reason}
            stored.status = "DONE"
            stored.finished_at = datetime.now(UTC)
        prune_states(settings, run_id)
        return RunReport(run_id, links, count, identifiers, result, plan)
    finally:
        engine.close()
