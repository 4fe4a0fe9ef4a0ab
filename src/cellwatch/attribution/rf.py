"""Locating an identifier's transmissions to a cell with the RF detectors that heard them.

Managed-access (MA) units read the IMSI and IMEI but only know the wing they cover; RF
detectors on each landing hear bursts without identifiers, with a signal strength that
falls with distance. Every MA burst at night is matched to RF detections in the same
establishment stamped within two seconds. Other phones transmit too, so a detector
matches some bursts by chance: each detector's chance rate on the night is measured
from its own traffic, and a cell is scored by how much better "a phone in this cell"
explains which detectors matched how many of the night's bursts, at what signal
strength, than chance does:

    ll(c) = sum over detectors s covering c of
            k ln(q/b) + (n - k) ln((1 - q)/(1 - b)) + RSSI fit of the k matches

with n the identifier's bursts that night, k those detector s matched, b its chance
rate, p its detection probability at the cell's distance and q = p + (1 - p) b. A
detector near the cell that stayed silent counts against it; one that matched only at
its chance rate counts for nothing (the old fixed penalty for "heard by a detector that
cannot reach the cell" let one stray match veto the true cell). A night is placed in
its best cells whatever their score: also requiring them to beat zero ("somewhere no
detector covers") was tried and changed nothing at p >= 0.9 (seed 1, round 5).

Pure functions returning SQL text; see :mod:`cellwatch.attribution.features`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cellwatch.attribution.features import EXCLUDED_IDS, evidence_day, is_night
from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect
from cellwatch.lake.cleaning_sql import absent_sql, quote

# Log-distance path loss: RSSI(d) = TX_DBM - 10 n log10(d); typical indoor values
# (n = 2.2) and the per-burst scatter (dB).
TX_DBM = -38.0
PATH_LOSS_10N = 22.0
RSSI_SIGMA_DB = 4.0
# Chance matches have any RSSI a detector can report: uniform over its ~85 dB span.
RSSI_SPAN_DB = 85.0
# Detection probability at distance d of a detector of range r: P0 (1 - (d/r)^2 / 2),
# the usual fall-off towards the edge of range, P0 the vendor's hit rate at the unit.
DETECT_P0 = 0.8
# Seconds either side of an MA burst in which an RF detection is the same burst.
MATCH_SECONDS = 2
# Cells within this many log-likelihood units of the night's best are all placements.
PLACED_MARGIN = 1.0


def night_bursts_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_man: each identifier's managed-access bursts at night, one row per second.

    The night's traffic is materialised once, here and in :func:`night_rf_sql`, so the
    matching join plans on tables whose sizes the engine knows: over the lake's files
    DuckDB guesses a few dozen rows, and at 100 million detections built its hash table
    on the wrong side and ran out of memory.
    """
    day, night = evidence_day(d, "m.ts", p), is_night(d, "m.ts", p)
    return (
        "WITH ma AS (SELECT DISTINCT m.imei, m.imsi, s.establishment, m.ts "  # noqa: S608  (fixed names and integers only)
        "FROM detections m JOIN cw_sensors s ON s.sensor_id = m.sensor_id "
        "WHERE s.kind = 'MANAGED_ACCESS' AND (m.imei IS NOT NULL OR m.imsi IS NOT NULL) "
        f"AND {night}), "
        f"mb AS (SELECT m.*, {day} AS eday, "
        f"CAST(floor({d.epoch_seconds('m.ts')}) AS BIGINT) AS sec FROM ma m), "
        "ids AS (SELECT 'IMEI' AS identifier_type, imei AS identifier, establishment, eday, sec "
        "FROM mb WHERE imei IS NOT NULL UNION ALL SELECT 'IMSI', imsi, establishment, eday, "
        "sec FROM mb WHERE imsi IS NOT NULL) "
        f"SELECT * FROM ids WHERE {absent_sql('ids.identifier', EXCLUDED_IDS)}"
    )


def night_rf_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_rfn: every RF detection at night, with its detector's establishment and night.

    Day-time RF traffic is left out: it would only fill the matching join's hash table.
    """
    day, night = evidence_day(d, "r.ts", p), is_night(d, "r.ts", p)
    return (
        f"SELECT r.sensor_id, s.establishment, r.rssi_dbm, {day} AS eday, "  # noqa: S608  (fixed names and integers only)
        f"CAST(floor({d.epoch_seconds('r.ts')}) AS BIGINT) AS sec FROM detections r "
        f"JOIN cw_sensors s ON s.sensor_id = r.sensor_id WHERE s.kind = 'RF_DETECTOR' AND {night}"
    )


def rf_matches_sql(d: Dialect, p: RunParams, establishments: Sequence[str] = ()) -> str:
    """cw_f_rfm: per identifier, night and RF detector, bursts matched and their RSSI sums.

    ``n`` is the identifier's MA bursts that night (the same on each of its rows), ``k``
    the bursts the detector matched, ``s1``/``s2`` the sum and sum of squares of the
    matched RSSI (one value per burst: the mean when several detections matched it).
    A burst is only ever matched within its establishment, so the analytic can run on
    a slice of ``establishments`` at a time (:func:`match_slices`); empty means all.
    """
    s = int(MATCH_SECONDS)
    only = (f" WHERE establishment IN ({', '.join(quote(e) for e in establishments)})"
            if establishments else "")
    return (
        f"WITH b AS (SELECT * FROM cw_f_man{only}), "  # noqa: S608  (fixed names, integers and quoted codes only)
        f"r AS (SELECT * FROM cw_f_rfn{only}), "
        # n counts all the identifier's bursts that night, in whichever establishment.
        "nb AS (SELECT identifier_type, identifier, eday, count(*) AS n FROM cw_f_man "
        "WHERE identifier IN (SELECT identifier FROM b) GROUP BY 1, 2, 3), "
        f"bk AS (SELECT b.*, {d.int_unnest(-s, s + 1)} AS k FROM b), "
        # Bursts are matched on whole seconds, fanned out over +-s: an equality join.
        "burst AS (SELECT bk.identifier_type, bk.identifier, bk.eday, bk.sec, rf.sensor_id, "
        "avg(rf.rssi_dbm) AS rssi FROM bk JOIN r rf ON rf.establishment = bk.establishment "
        "AND rf.sec = bk.sec + bk.k WHERE rf.rssi_dbm IS NOT NULL GROUP BY 1, 2, 3, 4, 5) "
        "SELECT x.identifier_type, x.identifier, x.eday, x.sensor_id, nb.n, x.k, x.s1, x.s2 "
        "FROM (SELECT identifier_type, identifier, eday, sensor_id, count(*) AS k, "
        "sum(rssi) AS s1, sum(rssi * rssi) AS s2 FROM burst GROUP BY 1, 2, 3, 4) x "
        "JOIN nb ON nb.identifier_type = x.identifier_type AND nb.identifier = x.identifier "
        "AND nb.eday = x.eday"
    )


def match_slices(bursts: Sequence[tuple[str, int]], max_bursts: int) -> list[list[str]]:
    """Establishments grouped, in order, so that each group holds at most ``max_bursts``
    night bursts (an establishment with more is a group of its own).

    >>> match_slices([("HEI", 4), ("LEI", 3), ("MDI", 2)], 6)
    [['HEI'], ['LEI', 'MDI']]
    """
    slices: list[list[str]] = []
    held = 0
    for establishment, n in bursts:
        if not slices or held + n > max_bursts:
            slices.append([])
            held = 0
        slices[-1].append(establishment)
        held += n
    return slices


def rf_chance_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_rfb: per RF detector and night, the chance that it matches a burst at random.

    Its night-time detections per second, over a window of ``2 * MATCH_SECONDS + 1``
    whole seconds (Poisson). A detector silent all night was out of service: no row.
    """
    night_s = ((24 - int(p.night_start_hour)) + int(p.night_end_hour)) * 3600
    width = 2 * int(MATCH_SECONDS) + 1
    return (
        "SELECT sensor_id, eday, "  # noqa: S608  (fixed names and integers only)
        f"least(1 - exp(-{width} * CAST(count(*) AS DOUBLE) / {float(night_s)!r}), 0.99) AS b "
        "FROM cw_f_rfn GROUP BY 1, 2"
    )


def rf_cells_sql(d: Dialect) -> str:
    """cw_f_rfc: candidate cells per identifier and night, their log-likelihood, placement.

    Candidates are the cells of every detector that matched at least one burst; each is
    scored over all detectors that cover it and were working that night (silent ones
    count against it). ``rel`` is the score less the night's best; only the placements,
    the cells within ``PLACED_MARGIN`` of it, are kept (a year's estate scores ten times
    as many cells as it places, and nothing reads the rest).
    """
    p_det = f"({DETECT_P0!r} * (1 - 0.5 * power(dist / range_m, 2)))"
    q = f"({p_det} + (1 - {p_det}) * b)"
    expected = f"({TX_DBM!r} - {PATH_LOSS_10N!r} * log10(greatest(dist, 1.0)))"
    sse = f"(coalesce(s2, 0) - 2 * {expected} * coalesce(s1, 0) + k * power({expected}, 2))"
    log_norm = math.log(RSSI_SPAN_DB / (RSSI_SIGMA_DB * math.sqrt(2 * math.pi)))
    # Matches are a mix of the phone's bursts (share p/q) and chance ones: only the
    # phone's share is scored against the path-loss model, the rest against uniform.
    rssi = f"({p_det} / {q}) * (k * {log_norm!r} - {sse} / {2 * RSSI_SIGMA_DB**2!r})"
    term = f"(k * ln({q} / b) + (n - k) * ln((1 - {q}) / (1 - b)) + {rssi})"
    return (
        "WITH nights AS (SELECT DISTINCT identifier_type, identifier, eday, n FROM cw_f_rfm), "  # noqa: S608
        "cand AS (SELECT DISTINCT h.identifier_type, h.identifier, h.eday, c.cell "
        "FROM cw_f_rfm h JOIN cw_f_cov c ON c.sensor_id = h.sensor_id), "
        "cov AS (SELECT c.sensor_id, c.cell, c.dist, s.range_m FROM cw_f_cov c "
        "JOIN cw_sensors s ON s.sensor_id = c.sensor_id WHERE s.kind = 'RF_DETECTOR' "
        "AND s.range_m IS NOT NULL), "
        "v AS (SELECT k.identifier_type, k.identifier, k.eday, k.cell, nt.n, cov.sensor_id, "
        "cov.dist, cov.range_m FROM cand k JOIN nights nt ON nt.identifier_type = "
        "k.identifier_type AND nt.identifier = k.identifier AND nt.eday = k.eday "
        "JOIN cov ON cov.cell = k.cell), "
        "t AS (SELECT v.*, b.b, coalesce(h.k, 0) AS k, h.s1, h.s2 FROM v "
        "JOIN cw_f_rfb b ON b.sensor_id = v.sensor_id AND b.eday = v.eday "
        "LEFT JOIN cw_f_rfm h ON h.identifier_type = v.identifier_type "
        "AND h.identifier = v.identifier AND h.eday = v.eday AND h.sensor_id = v.sensor_id), "
        "fit AS (SELECT identifier_type, identifier, eday, cell, "
        f"sum({term}) AS ll FROM t GROUP BY 1, 2, 3, 4), "
        "r AS (SELECT *, ll - max(ll) OVER (PARTITION BY identifier_type, "
        "identifier, eday) AS rel FROM fit) "
        f"SELECT * FROM r WHERE rel >= -{PLACED_MARGIN!r}"
    )
