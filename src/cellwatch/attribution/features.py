"""Detection features: per identifier and evidence day, where it was and who lived there.

Pure functions returning SQL text over ``detections`` and the ``cw_`` store tables
(:mod:`cellwatch.attribution.sources`); :mod:`cellwatch.attribution.pipeline`
materialises each as a table. Only fixed names and integers from
:class:`~cellwatch.attribution.params.RunParams` are interpolated into the text.
"""

from __future__ import annotations

from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect
from cellwatch.lake.cleaning_sql import absent_sql

# Values never analysed or attributed: allow-listed (staff, official, privileged) and hubs.
EXCLUDED_IDS = (
    "(SELECT identifier FROM cw_allow_list UNION ALL SELECT identifier FROM cw_hubs "
    "WHERE identifier_type IN ('IMEI', 'IMSI'))"
)


def evidence_day(d: Dialect, ts: str, p: RunParams) -> str:
    """The evidence day of a UTC timestamp: local date, the day starting at 08:00."""
    return f"CAST({d.to_local(ts)} - INTERVAL {int(p.day_start_hour)} HOURS AS DATE)"


def is_night(d: Dialect, ts: str, p: RunParams) -> str:
    """Whether a UTC timestamp falls in the local lock-up hours."""
    h = f"hour({d.to_local(ts)})"
    return f"({h} >= {int(p.night_start_hour)} OR {h} < {int(p.night_end_hour)})"


def occupant_instant(eday: str, p: RunParams) -> str:
    """The UTC instant at which a cell's occupant on evidence day ``eday`` is looked up."""
    return f"(CAST({eday} AS TIMESTAMP) + INTERVAL {int(p.occupant_hour_utc)} HOURS)"


def occupied_at(alias: str, instant: str) -> str:
    """Occupancy row ``alias`` covers ``instant``."""
    return (f"({alias}.start_ts <= {instant} AND "
            f"({alias}.end_ts IS NULL OR {alias}.end_ts > {instant}))")


def detection_days_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_det: one row per identifier, evidence day, sensor, vendor location, night flag.

    The lake is scanned once and aggregated before the IMEI/IMSI unpivot, so the heavy
    part is a single vectorised group-by.
    """
    day, night = evidence_day(d, "ts", p), is_night(d, "ts", p)
    return (
        "WITH agg AS (SELECT imei, imsi, sensor_id, location_code AS vendor_loc, "  # noqa: S608
        f"{day} AS eday, {night} AS night, count(*) AS n "
        "FROM detections WHERE imei IS NOT NULL OR imsi IS NOT NULL "
        "GROUP BY 1, 2, 3, 4, 5, 6), "
        "ids AS (SELECT 'IMEI' AS identifier_type, imei AS identifier, sensor_id, vendor_loc, "
        "eday, night, n FROM agg WHERE imei IS NOT NULL UNION ALL "
        "SELECT 'IMSI', imsi, sensor_id, vendor_loc, eday, night, n FROM agg "
        "WHERE imsi IS NOT NULL) "
        "SELECT i.identifier_type, i.identifier, i.sensor_id, s.kind AS sensor_kind, "
        "s.establishment, i.vendor_loc, "
        "CASE WHEN l.type = 'CELL' THEN i.vendor_loc END AS vendor_cell, "
        "i.eday, i.night, sum(i.n) AS n "
        "FROM ids i JOIN cw_sensors s ON s.sensor_id = i.sensor_id "
        "LEFT JOIN cw_locations l ON l.code = i.vendor_loc "
        f"WHERE {absent_sql('i.identifier', EXCLUDED_IDS)} "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
    )


def coverage_sql(d: Dialect) -> str:
    """cw_f_cov: the cells each fixed sensor covers and how many beds share its zone.

    A cell is covered when it lies within the sensor's range on the establishment grid
    (3 m per floor); a sensor without coordinates covers the cells under its zone in the
    location hierarchy (up to three levels, which every estate layout fits).
    """
    dist = ("sqrt(power(c.x_m - s.x_m, 2) + power(c.y_m - s.y_m, 2) + "
            "power(3.0 * (coalesce(c.floor, 0) - coalesce(z.floor, 0)), 2))")
    return (
        "WITH cells AS (SELECT c.code AS cell, c.establishment, c.x_m, c.y_m, c.floor, "  # noqa: S608  (fixed names and integers only)
        "coalesce(c.capacity, 1) AS beds, c.parent_code AS p1, p.parent_code AS p2, "
        "g.parent_code AS p3 FROM cw_locations c "
        "LEFT JOIN cw_locations p ON p.code = c.parent_code "
        "LEFT JOIN cw_locations g ON g.code = p.parent_code WHERE c.type = 'CELL'), "
        f"cov AS (SELECT s.sensor_id, c.cell, c.beds, {dist} AS dist FROM cw_sensors s "
        "LEFT JOIN cw_locations z ON z.code = s.location_code "
        "JOIN cells c ON c.establishment = s.establishment "
        "WHERE s.kind <> 'HANDHELD' AND ("
        f"(s.x_m IS NOT NULL AND s.range_m IS NOT NULL AND c.x_m IS NOT NULL "
        f"AND {dist} <= s.range_m) OR "
        "((s.x_m IS NULL OR c.x_m IS NULL) AND s.location_code IN (c.p1, c.p2, c.p3)))) "
        "SELECT sensor_id, cell, dist, sum(beds) OVER (PARTITION BY sensor_id) AS zone_beds "
        "FROM cov"
    )


def cell_hits_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_hits: prisoners in the cells an identifier was placed in, per night.

    Placed cells (:mod:`cellwatch.attribution.rf`) include near-ties between
    neighbours; ``vendor_n`` is how many cells shared the honour (fewer is sharper).
    """
    instant = occupant_instant("h.eday", p)
    return (
        "WITH h AS (SELECT identifier_type, identifier, eday, cell, "  # noqa: S608
        "count(*) OVER (PARTITION BY identifier_type, identifier, eday) AS vendor_n "
        "FROM cw_f_rfc) "
        "SELECT h.identifier_type, h.identifier, h.eday, o.prison_number, h.cell, "
        "h.vendor_n, 0 AS handheld_n FROM h JOIN cw_occupancy o ON o.location_code = h.cell "
        f"AND {occupied_at('o', instant)}"
    )


def days_sql(d: Dialect) -> str:
    """cw_f_days: per identifier and day, what detection evidence existed at all."""
    return (
        "SELECT identifier_type, identifier, eday, "
        "0 AS vendor_night, "
        "max(CASE WHEN night AND sensor_kind = 'MANAGED_ACCESS' THEN 1 ELSE 0 END) AS ma_night, "
        "sum(n) AS n, min(establishment) AS establishment "
        "FROM cw_f_det GROUP BY 1, 2, 3"
    )


def fix_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_fix: per identifier and night, the vendor's own fix when it is finer than a
    unit's zone: the location its managed-access detections that night name most often,
    when that is a cell or a landing and not the reporting unit's own zone.

    Vendors locate to the cell, the landing or only the wing: a unit's own zone says no
    more than the unit does (its coverage, in :func:`zone_sql`), a stray wrong estimate
    is outvoted by the night's other bursts.
    """
    return (
        "WITH v AS (SELECT d.identifier_type, d.identifier, d.eday, d.vendor_loc, "
        "sum(d.n) AS n, max(CASE WHEN d.vendor_loc = s.location_code THEN 1 ELSE 0 END) AS own "
        "FROM cw_f_det d JOIN cw_sensors s ON s.sensor_id = d.sensor_id WHERE d.night "
        "AND d.sensor_kind = 'MANAGED_ACCESS' AND d.vendor_loc IS NOT NULL GROUP BY 1, 2, 3, 4), "
        "r AS (SELECT v.*, row_number() OVER (PARTITION BY identifier_type, identifier, eday "
        "ORDER BY n DESC, vendor_loc) AS rk FROM v) "
        "SELECT r.identifier_type, r.identifier, r.eday, r.vendor_loc AS loc, l.type "
        "FROM r JOIN cw_locations l ON l.code = r.vendor_loc "
        "WHERE r.rk = 1 AND r.own = 0 AND l.type IN ('CELL', 'LANDING')"
    )


def fix_hits_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_fixhits: prisoners in the cell (or on the landing) a night's fix names."""
    instant = occupant_instant("f.eday", p)
    return (
        "SELECT DISTINCT f.identifier_type, f.identifier, f.eday, o.prison_number "  # noqa: S608  (fixed names and integers only)
        "FROM cw_f_fix f JOIN cw_locations c ON c.type = 'CELL' "
        "AND (c.code = f.loc OR c.parent_code = f.loc) "
        f"JOIN cw_occupancy o ON o.location_code = c.code AND {occupied_at('o', instant)}"
    )


def zone_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_zone: for each candidate pair and each night the identifier was on a
    managed-access unit, whether the prisoner's cell lay in the night's zone, and how
    fine that zone was (``zone_class``: 1 a wing-sized unit's coverage, 2 a landing,
    3 a cell).

    The zone is the vendor's own fix (:func:`fix_sql`) when it has one that night, else
    every cell the units that heard it cover (a long-range unit hears the neighbouring
    wings' cells too). Only candidate pairs are checked, and only on nights within a
    window of one of their specific evidence days (``cw_f_cand``'s runs ``d0``/``d1``):
    a wing-wide zone holds a hundred prisoners, and pairing each candidate with every
    night of a year would not scale.
    """
    instant = occupant_instant("n.eday", p)
    reach = int(p.window_days) - 1
    return (
        "WITH n AS (SELECT DISTINCT identifier_type, identifier, eday, sensor_id "  # noqa: S608
        "FROM cw_f_det WHERE night AND sensor_kind = 'MANAGED_ACCESS'), "
        "cz AS (SELECT c.identifier_type, c.identifier, n.eday, c.prison_number, "
        "o.location_code AS cell, max(CASE WHEN cov.cell IS NOT NULL THEN 1 ELSE 0 END) AS hit, "
        "max(CASE WHEN sl.type = 'LANDING' THEN 2 ELSE 1 END) AS cls "
        "FROM cw_f_cand c JOIN n ON n.identifier_type = c.identifier_type "
        "AND n.identifier = c.identifier AND (c.d0 IS NULL OR (n.eday >= c.d0 - "
        f"{reach} AND n.eday <= c.d1 + {reach})) "
        f"JOIN cw_occupancy o ON o.prison_number = c.prison_number AND {occupied_at('o', instant)} "
        "JOIN cw_sensors ss ON ss.sensor_id = n.sensor_id "
        "LEFT JOIN cw_locations sl ON sl.code = ss.location_code "
        "LEFT JOIN cw_f_cov cov ON cov.sensor_id = n.sensor_id AND cov.cell = o.location_code "
        "GROUP BY 1, 2, 3, 4, 5) "
        "SELECT cz.identifier_type, cz.identifier, cz.eday, cz.prison_number, "
        "max(CASE WHEN f.loc IS NULL THEN cz.hit WHEN f.loc = cz.cell "
        "OR f.loc = cl.parent_code THEN 1 ELSE 0 END) AS zone_hit, "
        "max(CASE WHEN f.loc IS NULL THEN cz.cls WHEN f.type = 'CELL' THEN 3 ELSE 2 END) "
        "AS zone_class FROM cz LEFT JOIN cw_f_fix f ON f.identifier_type = cz.identifier_type "
        "AND f.identifier = cz.identifier AND f.eday = cz.eday "
        "LEFT JOIN cw_locations cl ON cl.code = cz.cell GROUP BY 1, 2, 3, 4"
    )


def where_sql(d: Dialect) -> str:
    """cw_f_where: the establishments whose sensors heard each identifier on each day."""
    return ("SELECT DISTINCT identifier_type, identifier, eday, establishment FROM cw_f_det")


def custody_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_custody: the windowed pairs whose prisoner was in custody that night, in an
    establishment where the identifier was heard that day (anywhere in custody when it
    was heard nowhere, e.g. only on call records).

    A hard rule, not evidence: a man released, transferred away or not yet received
    cannot have used a phone in that prison that night, whatever his window says.
    """
    instant = occupant_instant("w.eday", p)
    return (
        "WITH w AS (SELECT DISTINCT identifier_type, identifier, eday, prison_number "  # noqa: S608  (fixed names and integers only)
        "FROM cw_f_win), "
        "c AS (SELECT DISTINCT w.identifier_type, w.identifier, w.eday, w.prison_number, "
        "l.establishment FROM w JOIN cw_occupancy o ON o.prison_number = w.prison_number "
        f"AND {occupied_at('o', instant)} JOIN cw_locations l ON l.code = o.location_code), "
        "heard AS (SELECT DISTINCT identifier_type, identifier, eday FROM cw_f_where) "
        "SELECT DISTINCT c.identifier_type, c.identifier, c.eday, c.prison_number FROM c "
        "LEFT JOIN heard h ON h.identifier_type = c.identifier_type "
        "AND h.identifier = c.identifier AND h.eday = c.eday "
        "LEFT JOIN cw_f_where x ON x.identifier_type = c.identifier_type "
        "AND x.identifier = c.identifier AND x.eday = c.eday AND x.establishment = c.establishment "
        "WHERE h.identifier IS NULL OR x.identifier IS NOT NULL"
    )
