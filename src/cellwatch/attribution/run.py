"""``cellwatch attribute``: update the identity graph, estimate, score, and store a run.

The run's parameters (fixed settings, EM estimates, link limits) are saved with it, so
any attribution can be traced to the weights that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert

from cellwatch.attribution.explain import evidence_items
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import PipelineResult, run_pipeline
from cellwatch.attribution.scoring import intervals_sql
from cellwatch.attribution.sources import load_store_tables, open_engine
from cellwatch.lake import AnalyticEngine
from cellwatch.link.graph import BuildReport, LinkLimits, update_links
from cellwatch.settings import Settings
from cellwatch.store import Store

# Evidence is stored for the strongest candidates only; the rest are listed without it.
EVIDENCE_MAX_RANK = 1


@dataclass
class RunReport:
    """What a run produced."""

    run_id: int
    links: BuildReport
    attributions: int
    identifiers: int
    result: PipelineResult


def _last_rows(engine: AnalyticEngine) -> dict[tuple[str, str, str, date], dict[str, Any]]:
    """Scored rows keyed by (type, identifier, prisoner, day), for interval evidence."""
    rows = engine.run("SELECT * FROM cw_f_score WHERE rank <= "  # noqa: S608  (fixed names and integers only)
                      f"{int(EVIDENCE_MAX_RANK)}").to_pylist()
    return {(r["identifier_type"], r["identifier"], r["prison_number"], r["eday"]): r
            for r in rows}


def _write(store: Store, run_id: int, intervals: list[dict[str, Any]],
           scored: dict[tuple[str, str, str, date], dict[str, Any]], params: RunParams) -> int:
    """Insert intervals and their evidence in bulk; returns how many intervals."""
    with store.session() as s:
        for chunk_start in range(0, len(intervals), 5000):
            chunk = intervals[chunk_start:chunk_start + 5000]
            ids = s.execute(insert(Attribution).returning(Attribution.id), [
                {"run_id": run_id, "identifier_type": r["identifier_type"],
                 "identifier": r["identifier"], "prison_number": r["prison_number"],
                 "probability": float(r["probability"]), "rank": int(r["rank"]),
                 "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                 "status": r["status"]} for r in chunk]).scalars().all()
            evidence: list[dict[str, Any]] = []
            for aid, r in zip(ids, chunk, strict=True):
                row = scored.get((r["identifier_type"], r["identifier"], r["prison_number"],
                                  r["valid_to"]))
                if row is not None:
                    evidence += [{"attribution_id": aid, **item}
                                 for item in evidence_items(row, params.window_days)]
            if evidence:
                s.execute(insert(EvidenceItem), evidence)
    return len(intervals)


def attribute(settings: Settings, store: Store, params: RunParams | None = None,
              limits: LinkLimits | None = None) -> RunReport:
    """Run attribution end to end and store the run; returns a short report."""
    params = params or RunParams()
    limits = limits or LinkLimits()
    engine = open_engine(settings, store)
    try:
        with store.session() as s:
            run = AttributionRun(engine=engine.dialect.name, run_by=settings.principal,
                                 params={"run": params.as_dict(), "limits": limits.as_dict()})
            s.add(run)
            s.flush()
            run_id = run.id
        links = update_links(store, engine, limits)
        load_store_tables(engine, store)
        result = run_pipeline(engine, params)
        intervals = engine.run(intervals_sql(engine.dialect)).to_pylist()
        count = _write(store, run_id, intervals, _last_rows(engine), params)
        identifiers = len({(r["identifier_type"], r["identifier"]) for r in intervals})
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
