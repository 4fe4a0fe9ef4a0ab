"""The targeting model as SQL: pure functions of the dialect returning SQL text.

Every value comes from the one-row table ``tg_params`` (as_of, window_start, as_of_day,
establishment, half_life_days, night hours, find_rate, night_weight_total) and the
grading grid ``tg_grades``; identifiers are fixed names (hence ``noqa: S608``). Store
tables are read as ``cw_<table>``, the lake's ``detections`` view directly.

For each cell the model estimates P(the cell holds a phone) as a noisy-or of three
signals, each already in [0, 1]:

- attribution: 1 - prod over occupants of (1 - P(occupant holds an attributed phone)),
  where an occupant's P is the noisy-or of their live attributions' probabilities,
  halved every ``half_life_days`` since the attribution was last valid;
- detection: the decay-weighted share of recent nights with a night-time transmission
  located in the cell (plus its landing's share spread over the landing's cells);
- intelligence: noisy-or of graded reports naming an occupant, decayed by age.

Expected finds = find_rate x P. A landing's expected finds are the sum of its cells'.
"""

from __future__ import annotations

from cellwatch.lake.analytic_engine import Dialect

PARAM = "(SELECT {} FROM tg_params)"
# Interval literals both DuckDB and Spark SQL accept.
HALF_DAY = "INTERVAL '12' HOUR"
ONE_DAY = "INTERVAL '1' DAY"


def _p(name: str) -> str:
    return PARAM.format(name)


def _age_days(d: Dialect, ts: str) -> str:
    """Days from ``ts`` (a timestamp) to the ranking's moment."""
    return f"(({d.epoch_seconds(_p('as_of'))} - {d.epoch_seconds(ts)}) / 86400.0)"


def _decay(d: Dialect, ts: str) -> str:
    return f"pow(0.5, greatest(0.0, {_age_days(d, ts)}) / {_p('half_life_days')})"


def _noisy_or(probability: str) -> str:
    # 1 - prod(1 - p) as a sum of logs; p is capped so that ln never sees zero.
    return f"1 - exp(sum(ln(1 - least(0.999, {probability}))))"


def cells_sql() -> str:
    """The cells of the establishment ranked (every establishment when none is given)."""
    return (
        "SELECT l.code, l.establishment, l.parent_code AS landing, "  # noqa: S608
        "count(*) OVER (PARTITION BY l.parent_code) AS landing_cells "
        "FROM cw_locations l WHERE l.type = 'CELL' AND "
        f"({_p('establishment')} IS NULL OR l.establishment = {_p('establishment')})"
    )


def occupants_sql() -> str:
    """Who is in each cell at the ranking's moment."""
    return (
        "SELECT o.location_code AS cell, o.prison_number FROM cw_occupancy o "  # noqa: S608
        "JOIN cells c ON c.code = o.location_code "
        f"WHERE o.start_ts <= {_p('as_of')} "
        f"AND (o.end_ts IS NULL OR o.end_ts > {_p('as_of')})"
    )


def attribution_sql(d: Dialect) -> str:
    """P(holds a phone) per prisoner from the newest run, with analysts' verdicts applied."""
    valid_end = f"CAST(a.valid_to AS TIMESTAMP) + {ONE_DAY}"
    return f"""
SELECT a.prison_number,
  {_noisy_or(f"CASE WHEN v.verdict = 'CONFIRMED' THEN 1.0 ELSE a.probability END "
             f"* {_decay(d, valid_end)}")} AS p_phone
FROM cw_attributions a
LEFT JOIN (
  SELECT subject, object, verdict FROM (
    -- "at" is a keyword in DuckDB (AT TIME ZONE): qualified, it parses on both engines.
    SELECT jj.subject, jj.object, jj.verdict,
      row_number() OVER (PARTITION BY jj.subject, jj.object ORDER BY jj.at DESC, jj.id DESC)
        AS k
    FROM cw_judgements jj WHERE jj.target = 'ATTRIBUTION' AND jj.undone_at IS NULL
      AND jj.verdict IN ('CONFIRMED', 'REJECTED')) AS j WHERE k = 1
) AS v ON v.subject = a.identifier AND v.object = a.prison_number
WHERE a.run_id = (SELECT max(id) FROM cw_attribution_runs WHERE status = 'DONE')
  AND coalesce(v.verdict, a.status) <> 'REJECTED'
  AND a.valid_from < {_p('as_of_day')}
GROUP BY a.prison_number"""  # noqa: S608


def night_share_sql(d: Dialect) -> str:
    """Per located zone (cell or landing), the decay-weighted share of recent active nights."""
    local = d.to_local("ts")
    # A night is named by the evening it began: 02:00 on the 5th belongs to the 4th.
    night = f"CAST({d.to_local(f'ts - {HALF_DAY}')} AS DATE)"
    night_end = f"CAST(night AS TIMESTAMP) + {ONE_DAY}"
    return f"""
SELECT location_code, sum({_decay(d, night_end)})
  / {_p('night_weight_total')} AS share
FROM (
  SELECT DISTINCT location_code, {night} AS night FROM detections
  WHERE ts >= {_p('window_start')} AND ts < {_p('as_of')} AND location_code IS NOT NULL
    AND ({_p('establishment')} IS NULL OR establishment = {_p('establishment')})
    AND (hour({local}) >= {_p('night_start_hour')} OR hour({local}) < {_p('night_end_hour')})
) AS nights
GROUP BY location_code"""  # noqa: S608


def intelligence_sql(d: Dialect) -> str:
    """P from graded intelligence naming a current occupant, per cell."""
    return f"""
SELECT o.cell, {_noisy_or(f"g.weight * {_decay(d, 'r.ts')}")} AS p_intel
FROM cw_intelligence_reports r
JOIN cw_intelligence_subjects s ON s.report_id = r.id
JOIN occupants o ON o.prison_number = s.prison_number
JOIN tg_grades g ON g.source_evaluation = r.source_evaluation
  AND g.intelligence_assessment = r.intelligence_assessment
WHERE r.ts >= {_p('window_start')} AND r.ts < {_p('as_of')}
GROUP BY o.cell"""  # noqa: S608


def cell_scores_sql(d: Dialect) -> str:
    """Every cell with its three signals, P(phone), expected finds and rank in its prison."""
    return f"""
WITH cells AS ({cells_sql()}),
occupants AS ({occupants_sql()}),
prisoner_phone AS ({attribution_sql(d)}),
cell_attr AS (
  SELECT o.cell, {_noisy_or('p.p_phone')} AS p_attr,
    {d.array_agg('o.prison_number')} AS phone_holders
  FROM occupants o JOIN prisoner_phone p ON p.prison_number = o.prison_number
  WHERE p.p_phone > 0 GROUP BY o.cell),
who AS (SELECT cell, count(*) AS occupants FROM occupants GROUP BY cell),
shares AS ({night_share_sql(d)}),
intel AS ({intelligence_sql(d)}),
signals AS (
  SELECT c.code, c.establishment, c.landing, coalesce(w.occupants, 0) AS occupants,
    coalesce(a.p_attr, 0.0) AS attribution,
    1 - (1 - least(1.0, coalesce(sc.share, 0.0)))
      * (1 - least(1.0, coalesce(sl.share, 0.0)) / c.landing_cells) AS detection,
    coalesce(i.p_intel, 0.0) AS intelligence,
    a.phone_holders
  FROM cells c
  LEFT JOIN who w ON w.cell = c.code
  LEFT JOIN cell_attr a ON a.cell = c.code
  LEFT JOIN shares sc ON sc.location_code = c.code
  LEFT JOIN shares sl ON sl.location_code = c.landing
  LEFT JOIN intel i ON i.cell = c.code)
SELECT *, {_p('find_rate')} * p_phone AS expected_finds,
  -- Ranked on P rounded to 1e-9: sums of floats differ in their last bits between
  -- engines (and Spark's partitionings), which must not reorder cells that tie.
  row_number() OVER (PARTITION BY establishment ORDER BY round(p_phone, 9) DESC, code)
    AS rank
FROM (SELECT *, 1 - (1 - attribution) * (1 - detection) * (1 - intelligence) AS p_phone
      FROM signals) AS scored"""  # noqa: S608


def landing_scores_sql() -> str:
    """Landings ranked by the sum of their cells' expected finds (over ``tg_cells``)."""
    return """
SELECT landing AS code, establishment, sum(occupants) AS occupants,
  count(*) AS cells, sum(expected_finds) AS expected_finds,
  max(p_phone) AS max_cell_p_phone,
  row_number() OVER (PARTITION BY establishment
                     ORDER BY round(sum(expected_finds), 9) DESC, landing) AS rank
FROM tg_cells WHERE landing IS NOT NULL GROUP BY landing, establishment"""


# The item types a search of a cell is after (chargers and memory cards are not phones).
FIND_TYPES = "('HANDSET', 'SIM', 'HANDSET_WITH_SIM')"


def hits_sql() -> str:
    """Per establishment: cells, cells with a find in the period, and the top-N's hits.

    Reads ``tg_cells`` (one ranking) and ``tg_eval(period_start, period_end, top)``. A
    random choice of ``top`` of the establishment's ``cells`` would hit, in expectation,
    ``top * find_cells / cells``: that is computed by the caller, exactly.
    """
    return f"""
WITH finds AS (
  SELECT DISTINCT s.location_code AS cell FROM cw_seizure_items s
  WHERE s.item_type IN {FIND_TYPES}
    AND s.ts >= (SELECT period_start FROM tg_eval) AND s.ts < (SELECT period_end FROM tg_eval))
SELECT c.establishment, count(*) AS cells, count(f.cell) AS find_cells,
  sum(CASE WHEN c.rank <= (SELECT top FROM tg_eval) THEN 1 ELSE 0 END) AS chosen,
  sum(CASE WHEN c.rank <= (SELECT top FROM tg_eval) AND f.cell IS NOT NULL THEN 1 ELSE 0 END)
    AS hits,
  sum(CASE WHEN c.rank <= (SELECT top FROM tg_eval) THEN c.expected_finds ELSE 0 END)
    AS expected_finds
FROM tg_cells c LEFT JOIN finds f ON f.cell = c.code
GROUP BY c.establishment ORDER BY c.establishment"""  # noqa: S608
