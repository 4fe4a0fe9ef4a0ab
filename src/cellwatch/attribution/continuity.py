"""Continuity: a phone whose placements move when its user moves cell.

Detections alone place a phone only to a group of cells (cells mirror-symmetric about
a landing's detector, and cellmates within a cell). A cell move breaks the tie: when a
prisoner moves from cell A to cell B, and the phone was placed in A but not B before,
and in B but not A after, it followed him; the prisoners who stayed behind in A (or who
were never in B) did not move with it. Each such night pair is a "follow" day for the
mover, counted in the trailing window like any other pair-day evidence
(:func:`cellwatch.attribution.window.pair_day_sql`).

Pure functions returning SQL text; see :mod:`cellwatch.attribution.features`.
"""

from __future__ import annotations

from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect


def follow_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_follow: (identifier, day, prisoner) where the phone followed the prisoner's move.

    Nights n1 < n2 at most ``window_days - 1`` apart, the prisoner in cell A on n1 and
    B != A on n2, the phone placed in A and not B on n1, and in B and not A on n2.
    """
    w = int(p.window_days) - 1
    key = ("{x}.identifier_type = {y}.identifier_type AND {x}.identifier = {y}.identifier "
           "AND {x}.eday = {y}.eday")
    return (
        "WITH h AS (SELECT DISTINCT identifier_type, identifier, eday, prison_number, cell "  # noqa: S608  (fixed names and numbers only)
        "FROM cw_f_hits), "
        "pl AS (SELECT DISTINCT identifier_type, identifier, eday, cell FROM cw_f_rfc), "
        "mv AS (SELECT a.identifier_type, a.identifier, a.prison_number, a.eday AS d1, "
        "a.cell AS c1, b.eday AS d2, b.cell AS c2 FROM h a JOIN h b "
        "ON b.identifier_type = a.identifier_type AND b.identifier = a.identifier "
        "AND b.prison_number = a.prison_number AND b.cell <> a.cell "
        f"AND b.eday > a.eday AND b.eday <= a.eday + {w}) "
        "SELECT mv.identifier_type, mv.identifier, mv.d2 AS eday, mv.prison_number, "
        "count(*) AS follows FROM mv "
        # The new cell was not a placement before the move, the old one not after it.
        f"LEFT JOIN pl p1 ON {key.format(x='p1', y='mv').replace('mv.eday', 'mv.d1')} "
        "AND p1.cell = mv.c2 "
        f"LEFT JOIN pl p2 ON {key.format(x='p2', y='mv').replace('mv.eday', 'mv.d2')} "
        "AND p2.cell = mv.c1 "
        "WHERE p1.cell IS NULL AND p2.cell IS NULL GROUP BY 1, 2, 3, 4"
    )
