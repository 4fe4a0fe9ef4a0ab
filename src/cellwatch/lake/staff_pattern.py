"""The staff, visitor and contractor pattern of an identifier: SQL over the lake.

A pure function of the :class:`~cellwatch.lake.analytic_engine.Dialect` returning one SQL text
(DuckDB now, the same text on Spark), run by :mod:`cellwatch.guard.detect` through the
engine interface. It reads the lake's ``detections`` and three small tables the caller
registers from the store:

* ``guard_ref_sensors`` (sensor_id, establishment, kind, location_code),
* ``guard_ref_locations`` (code, type),
* ``guard_ref_allow_list`` (identifier, reason, valid_from, valid_to).

Per identifier (IMEI or IMSI read by an identifier-reading sensor) and establishment it
gives the features of the pattern (days seen, share of detections in working hours,
share of days on weekdays, zones, share in the gate, visits and reception areas, nights
seen in residential areas) and a verdict: ``HOLD`` (the pattern, never a night in the
cells: held out of disconnection candidates and attribution), ``NIGHT_USE`` (the pattern,
or an allow-listed phone, seen at night in the cells: surfaced, flagged) or none.
Thresholds travel as named parameters (:class:`cellwatch.guard.params.GuardParams`).
"""

from __future__ import annotations

from cellwatch.lake.analytic_engine import Dialect


def _in_hours(hour: str, start: str, end: str) -> str:
    """``hour`` within [start, end) on a 24-hour clock that may wrap past midnight."""
    return (f"(CASE WHEN {start} <= {end} THEN {hour} >= {start} AND {hour} < {end} "
            f"ELSE {hour} >= {start} OR {hour} < {end} END)")


def staff_pattern_sql(d: Dialect) -> str:
    """One row per identifier and establishment that looks like staff, a visitor or a
    contractor, or like a staff phone used at night in the cells.

    Parameters: ``$kinds`` (sensor kinds that read identifiers), ``$lookback`` (days
    before the newest detection), ``$min_days``, ``$work_start``, ``$work_end``,
    ``$night_start``, ``$night_end`` (local hours), ``$min_work_share``,
    ``$min_weekday_share``, ``$min_zones``, ``$min_access_share``, ``$min_settled_days``,
    ``$access_types``,
    ``$residential_types`` (location types).
    """
    local = d.to_local("d.ts")
    hour = "hour(lt)"
    work = _in_hours(hour, "$work_start", "$work_end")
    night = _in_hours(hour, "$night_start", "$night_end")
    # Monday to Friday: two days on from a weekday stays in the same (Monday-based)
    # week on both engines, from a Saturday or Sunday it does not.
    weekday = f"({d.trunc('week', 'lt + INTERVAL 2 DAY')} = {d.trunc('week', 'lt')})"
    # Shares are DOUBLE on both engines (Spark would make 1.0 a DECIMAL).
    # The night a small-hours detection belongs to: a night is named by its evening.
    night_of = "CAST(lt - INTERVAL 12 HOURS AS DATE)"
    return f"""
WITH horizon AS (
    SELECT max(ts) - CAST($lookback AS INTEGER) * INTERVAL 1 DAY AS since FROM detections
),
det AS (
    SELECT s.establishment, d.imei, d.imsi, {local} AS lt,
           coalesce(d.location_code, s.location_code) AS zone,
           coalesce(lv.type, ls.type) AS zone_type
    FROM detections d
    JOIN guard_ref_sensors s ON s.sensor_id = d.sensor_id
    LEFT JOIN guard_ref_locations lv ON lv.code = d.location_code
    LEFT JOIN guard_ref_locations ls ON ls.code = s.location_code
    WHERE array_contains($kinds, s.kind)
      AND d.ts >= (SELECT since FROM horizon)
      AND (d.imei IS NOT NULL OR d.imsi IS NOT NULL)
),
ids AS (
    SELECT 'IMEI' AS identifier_type, imei AS identifier, imsi AS other, establishment, lt,
           zone, zone_type
    FROM det WHERE imei IS NOT NULL
    UNION ALL
    SELECT 'IMSI', imsi, imei, establishment, lt, zone, zone_type FROM det
    WHERE imsi IS NOT NULL
),
f AS (
    SELECT identifier_type, identifier, establishment,
        count(*) AS detections,
        count(DISTINCT CAST(lt AS DATE)) AS days,
        avg(CAST(CASE WHEN {work} THEN 1 ELSE 0 END AS DOUBLE)) AS work_share,
        count(DISTINCT CASE WHEN {weekday} THEN CAST(lt AS DATE) END)
            / CAST(count(DISTINCT CAST(lt AS DATE)) AS DOUBLE) AS weekday_share,
        count(DISTINCT zone) AS zones,
        avg(CAST(CASE WHEN array_contains($access_types, coalesce(zone_type, ''))
                      THEN 1 ELSE 0 END AS DOUBLE)) AS access_share,
        count(DISTINCT CASE WHEN {night}
                             AND array_contains($residential_types, coalesce(zone_type, ''))
                            THEN {night_of} END) AS cell_nights,
        min(lt) AS first_local, max(lt) AS last_local,
        CASE WHEN count(other) > 0 THEN {d.array_agg_distinct('other')}
             FILTER (WHERE other IS NOT NULL) END AS linked
    FROM ids
    GROUP BY identifier_type, identifier, establishment
),
-- On the allow list when last seen (an entry that has lapsed no longer covers the phone:
-- the candidates read it by day, so the guard must see the phone as unlisted too).
allowed AS (
    SELECT DISTINCT f.identifier_type, f.identifier, f.establishment
    FROM f JOIN guard_ref_allow_list a ON a.identifier = f.identifier
    WHERE a.reason <> 'PRIVILEGED'
      AND (a.valid_from IS NULL OR a.valid_from <= CAST(f.last_local AS DATE))
      AND (a.valid_to IS NULL OR a.valid_to >= CAST(f.last_local AS DATE))
),
judged AS (
    SELECT f.*, a.identifier IS NOT NULL AS allow_listed,
        (f.days >= $min_days AND f.work_share >= $min_work_share
         AND ((f.zones >= $min_zones AND f.weekday_share >= $min_weekday_share)
              OR f.access_share >= $min_access_share
              -- One post, but only ever in working hours over many weekdays.
              OR (f.days >= $min_settled_days AND f.work_share >= 1.0
                  AND f.weekday_share >= $min_weekday_share))) AS pattern
    FROM f LEFT JOIN allowed a ON a.identifier_type = f.identifier_type
        AND a.identifier = f.identifier AND a.establishment = f.establishment
)
SELECT identifier_type, identifier, establishment, detections, days,
    round(work_share, 3) AS work_share, round(weekday_share, 3) AS weekday_share,
    zones, round(access_share, 3) AS access_share, cell_nights, allow_listed,
    first_local, last_local, linked,
    CASE WHEN cell_nights > 0 THEN 'NIGHT_USE' ELSE 'HOLD' END AS verdict
FROM judged
WHERE (pattern AND NOT allow_listed) OR (allow_listed AND cell_nights > 0)
ORDER BY establishment, identifier_type, identifier"""  # noqa: S608
