"""Locating an identifier's transmissions to a cell with the RF detectors that heard them.

Managed-access units read the IMSI and IMEI but only know the wing they cover; RF
detectors on each landing hear the same burst (stamped within two seconds) without
identifiers, with a signal strength that falls with distance. Joining the two places
each identifier's night-time transmissions: every cell in range of the detectors that
heard it is scored by how well a log-distance path-loss model explains their mean
RSSI (a detector that heard it but does not reach the cell counts strongly against).

Pure functions returning SQL text; see :mod:`cellwatch.attribution.features`.
"""

from __future__ import annotations

from cellwatch.attribution.features import EXCLUDED_IDS, evidence_day, is_night
from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect

# Log-distance path loss: RSSI(d) = TX_DBM - 10 n log10(d); typical indoor values
# (n = 2.2), and the per-burst scatter of the mean (dB) used as the residual's scale.
TX_DBM = -38.0
PATH_LOSS_10N = 22.0
RSSI_SIGMA_DB = 4.0
# Log-likelihood charged per burst heard by a detector that cannot reach the cell.
OUT_OF_RANGE = -8.0


def rf_matches_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_rfm: per identifier, night and RF detector, bursts heard and their mean RSSI."""
    day, night = evidence_day(d, "m.ts", p), is_night(d, "m.ts", p)
    return (
        "WITH ma AS (SELECT DISTINCT m.imei, m.imsi, s.establishment, m.ts "  # noqa: S608
        "FROM detections m JOIN cw_sensors s ON s.sensor_id = m.sensor_id "
        "WHERE s.kind = 'MANAGED_ACCESS' AND (m.imei IS NOT NULL OR m.imsi IS NOT NULL) "
        f"AND {night}), "
        f"mk AS (SELECT ma.*, CAST(floor({d.epoch_seconds('ma.ts')}) AS BIGINT) AS sec, k.k "
        f"FROM ma CROSS JOIN ({d.int_series(-2, 3)}) k), "
        "rf AS (SELECT r.ts, r.sensor_id, r.rssi_dbm, s.establishment, "
        f"CAST(floor({d.epoch_seconds('r.ts')}) AS BIGINT) AS sec FROM detections r "
        "JOIN cw_sensors s ON s.sensor_id = r.sensor_id WHERE s.kind = 'RF_DETECTOR' "
        "AND r.rssi_dbm IS NOT NULL), "
        f"j AS (SELECT m.imei, m.imsi, {day.replace('m.ts', 'm.ts')} AS eday, rf.sensor_id, "
        "count(*) AS n, avg(rf.rssi_dbm) AS rssi FROM mk m JOIN rf "
        # Bursts are matched on whole seconds, fanned out over +-2 s: an equality join.
        f"ON rf.establishment = m.establishment AND rf.sec = m.sec + m.k "
        "GROUP BY 1, 2, 3, 4) "
        "SELECT * FROM (SELECT 'IMEI' AS identifier_type, imei AS identifier, eday, sensor_id, "
        "sum(n) AS n, avg(rssi) AS rssi FROM j WHERE imei IS NOT NULL GROUP BY 1, 2, 3, 4 "
        "UNION ALL SELECT 'IMSI', imsi, eday, sensor_id, sum(n), avg(rssi) FROM j "
        "WHERE imsi IS NOT NULL GROUP BY 1, 2, 3, 4) x "
        f"WHERE identifier NOT IN {EXCLUDED_IDS}"
    )


def rf_cells_sql(d: Dialect) -> str:
    """cw_f_rfc: candidate cells per identifier and night with their log-likelihood.

    ``rel`` is the log-likelihood relative to the night's best cell (0 for the best).
    """
    expected = f"({TX_DBM!r} - {PATH_LOSS_10N!r} * log10(greatest(c.dist, 1.0)))"
    fit = f"-h.n * power(h.rssi - {expected}, 2) / {2 * RSSI_SIGMA_DB**2!r}"
    return (
        "WITH cand AS (SELECT DISTINCT h.identifier_type, h.identifier, h.eday, c.cell "  # noqa: S608
        "FROM cw_f_rfm h JOIN cw_f_cov c ON c.sensor_id = h.sensor_id), "
        "fit AS (SELECT k.identifier_type, k.identifier, k.eday, k.cell, "
        f"sum(CASE WHEN c.cell IS NOT NULL THEN {fit} ELSE h.n * {OUT_OF_RANGE!r} END) AS ll "
        "FROM cand k JOIN cw_f_rfm h ON h.identifier_type = k.identifier_type "
        "AND h.identifier = k.identifier AND h.eday = k.eday "
        "LEFT JOIN cw_f_cov c ON c.sensor_id = h.sensor_id AND c.cell = k.cell "
        "GROUP BY 1, 2, 3, 4) "
        "SELECT *, ll - max(ll) OVER (PARTITION BY identifier_type, identifier, eday) AS rel "
        "FROM fit"
    )
