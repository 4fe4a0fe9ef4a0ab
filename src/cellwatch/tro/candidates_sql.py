"""SQL-producing functions for TRO candidates (pure: text in, text out; run by the engine).

The pipeline reads the lake's ``detections`` and ``call_records`` views and reference
tables registered from the store under ``tro_ref_*`` names (see
:mod:`cellwatch.tro.reference`). Policy values travel as named parameters; only
fixed, whitelisted fragments (column lists, the dialect's local-day expression) are
interpolated, hence the ``noqa: S608`` markers.
"""

from __future__ import annotations

from cellwatch.lake.analytic_engine import Dialect

EARTH_RADIUS_M = 6_371_000

# An event is dropped when any identifier on it is allow-listed on that day: a staff
# phone's SIM is the staff member's too, and PRIVILEGED ones are never analysed at all.
_ALLOWED = """EXISTS (SELECT 1 FROM tro_ref_allow a
    WHERE a.identifier IN ({ids})
      AND (a.valid_from IS NULL OR a.valid_from <= CAST({ts} AS DATE))
      AND (a.valid_to IS NULL OR a.valid_to >= CAST({ts} AS DATE)))"""


def _allowed(ids: str, ts: str) -> str:
    return _ALLOWED.format(ids=ids, ts=ts)


def haversine_m(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """Great-circle distance in metres between two points given as SQL expressions."""
    return (
        f"2 * {EARTH_RADIUS_M} * asin(sqrt("
        f"pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2)))"
    )


def evidence_rows_sql() -> str:
    """One row per piece of evidence: (type, identifier, establishment, ts, source, companions).

    Parameters: ``$kinds`` (sensor kinds), ``$excluded`` (location types not inside),
    ``$radius`` (metres), ``$lookback`` (days before the newest event).
    """
    near = haversine_m("e.latitude", "e.longitude", "c.cell_lat", "c.cell_lon")
    # Interpolated: only the fixed fragments above; every value is a $parameter.
    return f"""
horizon AS (
    SELECT max(t) - CAST($lookback AS INTEGER) * INTERVAL 1 DAY AS since FROM (
        SELECT max(ts) AS t FROM detections
        UNION ALL SELECT max(start_ts) FROM call_records
        UNION ALL SELECT max(ts) FROM tro_ref_seizures)
),
det AS (
    SELECT s.establishment, d.ts, d.imsi, d.imei,
           coalesce(d.location_code, s.location_code) AS location_code
    FROM detections d JOIN tro_ref_sensors s ON s.sensor_id = d.sensor_id
    WHERE array_contains($kinds, s.kind)
      AND NOT array_contains($excluded, coalesce(s.location_type, ''))
      AND d.ts >= (SELECT since FROM horizon)
      AND (d.imsi IS NOT NULL OR d.imei IS NOT NULL)
      AND NOT {_allowed("d.imsi, d.imei", "d.ts")}
),
call_src AS (
    SELECT c.start_ts, c.cell_id, c.cell_lat, c.cell_lon,
           c.subject_imsi, c.subject_imei, c.subject_msisdn
    FROM call_records c
    WHERE c.start_ts >= (SELECT since FROM horizon)
      AND NOT {_allowed("c.subject_imsi, c.subject_imei, c.subject_msisdn", "c.start_ts")}
      -- a call with a privileged party (solicitor, Samaritans, PPO) is never analysed
      AND NOT EXISTS (SELECT 1 FROM tro_ref_allow p
                      WHERE p.reason = 'PRIVILEGED' AND p.identifier = c.other_party)
),
cell_pairs AS (SELECT DISTINCT establishment, cell_id FROM tro_ref_cells),
-- A call belongs to an establishment whose cell list names its cell OR whose site is
-- within the radius of the cell's position. Spark refuses that test as one ON clause
-- (an EXISTS over both join inputs), so it is two joins: the cell-id matches, plus
-- the distance matches that are not already cell-id matches (an anti-join), which
-- keeps exactly one row per (call, establishment) pair, as the single join did.
calls AS (
    SELECT e.code AS establishment, c.start_ts AS ts,
           c.subject_imsi AS imsi, c.subject_imei AS imei, c.subject_msisdn AS msisdn
    FROM call_src c
    JOIN cell_pairs k ON k.cell_id = c.cell_id
    JOIN tro_ref_establishments e ON e.code = k.establishment
    UNION ALL
    SELECT e.code, c.start_ts, c.subject_imsi, c.subject_imei, c.subject_msisdn
    FROM call_src c
    JOIN tro_ref_establishments e
      ON c.cell_lat IS NOT NULL AND e.latitude IS NOT NULL AND {near} <= $radius
    LEFT JOIN cell_pairs k ON k.establishment = e.code AND k.cell_id = c.cell_id
    WHERE k.cell_id IS NULL
),
seiz AS (
    SELECT * FROM tro_ref_seizures z
    WHERE z.ts >= (SELECT since FROM horizon)
      AND NOT {_allowed("z.imsi, z.imei, z.msisdn", "z.ts")}
),
evidence AS (
    SELECT 'IMSI' AS identifier_type, imsi AS identifier, establishment, ts,
           'DETECTION' AS source, imsi, imei, location_code, NULL AS seizure_ref FROM det
    WHERE imsi IS NOT NULL
    UNION ALL SELECT 'IMEI', imei, establishment, ts, 'DETECTION', imsi, imei, location_code, NULL
    FROM det WHERE imei IS NOT NULL
    UNION ALL SELECT 'IMSI', imsi, establishment, ts, 'CALL', imsi, imei, NULL, NULL
    FROM calls WHERE imsi IS NOT NULL
    UNION ALL SELECT 'IMEI', imei, establishment, ts, 'CALL', imsi, imei, NULL, NULL
    FROM calls WHERE imei IS NOT NULL
    UNION ALL SELECT 'MSISDN', msisdn, establishment, ts, 'CALL', imsi, imei, NULL, NULL
    FROM calls WHERE msisdn IS NOT NULL
    UNION ALL SELECT 'IMSI', imsi, establishment, ts, 'SEIZURE', imsi, imei, location_code,
           seizure_ref FROM seiz WHERE imsi IS NOT NULL
    UNION ALL SELECT 'IMEI', imei, establishment, ts, 'SEIZURE', imsi, imei, location_code,
           seizure_ref FROM seiz WHERE imei IS NOT NULL
    UNION ALL SELECT 'MSISDN', msisdn, establishment, ts, 'SEIZURE', imsi, imei, location_code,
           seizure_ref FROM seiz WHERE msisdn IS NOT NULL
)"""  # noqa: S608


def _distinct_list(d: Dialect, column: str, condition: str) -> str:
    """The distinct values of ``column`` where ``condition`` holds, NULL when there are none.

    Over no rows DuckDB's ``list`` gives NULL and Spark's ``collect_set`` an empty array:
    the count makes both NULL (DuckDB's answer, which callers already expect).
    """
    return (f"CASE WHEN count({column}) FILTER (WHERE {condition}) > 0 "
            f"THEN {d.array_agg_distinct(column)} FILTER (WHERE {condition}) END")


def candidates_sql(d: Dialect) -> str:
    """Candidates: evidence aggregated per identifier and establishment, policy applied, scored.

    Further parameters: ``$min_det``, ``$min_calls``, ``$seizure_qualifies``, the
    score weights ``$w_det``, ``$w_call``, ``$w_seiz`` and ``$scale``, and
    ``$establishment`` (NULL for every establishment).
    """
    day = f"CAST({d.to_local('ts')} AS DATE)"
    return f"""
WITH {evidence_rows_sql()},
agg AS (
    SELECT identifier_type, identifier, establishment,
        count(DISTINCT {day}) FILTER (WHERE source = 'DETECTION') AS detection_days,
        count(*) FILTER (WHERE source = 'DETECTION') AS detections,
        count(DISTINCT {day}) FILTER (WHERE source = 'CALL') AS call_days,
        count(DISTINCT seizure_ref) FILTER (WHERE source = 'SEIZURE') AS seizures,
        count(DISTINCT {day}) AS evidence_days,
        min(ts) AS first_seen, max(ts) AS last_seen,
        max_by(imsi, ts) FILTER (WHERE imsi IS NOT NULL) AS home_imsi,
        {_distinct_list(d, "imsi", "imsi IS NOT NULL AND identifier_type <> 'IMSI'")}
            AS linked_imsis,
        {_distinct_list(d, "imei", "imei IS NOT NULL AND identifier_type <> 'IMEI'")}
            AS linked_imeis,
        {_distinct_list(d, "location_code", "location_code IS NOT NULL")} AS locations,
        {_distinct_list(d, "seizure_ref", "seizure_ref IS NOT NULL")} AS seizure_refs
    FROM evidence
    WHERE $establishment IS NULL OR establishment = $establishment
    GROUP BY identifier_type, identifier, establishment
)
SELECT *,
    round(1 - exp(-(detection_days * $w_det + call_days * $w_call + seizures * $w_seiz)
                   / $scale), 3) AS score
FROM agg
WHERE detection_days >= $min_det OR call_days >= $min_calls
   OR ($seizure_qualifies AND seizures > 0)
ORDER BY establishment, score DESC, identifier_type, identifier"""  # noqa: S608
