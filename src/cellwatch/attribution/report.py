"""Evaluating the latest run: gather its attributions and evidence classes, write results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from cellwatch.attribution.evaluate import evaluate
from cellwatch.attribution.export import attribution_rows, latest_run
from cellwatch.attribution.models import AttributionRun
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.plots import precision_recall_png, reliability_png
from cellwatch.attribution.sources import open_engine
from cellwatch.settings import Settings
from cellwatch.store import Store

EXPORT_TEXT = ("identifier_type", "identifier", "prison_number", "valid_from", "valid_to",
               "status")
# Which evidence an identifier had over the period (the split the issue asks for).
CLASSES_SQL = (
    "WITH s AS (SELECT DISTINCT identifier_type, identifier FROM cw_f_seiz), "
    "c AS (SELECT DISTINCT identifier_type, identifier FROM cw_f_calldays), "
    "a AS (SELECT DISTINCT identifier_type, identifier FROM cw_f_days UNION "
    "SELECT identifier_type, identifier FROM c UNION SELECT identifier_type, identifier FROM s) "
    "SELECT a.identifier_type, a.identifier, CASE WHEN s.identifier IS NOT NULL THEN "
    "'with seizures' WHEN c.identifier IS NOT NULL THEN 'with calls' ELSE 'detections only' "
    "END AS evidence FROM a LEFT JOIN s USING (identifier_type, identifier) "
    "LEFT JOIN c USING (identifier_type, identifier)"
)


def evidence_classes(settings: Settings, store: Store) -> pa.Table:
    """Each identifier's evidence class, from the feature tables of a fresh build."""
    from cellwatch.attribution.pipeline import FEATURE_STEPS

    params = latest_params(store)
    engine = open_engine(settings, store)
    try:
        wanted = {"cw_f_det", "cw_f_days", "cw_f_calls", "cw_f_calldays", "cw_f_seiz"}
        for name, step in FEATURE_STEPS:
            if name in wanted:
                engine.materialize(name, step(engine.dialect, params))
        return engine.run(CLASSES_SQL)
    finally:
        engine.close()


def latest_params(store: Store) -> RunParams:
    """The settings the latest run was made with."""
    with store.session() as s:
        run = s.get(AttributionRun, latest_run(store))
        assert run is not None
        return RunParams.from_dict(dict(run.params.get("run", {})))


def classes_and_ceiling(settings: Settings, store: Store,
                        truth: Path) -> tuple[pa.Table, dict[str, Any]]:
    """Evidence classes and the evidence ceiling, from one full build of the latest run's
    feature tables (as long as the run's own feature steps take)."""
    from cellwatch.attribution.ceiling import evidence_ceiling
    from cellwatch.attribution.pipeline import build_features

    engine = open_engine(settings, store)
    try:
        build_features(engine, latest_params(store))
        return engine.run(CLASSES_SQL), evidence_ceiling(engine, truth)
    finally:
        engine.close()


def evaluate_latest(settings: Settings, store: Store, truth: Path, out: Path,
                    ceiling: bool = False) -> dict[str, Any]:
    """Evaluate the latest run; writes evaluation.json, reliability.png and pr.png in ``out``.

    With ``ceiling`` the feature tables are built in full and the document gains the
    evidence ceiling (:mod:`cellwatch.attribution.ceiling`).
    """
    rows = attribution_rows(store)
    empty = {k: pa.array([], pa.string()) for k in EXPORT_TEXT} | {
        "probability": pa.array([], pa.float64())}
    table = pa.Table.from_pylist(rows) if rows else pa.table(empty)
    if ceiling:
        classes, bound = classes_and_ceiling(settings, store, truth)
        doc = evaluate(table, truth, classes) | {"ceiling": bound}
    else:
        doc = evaluate(table, truth, evidence_classes(settings, store))
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(doc, indent=2, default=str))
    reliability_png(doc, out / "reliability.png")
    precision_recall_png(doc, out / "precision_recall.png")
    return doc
