"""Honest evaluation of stored attributions against a simulator's truth, by device-day.

The model never sees the truth: this module reads the attributions a run stored (the
same intervals ``cellwatch export attributions`` writes), expands them to days, and
compares each identifier-day's top candidate with ``truth/device_usage.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from cellwatch.errors import NotFound
from cellwatch.lake import Dialect
from cellwatch.lake.analytic_engine import Connection, scratch_connection

THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95)
CONFIDENT = 0.9
MIN_USE_DAYS = 7
BINS = 10


def truth_file(truth_dir: Path) -> Path:
    """``device_usage.csv`` in ``truth_dir`` or in its ``truth/`` folder (a simulator's output)."""
    for candidate in (truth_dir / "device_usage.csv", truth_dir / "truth" / "device_usage.csv"):
        if candidate.is_file():
            return candidate
    raise NotFound(f"no device_usage.csv in {truth_dir} or {truth_dir / 'truth'}")


def _load(con: Connection, attributions: pa.Table, truth_dir: Path) -> None:
    con.register("att_in", attributions)
    days = Dialect().date_series("valid_from", "valid_to")
    con.execute(
        "CREATE OR REPLACE TABLE att AS SELECT identifier_type, identifier, prison_number, "  # noqa: S608  (fixed names only)
        f"probability, {days} AS day FROM att_in WHERE status <> 'REJECTED'")
    usage = str(truth_file(truth_dir))
    con.execute(
        "CREATE OR REPLACE TABLE truth AS SELECT CAST(date AS DATE) AS day, identifier_type, "
        "CAST(identifier AS VARCHAR) AS identifier, prison_number FROM "
        "read_csv(?, all_varchar = true) WHERE identifier_type IN ('IMEI', 'IMSI', 'MSISDN')",
        [usage])
    con.execute(
        "CREATE OR REPLACE TABLE use_days AS SELECT identifier_type, identifier, "
        "count(DISTINCT day) AS days, min(day) AS first_use FROM truth GROUP BY 1, 2")
    # Top-1 per identifier-day, marked right when that prisoner used it that day.
    con.execute(
        "CREATE OR REPLACE TABLE top AS SELECT a.*, EXISTS (SELECT 1 FROM truth t "
        "WHERE t.day = a.day AND t.identifier_type = a.identifier_type "
        "AND t.identifier = a.identifier AND t.prison_number = a.prison_number) AS correct "
        "FROM (SELECT *, row_number() OVER (PARTITION BY identifier_type, identifier, day "
        "ORDER BY probability DESC, prison_number) AS rk FROM att) a WHERE rk = 1")
    con.execute(
        "CREATE OR REPLACE TABLE scored AS SELECT a.*, EXISTS (SELECT 1 FROM truth t "
        "WHERE t.day = a.day AND t.identifier_type = a.identifier_type "
        "AND t.identifier = a.identifier AND t.prison_number = a.prison_number) AS correct "
        "FROM att a")


def _prf(con: Connection, threshold: float, types: tuple[str, ...],
         min_days: int) -> dict[str, float]:
    """Top-1 precision, recall and F1 over the device-days of use of identifiers used on
    ``min_days``+ days: who used it on a day it was used is what truth can check.

    ``precision_all_days`` also counts predictions on days nobody used the identifier
    (idle days, and the other half of a night split by a late or early sighting) as wrong.
    """
    row = con.execute(
        "WITH pop AS (SELECT DISTINCT t.day, t.identifier_type, t.identifier FROM truth t "
        "JOIN use_days u USING (identifier_type, identifier) WHERE u.days >= ? "
        "AND list_contains(?, t.identifier_type)), "
        "pred AS (SELECT * FROM top WHERE probability >= ? AND list_contains(?, identifier_type)), "
        "hit AS (SELECT p.correct FROM pred p JOIN pop USING (day, identifier_type, identifier)) "
        "SELECT (SELECT count(*) FROM pred), (SELECT count(*) FROM pred WHERE correct), "
        "(SELECT count(*) FROM pop), (SELECT count(*) FROM hit), "
        "(SELECT count(*) FROM hit WHERE correct)",
        [min_days, list(types), threshold, list(types)]).fetchone()
    assert row is not None
    predicted, correct_any_day, population, on_use_days, found = (int(x) for x in row)
    precision = found / on_use_days if on_use_days else 0.0
    recall = found / population if population else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4), "predicted": on_use_days,
            "population": population, "predicted_all_days": predicted,
            "precision_all_days": round(correct_any_day / predicted, 4) if predicted else 0.0}


def _calibration(con: Connection) -> dict[str, Any]:
    rows = con.execute(
        f"SELECT least(CAST(floor(probability * {BINS}) AS INTEGER), {BINS - 1}) AS bin, "  # noqa: S608  (fixed names and integers only)
        "count(*) AS n, avg(probability) AS mean_p, avg(CAST(correct AS DOUBLE)) AS observed "
        "FROM scored GROUP BY 1 ORDER BY 1").fetchall()
    total = sum(r[1] for r in rows) or 1
    ece = sum(r[1] / total * abs(r[2] - r[3]) for r in rows)
    table = [{"bin": f"{r[0] / BINS:.1f}-{(r[0] + 1) / BINS:.1f}", "n": int(r[1]),
              "mean_probability": round(r[2], 4), "observed": round(r[3], 4)} for r in rows]
    return {"ece": round(ece, 4), "reliability": table}


def _time_to_first(con: Connection) -> dict[str, Any]:
    """Days of use from first use to the first correct top-1 at >= CONFIDENT."""
    rows = con.execute(
        "WITH hit AS (SELECT identifier_type, identifier, min(day) AS first_hit FROM top "
        "WHERE correct AND probability >= ? GROUP BY 1, 2) "
        "SELECT u.identifier_type, u.identifier, CASE WHEN h.first_hit IS NOT NULL THEN "
        "(SELECT count(DISTINCT t.day) FROM truth t WHERE t.identifier_type = u.identifier_type "
        "AND t.identifier = u.identifier AND t.day <= h.first_hit) END AS use_days "
        "FROM use_days u LEFT JOIN hit h "
        "USING (identifier_type, identifier) WHERE u.days >= ?",
        [CONFIDENT, MIN_USE_DAYS]).fetchall()
    reached = sorted(r[2] for r in rows if r[2] is not None)
    median = reached[len(reached) // 2] if reached else None
    return {"confident_threshold": CONFIDENT, "identifiers": len(rows),
            "reached": len(reached), "median_use_days": median}


def _by_evidence(con: Connection, classes: pa.Table | None,
                 threshold: float) -> dict[str, Any]:
    if classes is None:
        return {}
    con.register("classes", classes)
    out: dict[str, Any] = {}
    for cls in ("detections only", "with calls", "with seizures"):
        row = con.execute(
            "WITH pop AS (SELECT DISTINCT t.day, t.identifier_type, t.identifier FROM truth t "
            "JOIN classes c USING (identifier_type, identifier) WHERE c.evidence = ?), "
            "pred AS (SELECT p.* FROM top p JOIN classes c USING (identifier_type, identifier) "
            "WHERE c.evidence = ? AND p.probability >= ?), "
            "hit AS (SELECT p.correct FROM pred p JOIN pop USING (day, identifier_type, "
            "identifier)) SELECT (SELECT count(*) FROM hit), "
            "(SELECT count(*) FROM hit WHERE correct), (SELECT count(*) FROM pop)",
            [cls, cls, threshold]).fetchone()
        assert row is not None
        n, ok, pop = (int(x) for x in row)
        out[cls] = {"predicted": n, "precision": round(ok / n, 4) if n else None,
                    "recall": round(ok / pop, 4) if pop else None, "population": pop}
    return out


def evaluate(attributions: pa.Table, truth_dir: Path,
             evidence_classes: pa.Table | None = None) -> dict[str, Any]:
    """Every figure of the evaluation as one JSON-ready document."""
    con = scratch_connection()
    try:
        _load(con, attributions, truth_dir)
        kinds = {"all": ("IMEI", "IMSI", "MSISDN"), "IMEI": ("IMEI",), "IMSI": ("IMSI",),
                 "MSISDN": ("MSISDN",)}
        curves = {k: [_prf(con, t, v, MIN_USE_DAYS) for t in THRESHOLDS]
                  for k, v in kinds.items()}
        pr = con.execute("SELECT probability, correct FROM top").fetchall()
        return {
            "min_use_days": MIN_USE_DAYS,
            "by_threshold": curves,
            "all_devices": [_prf(con, t, kinds["all"], 1) for t in THRESHOLDS],
            "calibration": _calibration(con),
            "time_to_first_confident": _time_to_first(con),
            "by_evidence": _by_evidence(con, evidence_classes, CONFIDENT),
            "pr_points": [[float(p), bool(c)] for p, c in pr],
        }
    finally:
        con.close()
