"""``cellwatch attribute``: update the identity graph, estimate, score, and store a run.

The run's parameters (fixed settings, EM estimates, link limits) are saved with it, so
any attribution can be traced to the weights that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, insert

from cellwatch.attribution import calibration
from cellwatch.attribution.explain import evidence_items
from cellwatch.attribution.graph import BuildReport, LinkLimits, update_links
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import PipelineResult, run_pipeline
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


def _write(store: Store, run_id: int, engine: AnalyticEngine, params: RunParams) -> int:
    """Insert intervals and their evidence batch by batch; returns how many intervals.

    Rows stream from the engine, so memory holds one batch whatever the run's size; one
    transaction, so a failed run leaves nothing half-written.
    """
    count = 0
    # Core inserts on the tables, not ORM bulk inserts: the ORM's per-row bookkeeping was
    # most of the write's time. The ids come back in the order the rows went in
    # (``sort_by_parameter_order``), which is what pairs each interval with its evidence.
    table = cast(Table, Attribution.__table__)
    intervals = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    with store.session() as s:
        for batch in engine.stream(stored_intervals_sql(engine.dialect, EVIDENCE_MAX_RANK),
                                   WRITE_BATCH_ROWS):
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
    return count


def _identifiers(engine: AnalyticEngine) -> int:
    """How many identifiers the run attributed."""
    table = engine.run("SELECT count(*) AS n FROM (SELECT DISTINCT identifier_type, "
                       "identifier FROM cw_f_daily) x")
    return int(table.column("n")[0].as_py())


def attribute(settings: Settings, store: Store, params: RunParams | None = None,
              limits: LinkLimits | None = None) -> RunReport:
    """Run attribution end to end and store the run; returns a short report."""
    params = params or RunParams()
    limits = limits or LinkLimits()
    engine = open_engine(settings, store)
    try:
        with store.session() as s:
            run = AttributionRun(engine=engine.dialect.name, run_by=settings.principal,
                                 params={"run": params.as_dict(), "limits": limits.as_dict(),
                                         "calibration": calibration.load().provenance
                                         if params.calibrate else None})
            s.add(run)
            s.flush()
            run_id = run.id
        links = update_links(store, engine, limits)
        result = run_pipeline(engine, params)
        count = _write(store, run_id, engine, params)
        identifiers = _identifiers(engine)
        with store.session() as s:
            stored = s.get(AttributionRun, run_id)
            assert stored is not None
            stored.params = {**stored.params, "estimate": result.estimate.as_dict()}
            stored.summary = {"intervals": count, "identifiers": identifiers,
                              "links_added": links.added, "hubs": len(links.hubs)}
            stored.status = "DONE"
            stored.finished_at = datetime.now(UTC)
        return RunReport(run_id, links, count, identifiers, result)
    finally:
        engine.close()
