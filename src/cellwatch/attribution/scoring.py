"""Scoring: estimated weights turned into per-day probabilities, then into intervals.

For one identifier on one day the candidates' Bayes factors are combined as
``P(i) = odds_i / (1 + sum_j odds_j)``, with ``odds_i = prior/(1-prior) * 2**bits_i``:
at most one candidate is the user and the remainder is "none of them", so each day's
probabilities sum to less than one. Two things learned from the data adjust that
(issue 14): a candidate who called his own PIN numbers from the phone that night used
it that night whoever else did (phones are rented and shared), so he keeps his own
odds, ``odds_i / (1 + odds_i)``, outside the competition; and a night with no call of
the candidate's own keeps only ``1 - handover`` of his share (``1 - handover_placed``
when the phone was placed in his cell that night), the learned rate at which phones
are in other hands for a night. Where phones are shared, the night is two men's as often
as a second man's own calls show it (``Estimate.shared``, :func:`share_sql`): the share
mixes one user a night with each man's own odds. An analyst's confirmation takes the
whole day.
"""

from __future__ import annotations

from datetime import date

from cellwatch.attribution import calibration, cellmates
from cellwatch.attribution.calibration import CLASS_SQL, Calibration
from cellwatch.attribution.em import Estimate
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.window import FIELDS
from cellwatch.lake import Dialect
from cellwatch.lake.analytic_engine import check_name

# Bits are clipped so 2**bits stays finite on every engine.
MAX_BITS = 60.0
PARTITION = "PARTITION BY identifier_type, identifier, eday"
CONFIRMED = (
    "(SELECT DISTINCT subject_type, subject, object FROM cw_judgements "
    "WHERE target = 'ATTRIBUTION' AND verdict = 'CONFIRMED' AND undone_at IS NULL)"
)


# 2: he called his own PIN numbers that night; 1: the phone was placed in his cell that
# night (a cellmate may have had it); 0: his window alone.
KEEP_TONIGHT = ("CASE WHEN pin_today > 0 AND pin_today_shared = 0 THEN 2 "
                "WHEN placed_tonight = 1 THEN 1 ELSE 0 END")


def weight_case(est: Estimate, name: str) -> str:
    """A CASE expression giving a field's weight in bits from its level column."""
    arms = " ".join(f"WHEN l_{name} = {int(level)} THEN {float(w)!r}"
                    for level, w in est.weights()[name].items())
    return f"CASE {arms} ELSE 0.0 END"


def share_sql(shared: float) -> str:
    """A candidate's probability of use on a night his own calls do not settle.

    With ``shared`` 0, his share of one user a night, ``odds_i / (1 + sum_j odds_j)``.
    Otherwise the night is shared with probability ``shared`` (the learned rate at which
    a second man's own calls show him on a phone someone used that night), and then each
    man's chance is his own odds, ``odds_i / (1 + odds_i)``, as if alone on it.
    """
    exclusive = "odds / (1.0 + t.day_odds)"
    if shared <= 0.0:
        return exclusive
    return f"({1.0 - shared!r} * {exclusive} + {shared!r} * odds / (1.0 + odds))"


def score_sql(d: Dialect, est: Estimate, p: RunParams, cal: Calibration | None = None) -> str:
    """cw_f_score: top candidates per identifier-day with weights and probabilities.

    Probabilities and ranks are worked out on narrow rows (keys, bits, odds); only the
    top ``top_k`` per identifier-day are joined back to their comparison vectors for the
    weights and counts an explanation needs. Window sorts carry whole rows, and the
    vectors are wide. The night's evidence class (:mod:`cellwatch.attribution.calibration`)
    then maps each probability through the shipped calibration map (unless
    ``p.calibrate`` is off); ``raw_p`` keeps the probability before it.
    """
    cal = cal or calibration.load()
    mapped = calibration.calibrated_sql(cal, "cls", "raw_p") if p.calibrate else "raw_p"
    weights = ", ".join(f"{weight_case(est, f)} AS w_{f}" for f in FIELDS)
    total = " + ".join(weight_case(est, f) for f in FIELDS)
    odds = est.prior / (1.0 - est.prior)
    key = "identifier_type, identifier, eday"
    share = share_sql(float(est.shared))
    # Cellmates tied on one placement (RunParams.cellmate_share, attribution.cellmates):
    # a tied man's share is lifted by the learned rate at which cellmates both use the
    # phone, and the lifted night is calibrated as its own class. Off, or no rate
    # learned (no night showed cellmates sharing): round 11's scores exactly.
    ties, tie_join, cls = "", "", "o.night"
    if p.cellmate_share and est.cellmates > 0.0:
        share = f"least(1.0, {share} + {cellmates.lift_sql(float(est.cellmates))})"
        ties, tie_join = f"pt AS ({cellmates.ties_sql()}), ", f" {cellmates.TIES_JOIN}"
        cls = cellmates.TIED_CLASS_SQL
    return (
        f"WITH b AS (SELECT {key}, prison_number, placed_tonight, {KEEP_TONIGHT} AS keep, "  # noqa: S608
        f"{CLASS_SQL} AS night, "
        f"greatest(least({total}, {MAX_BITS}), -{MAX_BITS}) AS bits FROM cw_f_vec), "
        f"o AS (SELECT b.*, {odds!r} * pow(2.0, bits) AS odds, "
        "CASE WHEN c.subject IS NOT NULL THEN 1 ELSE 0 END AS confirmed FROM b "
        f"LEFT JOIN {CONFIRMED} c ON c.subject_type = b.identifier_type "
        "AND c.subject = b.identifier AND c.object = b.prison_number), "
        # Per identifier-day totals by hash aggregate and join: a window partitioned by
        # identifier-day sorts every pair.
        f"t AS (SELECT {key}, max(confirmed) AS day_confirmed, sum(odds) AS day_odds "
        f"FROM o GROUP BY 1, 2, 3), {ties}"
        # A night with no call of his own rests on his window (and at best on the phone
        # placed in his cell): the phone may be in another's hands that night.
        # A man who called his own PIN numbers from the phone that night used it that
        # night, whoever else did: phones are rented and shared, so his probability is
        # his own odds, not a share of the night's (the others' still compete).
        f"f AS (SELECT o.*, t.day_confirmed, {cls} AS cls, {share} AS model_p, "
        "CASE WHEN t.day_confirmed = 1 THEN CAST(o.confirmed AS DOUBLE) "
        "WHEN o.keep = 2 THEN odds / (1.0 + odds) "
        f"ELSE {share} * CASE o.keep "
        f"WHEN 1 THEN {1.0 - float(est.handover_placed)!r} "
        f"ELSE {1.0 - float(est.handover)!r} END END AS raw_p "
        "FROM o JOIN t ON t.identifier_type = o.identifier_type "
        f"AND t.identifier = o.identifier AND t.eday = o.eday{tie_join}), "
        # An analyst's confirmation is not the model's to calibrate.
        f"c AS (SELECT f.*, CASE WHEN day_confirmed = 1 THEN raw_p ELSE {mapped} END "
        "AS probability FROM f), "
        "r AS (SELECT c.*, CASE WHEN confirmed = 1 THEN 'CONFIRMED' ELSE 'PROPOSED' END "
        f"AS status, row_number() OVER ({PARTITION} ORDER BY probability DESC, prison_number) "
        f"AS rank FROM c WHERE probability >= {float(p.min_probability)!r}) "
        f"SELECT v.*, {weights}, r.bits, r.odds, r.confirmed, r.model_p, r.raw_p, "
        "r.cls AS night, r.probability, "
        "r.status, r.rank FROM r JOIN cw_f_vec v ON v.identifier_type = r.identifier_type "
        "AND v.identifier = r.identifier AND v.eday = r.eday "
        f"AND v.prison_number = r.prison_number WHERE r.rank <= {int(p.top_k)}"
    )


def numbers_sql(d: Dialect, scores: str = "cw_f_score") -> str:
    """cw_f_num: numbers (MSISDN) attributed through the SIMs they are on.

    ``scores`` holds the SIMs' per-day attributions: the run's own (``cw_f_score``), or
    for an incremental run every day's, carried and new (``cw_f_state``).

    A number on two SIMs over the period (a replacement SIM) takes the stronger of
    the two each day; a rejected number attribution is dropped. A number's probability
    for a man is his SIM's, as is: men who each called their own PIN numbers on it that
    night both used it (they were divided by their total before, which put two such
    men at 0.5 each, right every time).
    """
    return (
        "WITH x AS (SELECT 'MSISDN' AS identifier_type, l.b AS identifier, s.eday, "  # noqa: S608
        "s.prison_number, max(s.probability) AS probability, max(s.status) AS status "
        f"FROM {check_name(scores)} s JOIN cw_links l ON l.a_type = 'IMSI' "
        "AND l.a = s.identifier "
        "AND l.b_type = 'MSISDN' AND l.status IN ('ACTIVE', 'CONFIRMED', 'UNSURE') "
        "WHERE s.identifier_type = 'IMSI' GROUP BY 1, 2, 3, 4), "
        "t AS (SELECT x.* FROM x) "
        "SELECT identifier_type, identifier, eday, prison_number, probability, "
        f"status, row_number() OVER ({PARTITION} ORDER BY probability DESC, prison_number) "
        "AS rank FROM t WHERE NOT EXISTS (SELECT 1 FROM cw_judgements j "
        "WHERE j.target = 'ATTRIBUTION' AND j.verdict = 'REJECTED' AND j.undone_at IS NULL "
        "AND j.subject = t.identifier AND j.object = t.prison_number)"
    )


DAILY_COLUMNS = "identifier_type, identifier, eday, prison_number, probability, rank, status"


def daily_sql(d: Dialect, scores: str = "cw_f_score") -> str:
    """cw_f_daily: every identifier type's per-day attributions in one shape."""
    return (
        f"SELECT {DAILY_COLUMNS} FROM {check_name(scores)} "  # noqa: S608
        f"UNION ALL SELECT {DAILY_COLUMNS} FROM cw_f_num"
    )


def intervals_sql(d: Dialect, step: float = 0.05) -> str:
    """Consecutive days of one identifier, prisoner, status and probability band as one row.

    Bands of ``step`` keep the export compact while every day's probability stays within
    half a band of the interval's mean.
    """
    band = f"CAST(floor(probability / {float(step)!r}) AS INTEGER)"
    return (
        f"WITH b AS (SELECT *, {band} AS band FROM cw_f_daily), "  # noqa: S608
        "g AS (SELECT b.*, eday - CAST(row_number() OVER (PARTITION BY identifier_type, "
        "identifier, prison_number, status, band ORDER BY eday) AS INTEGER) AS island FROM b) "
        "SELECT identifier_type, identifier, prison_number, status, avg(probability) AS "
        "probability, min(rank) AS rank, min(eday) AS valid_from, max(eday) AS valid_to, "
        "count(*) AS days FROM g GROUP BY identifier_type, identifier, prison_number, status, "
        "band, island"
    )


# What an evidence item says besides the weights (see :mod:`cellwatch.attribution.explain`).
EVIDENCE_COLUMNS = ("v", "vendor_nights", "z", "ma_nights", "h", "pin_days", "call_days",
                    "pin_shared", "prot_days", "cells", "first_cell", "last_cell", "first_day",
                    "last_day", "eday", "calls_today", "pin_today", "pin_today_shared")


def stored_intervals_sql(d: Dialect, max_rank: int, since: date | None = None) -> str:
    """Each interval with the scored row of its last day, when that day ranks the prisoner
    ``max_rank`` or better (``scored`` is then true): what a run stores, in one pass.

    With ``since``, only the intervals that reach that day or later: what an incremental
    run writes (its earlier intervals are the last run's, carried over).
    """
    # A date's ISO text is digits and dashes only.
    tail = f" WHERE i.valid_to >= DATE '{since.isoformat()}'" if since is not None else ""
    cols = [f"s.{c}" for c in EVIDENCE_COLUMNS]
    cols += [f"s.{prefix}_{f}" for f in FIELDS for prefix in ("w", "l")]
    return (
        f"WITH i AS ({intervals_sql(d)}) "  # noqa: S608  (fixed names and integers only)
        f"SELECT i.*, s.identifier IS NOT NULL AS scored, {', '.join(cols)} FROM i "
        f"LEFT JOIN cw_f_score s ON s.rank <= {int(max_rank)} "
        "AND s.identifier_type = i.identifier_type AND s.identifier = i.identifier "
        f"AND s.prison_number = i.prison_number AND s.eday = i.valid_to{tail}"
    )
