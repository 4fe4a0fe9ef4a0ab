"""The evidence ceiling: how far any weighting of the run's comparison fields could go.

A run scores each candidate by its comparison vector alone, and an identifier-day's
probabilities sum to at most one (but for a man who called his own PIN numbers that
night, who is scored on his own odds: phones are shared). So when the user's vector is
shared by another candidate that day, both get the same probability, at most 0.5, and
no choice of weights, EM's or anyone's, attributes that day with confidence. When the user is no
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
from cellwatch.lake import AnalyticEngine, Dialect

# Identifier types that have comparison vectors (numbers are scored through their SIMs).
VECTOR_TYPES = ("IMEI", "IMSI")


def truth_usage(truth_dir: Path) -> pa.Table:
    """Who used which IMEI or IMSI on which day, from a simulator's ``device_usage.csv``."""
    table = pacsv.read_csv(truth_file(truth_dir), convert_options=pacsv.ConvertOptions(
        column_types={"date": pa.date32(), "identifier": pa.string()},
        include_columns=["date", "identifier_type", "identifier", "prison_number"]))
    table = table.filter(pc.is_in(table["identifier_type"], pa.array(VECTOR_TYPES)))
    return table.rename_columns(["eday", "identifier_type", "identifier", "prison_number"])


def ceiling_sql(d: Dialect, min_days: int = MIN_USE_DAYS, confident: float = CONFIDENT) -> str:
    """Per identifier type: the population's device-days, those with any evidence, those
    whose user was a candidate, those on which his comparison vector stood alone, and of
    those the ones whose evidence *can* be confident.

    A candidate's probability is a function of what the run knows of that identifier-day:
    his comparison vector, what the night itself held for him
    (:data:`~cellwatch.attribution.scoring.KEEP_TONIGHT`), and the vectors of the others
    he competes with. Rows alike in all three get the same probability, so a calibrated
    model can be confident on them only if the user is the man on at least ``confident``
    of them: his evidence *can* be confident when his row's group is that pure. (Grouping
    by his own vector alone, as until session 11, was no bound: the model also weighs his
    rivals, and on world 2406 seed 97 it reached 4.8 times that "ceiling".)
    """
    levels = ", ".join(f"l_{f}" for f in FIELDS)
    night_code = ("concat_ws(':', " + ", ".join(f"CAST(l_{f} AS STRING)" for f in FIELDS)
                  + ", CAST(keep AS STRING))")
    key = "identifier_type, identifier, eday"
    same_pattern = " AND ".join(f"p.l_{f} = l.l_{f}" for f in FIELDS)
    on = ("{a}.identifier_type = {b}.identifier_type AND {a}.identifier = {b}.identifier "
          "AND {a}.eday = {b}.eday")
    return (
        "WITH used AS (SELECT identifier_type, identifier FROM cw_truth GROUP BY 1, 2 "  # noqa: S608  (fixed names and integers only)
        f"HAVING count(DISTINCT eday) >= {int(min_days)}), "
        "pop AS (SELECT DISTINCT t.identifier_type, t.identifier, t.eday FROM cw_truth t "
        "JOIN used u ON u.identifier_type = t.identifier_type AND u.identifier = t.identifier), "
        f"v0 AS (SELECT {key}, prison_number, {levels}, {KEEP_TONIGHT} AS keep, "
        f"count(*) OVER (PARTITION BY {key}, {levels}) AS same FROM cw_f_vec), "
        # What the night holds for everyone: each candidate's vector and night, sorted.
        f"ctx AS (SELECT {key}, {d.sorted_join(night_code, ';')} AS night_set "
        f"FROM v0 GROUP BY {key}), "
        f"v AS (SELECT v0.*, ctx.night_set FROM v0 JOIN ctx ON {on.format(a='ctx', b='v0')}), "
        f"days AS (SELECT DISTINCT {key} FROM cw_truth), "
        "users AS (SELECT DISTINCT identifier_type, identifier, eday, prison_number "
        "FROM cw_truth), "
        # Each candidate on a used day, marked when he was a user that day.
        "lab AS (SELECT v.*, CASE WHEN u.prison_number IS NOT NULL THEN 1.0 ELSE 0.0 END "
        f"AS is_user FROM v JOIN days d ON {on.format(a='d', b='v')} "
        f"LEFT JOIN users u ON {on.format(a='u', b='v')} AND u.prison_number = v.prison_number), "
        f"pat AS (SELECT {levels}, keep, night_set, avg(is_user) AS purity FROM lab "
        f"GROUP BY {levels}, keep, night_set), "
        # A man who called his own PIN numbers that night is scored on his own odds, not
        # a share of the night's: a tie does not bound him.
        "mine AS (SELECT l.identifier_type, l.identifier, l.eday, "
        "min(CASE WHEN l.keep = 2 THEN 1 ELSE l.same END) AS same, "
        f"max(CASE WHEN (l.same = 1 OR l.keep = 2) AND p.purity >= {float(confident)!r} "
        "THEN 1 ELSE 0 END) "
        f"AS pure FROM lab l JOIN pat p ON {same_pattern} "
        "AND p.keep = l.keep AND p.night_set = l.night_set WHERE l.is_user = 1 "
        "GROUP BY 1, 2, 3), "
        f"seen AS (SELECT DISTINCT {key} FROM cw_f_active) "
        "SELECT p.identifier_type, count(*) AS population, "
        "sum(CASE WHEN s.identifier IS NOT NULL THEN 1 ELSE 0 END) AS with_evidence, "
        "sum(CASE WHEN m.identifier IS NOT NULL THEN 1 ELSE 0 END) AS user_is_candidate, "
        "sum(CASE WHEN m.same = 1 THEN 1 ELSE 0 END) AS user_stands_alone, "
        "sum(CASE WHEN m.pure = 1 THEN 1 ELSE 0 END) AS can_be_confident "
        "FROM pop p "
        "LEFT JOIN seen s ON s.identifier_type = p.identifier_type "
        "AND s.identifier = p.identifier AND s.eday = p.eday "
        "LEFT JOIN mine m ON m.identifier_type = p.identifier_type "
        "AND m.identifier = p.identifier AND m.eday = p.eday "
        "GROUP BY p.identifier_type ORDER BY p.identifier_type"
    )


def evidence_ceiling(engine: AnalyticEngine, truth_dir: Path) -> dict[str, Any]:
    """The ceiling per identifier type, over an engine holding a run's feature tables.

    ``recall_ceiling`` bounds recall above 0.5 for any weights; ``confident_ceiling``
    bounds recall at p >= 0.9 for a calibrated model scoring a candidate by his vector
    and what the night itself held (:func:`ceiling_sql`). The handover rates the run
    learns from the same tables are reported beside them.
    """
    from cellwatch.attribution.pipeline import learn_handover

    unplaced, placed = learn_handover(engine)
    engine.register("cw_truth", truth_usage(truth_dir))
    out: dict[str, Any] = {"min_use_days": MIN_USE_DAYS, "handover": round(unplaced, 4),
                           "handover_placed": round(placed, 4)}
    for row in engine.run(ceiling_sql(engine.dialect)).to_pylist():
        n = int(row["population"])
        counts = {k: int(row[k]) for k in ("with_evidence", "user_is_candidate",
                                           "user_stands_alone", "can_be_confident")}
        out[str(row["identifier_type"])] = {
            "population": n, **counts,
            "recall_ceiling": round(counts["user_stands_alone"] / n, 4) if n else None,
            "confident_ceiling": round(counts["can_be_confident"] / n, 4) if n else None}
    return out
