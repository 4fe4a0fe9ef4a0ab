"""The evidence ceiling: how far any weighting of the run's comparison fields could go.

A run scores each candidate by its comparison vector alone, and an identifier-day's
probabilities sum to at most one. So when the user's vector is shared by another
candidate that day, both get the same probability, at most 0.5, and no choice of
weights, EM's or anyone's, attributes that day with confidence. When the user is no
candidate at all, nothing can. Counting, over the evaluation's population, the days on
which the user was a candidate and the days on which his vector stood alone gives an
upper bound on recall at any threshold above 0.5 that the model's own figures can be
set against: the gap between them is the model's to close, the rest is missing evidence
(a cellmate, a mirror-image cell, a cell no detector reaches, a day with no signal).

Analysts' confirmations lift a pair to certainty whatever its vector; the bound is for
what the evidence alone supports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cellwatch.attribution.evaluate import CONFIDENT, MIN_USE_DAYS, truth_file
from cellwatch.attribution.scoring import KEEP_TONIGHT
from cellwatch.attribution.window import FIELDS
from cellwatch.lake import AnalyticEngine

# Identifier types that have comparison vectors (numbers are scored through their SIMs).
VECTOR_TYPES = ("IMEI", "IMSI")


def truth_usage(truth_dir: Path) -> pa.Table:
    """Who used which IMEI or IMSI on which day, from a simulator's ``device_usage.csv``."""
    table = pacsv.read_csv(truth_file(truth_dir), convert_options=pacsv.ConvertOptions(
        column_types={"date": pa.date32(), "identifier": pa.string()},
        include_columns=["date", "identifier_type", "identifier", "prison_number"]))
    table = table.filter(pc.is_in(table["identifier_type"], pa.array(VECTOR_TYPES)))
    return table.rename_columns(["eday", "identifier_type", "identifier", "prison_number"])


def ceiling_sql(min_days: int = MIN_USE_DAYS, window_only_reaches: bool = True,
                placed_reaches: bool = True) -> str:
    """Per identifier type: the population's device-days, those with any evidence, those
    whose user was a candidate, those on which his comparison vector stood alone, and of
    those the ones that can reach the confident threshold: the user called his own PIN
    numbers that night, or the phone was placed in his cell that night and
    ``placed_reaches``, or ``window_only_reaches`` (such nights keep 1 - handover of
    their probability, which may already be below the threshold)."""
    reaches = ("m.keep = 2" + (" OR m.keep = 1" if placed_reaches else "")
               + (" OR m.keep = 0" if window_only_reaches else ""))
    levels = ", ".join(f"l_{f}" for f in FIELDS)
    key = "identifier_type, identifier, eday"
    return (
        "WITH used AS (SELECT identifier_type, identifier FROM cw_truth GROUP BY 1, 2 "  # noqa: S608  (fixed names and integers only)
        f"HAVING count(DISTINCT eday) >= {int(min_days)}), "
        "pop AS (SELECT DISTINCT t.identifier_type, t.identifier, t.eday FROM cw_truth t "
        "JOIN used u ON u.identifier_type = t.identifier_type AND u.identifier = t.identifier), "
        f"v AS (SELECT {key}, prison_number, {KEEP_TONIGHT} AS keep, "
        f"count(*) OVER (PARTITION BY {key}, "
        f"{levels}) AS same FROM cw_f_vec), "
        f"mine AS (SELECT v.identifier_type, v.identifier, v.eday, min(v.same) AS same, "
        "max(v.keep) AS keep FROM v "
        "JOIN cw_truth t ON t.identifier_type = v.identifier_type "
        "AND t.identifier = v.identifier AND t.eday = v.eday "
        "AND t.prison_number = v.prison_number GROUP BY 1, 2, 3), "
        f"seen AS (SELECT DISTINCT {key} FROM cw_f_active) "
        "SELECT p.identifier_type, count(*) AS population, "
        "sum(CASE WHEN s.identifier IS NOT NULL THEN 1 ELSE 0 END) AS with_evidence, "
        "sum(CASE WHEN m.identifier IS NOT NULL THEN 1 ELSE 0 END) AS user_is_candidate, "
        "sum(CASE WHEN m.same = 1 THEN 1 ELSE 0 END) AS user_stands_alone, "
        f"sum(CASE WHEN m.same = 1 AND ({reaches}) THEN 1 ELSE 0 END) AS can_be_confident "
        "FROM pop p "
        "LEFT JOIN seen s ON s.identifier_type = p.identifier_type "
        "AND s.identifier = p.identifier AND s.eday = p.eday "
        "LEFT JOIN mine m ON m.identifier_type = p.identifier_type "
        "AND m.identifier = p.identifier AND m.eday = p.eday "
        "GROUP BY p.identifier_type ORDER BY p.identifier_type"
    )


def evidence_ceiling(engine: AnalyticEngine, truth_dir: Path) -> dict[str, Any]:
    """The ceiling per identifier type, over an engine holding a run's feature tables.

    ``recall_ceiling`` bounds recall above 0.5; ``confident_ceiling`` bounds it at
    p >= 0.9 given the handover rate learned from the same tables: when 1 - handover is
    below 0.9, a night resting on its window alone cannot reach 0.9 under any weights.
    """
    from cellwatch.attribution.pipeline import learn_handover

    unplaced, placed = learn_handover(engine)
    engine.register("cw_truth", truth_usage(truth_dir))
    out: dict[str, Any] = {"min_use_days": MIN_USE_DAYS, "handover": round(unplaced, 4),
                           "handover_placed": round(placed, 4)}
    sql = ceiling_sql(window_only_reaches=1.0 - unplaced >= CONFIDENT,
                      placed_reaches=1.0 - placed >= CONFIDENT)
    for row in engine.run(sql).to_pylist():
        n = int(row["population"])
        counts = {k: int(row[k]) for k in ("with_evidence", "user_is_candidate",
                                           "user_stands_alone", "can_be_confident")}
        out[str(row["identifier_type"])] = {
            "population": n, **counts,
            "recall_ceiling": round(counts["user_stands_alone"] / n, 4) if n else None,
            "confident_ceiling": round(counts["can_be_confident"] / n, 4) if n else None}
    return out
