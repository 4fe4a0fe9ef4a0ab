"""SQL-producing functions for the reappearance scan (pure; run by the analytic engine).

Reads the lake's views and registered tables: ``tro_ref_disconnected`` (one row per
actioned line) and ``tro_ref_attributions`` (identifier -> prisoner, may be empty).
"""

from __future__ import annotations

_SIGHTINGS = """
seen AS (
    SELECT ts, imsi, imei, CAST(NULL AS VARCHAR) AS msisdn FROM detections
    UNION ALL
    SELECT start_ts, subject_imsi, subject_imei, subject_msisdn FROM call_records
),
ids AS (
    SELECT 'IMSI' AS id_type, imsi AS id, ts FROM seen WHERE imsi IS NOT NULL
    UNION ALL SELECT 'IMEI', imei, ts FROM seen WHERE imei IS NOT NULL
    UNION ALL SELECT 'MSISDN', msisdn, ts FROM seen WHERE msisdn IS NOT NULL
)"""


def reappearances_sql() -> str:
    """Every reappearance after disconnection, one row per (rule, line, subject, new id).

    Rules: the identifier itself seen again; a handset the disconnected SIM was used in
    now with another SIM (a handset block is due); a new identifier attributed to the
    same prisoner first seen after the old one went quiet (a replacement).
    """
    # Interpolated: only the fixed sightings CTE; there are no values in this query.
    return f"""
WITH {_SIGHTINGS},
dis AS (SELECT * FROM tro_ref_disconnected),
reappeared AS (
    SELECT 'DISCONNECTED_IDENTIFIER_REAPPEARED' AS rule, d.line_id, d.identifier AS subject,
           CAST(NULL AS VARCHAR) AS new_identifier, CAST(NULL AS VARCHAR) AS prison_number,
           min(i.ts) AS first_ts, count(*) AS sightings
    FROM dis d JOIN ids i ON i.id_type = d.identifier_type AND i.id = d.identifier
                         AND i.ts > d.actioned_ts
    GROUP BY d.line_id, d.identifier
),
handsets_before AS (
    SELECT DISTINCT d.line_id, d.actioned_ts, s.imei, s.imsi AS old_imsi
    FROM dis d JOIN seen s ON s.ts <= d.actioned_ts AND s.imei IS NOT NULL
        AND ((d.identifier_type = 'IMSI' AND s.imsi = d.identifier)
          OR (d.identifier_type = 'MSISDN' AND s.msisdn = d.identifier))
),
new_sim AS (
    SELECT 'TRO_HANDSET_NEW_SIM' AS rule, b.line_id, b.imei AS subject, s.imsi AS new_identifier,
           CAST(NULL AS VARCHAR) AS prison_number, min(s.ts) AS first_ts, count(*) AS sightings
    FROM handsets_before b JOIN seen s ON s.imei = b.imei AND s.ts > b.actioned_ts
        AND s.imsi IS NOT NULL
    WHERE NOT EXISTS (SELECT 1 FROM handsets_before o
                      WHERE o.line_id = b.line_id AND o.old_imsi = s.imsi)
      -- a handset already blocked by its own line is reported by the first rule
      AND NOT EXISTS (SELECT 1 FROM dis x WHERE x.identifier_type = 'IMEI'
                      AND x.identifier = b.imei)
    GROUP BY b.line_id, b.imei, s.imsi
),
firsts AS (SELECT id_type, id, min(ts) AS first_ts, count(*) AS n FROM ids GROUP BY id_type, id),
replacement AS (
    SELECT 'TRO_REPLACEMENT_DEVICE' AS rule, d.line_id, d.identifier AS subject,
           a_new.identifier AS new_identifier, a_old.prison_number,
           f.first_ts, f.n AS sightings
    FROM dis d
    JOIN tro_ref_attributions a_old ON a_old.identifier = d.identifier
    JOIN tro_ref_attributions a_new ON a_new.prison_number = a_old.prison_number
        AND a_new.identifier_type = d.identifier_type AND a_new.identifier <> d.identifier
    JOIN firsts f ON f.id_type = a_new.identifier_type AND f.id = a_new.identifier
    WHERE f.first_ts > coalesce(d.last_seen, d.actioned_ts)
      AND NOT EXISTS (SELECT 1 FROM dis x WHERE x.identifier = a_new.identifier)
)
SELECT * FROM reappeared
UNION ALL SELECT * FROM new_sim
UNION ALL SELECT * FROM replacement
ORDER BY line_id, rule, subject, new_identifier"""  # noqa: S608
