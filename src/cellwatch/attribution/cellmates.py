"""Cellmates on one placement: how often both use the phone that night (issue 14, round 12).

When the phone is placed in a double cell, its two occupants are candidates with the
same placement, and with no call of either that night nothing separates them: one user
a night gives each about half. But where cellmates share phones, the night is often
both men's, and truth counts each. On world 2609 seed 101 (51% double cells, sharing
0.32) 575 rows of tied cellmates said 0.512 and were right 64% (284 nights: both used
it on 27%, one on 73%), most of its ECE of 0.109; on the development worlds, whose
cellmates rarely share, the same rows were right 47% (both on 1-2% of nights).

So the rate is learned per world (:func:`cellmates_sql`): on nights the phone was
placed in a man's cell and in another candidate's, and he called his own, unshared PIN
numbers from it, how often a co-placed rival called his own as well. The lower 90% bound
of its Beta posterior is used (:func:`cellmate_rate`), so a world with few such nights
scores as one user a night. Scoring (:func:`lift_sql`) then gives a tied man (placed with
exactly one other candidate whose evidence is as strong, :data:`TIED_SQL`, and no own
call that night) his share plus the rate times his rival's: the chance that the night's
user was his cellmate and he used it too. His night is calibrated as its own class,
``tied`` (:data:`TIED_CLASS_SQL`), fitted on the development worlds like the others,
because the ``placed`` map mixes tied nights (right 47% at 0.45) with lone ones (83%),
and a lifted night read through it would be lifted twice.
``RunParams.cellmate_share`` turns all of it on; off, or on a world where no night
showed cellmates sharing (rate 0), scoring is round 11's exactly: a night not lifted is
read through the ``placed`` map as before (applying ``tied`` there too moved worlds with
nothing learned, 1004 seed 2 ECE 0.047 to 0.051, for no reason of their own).
"""

from __future__ import annotations

from cellwatch.attribution.window import rate_bound
from cellwatch.lake import Dialect


def cellmates_sql(d: Dialect) -> str:
    """Nights on which a man placed with another candidate called his own, unshared PIN
    numbers from the phone (``n``), and how many of those a co-placed rival did too
    (``shared``). Counted per such caller: a night two callers share counts twice, as
    each is one man whose cellmate was seen to use it too. Not only ties: an own call
    puts its caller far ahead of his cellmate, so the rate is learned from every
    co-placed night (exactly two placed gave 2609 seed 101 0.08, not its 0.27; its
    placements mostly hold a third, weak candidate)."""
    key = "identifier_type, identifier, eday"
    return (
        f"WITH p AS (SELECT {key}, prison_number, "  # noqa: S608  (fixed names only)
        "CASE WHEN l_today = 2 THEN 1 ELSE 0 END AS own FROM cw_f_vec "
        "WHERE placed_tonight = 1), "
        f"t AS (SELECT {key}, count(*) AS placed, sum(own) AS owners FROM p "
        "GROUP BY 1, 2, 3) "
        "SELECT count(*) AS n, coalesce(sum(CASE WHEN t.owners >= 2 THEN 1 ELSE 0 END), 0) "
        "AS shared FROM p JOIN t ON t.identifier_type = p.identifier_type "
        "AND t.identifier = p.identifier AND t.eday = p.eday "
        "WHERE p.own = 1 AND t.placed >= 2"
    )


def cellmate_rate(n: int, shared: int) -> float:
    """Lower 90% bound on the rate, ``shared`` of ``n`` nights (Beta posterior from the
    handover's prior, normal approximation); 0 with no nights.

    >>> cellmate_rate(0, 0)
    0.0
    >>> round(cellmate_rate(80, 32), 3)
    0.302
    """
    return rate_bound(n, shared, -1) if n > 0 else 0.0


# Two co-placed men whose evidence is this close (in bits: odds within a factor of 2)
# are tied: nothing of the night separates them. A man far behind a co-placed rival is
# not lifted and keeps the ``placed`` map: on 2609 seed 101, lifting every co-placed man
# by his rivals' share made 367 rows of 0.14 right 6% (mirror-cell neighbours, not
# cellmates). A placement usually also holds a third, weak candidate (a mirror cell's
# occupant), so "exactly two placed" missed most tied pairs there (345 of 579 rows).
TIE_BITS = 1.0


def ties_sql() -> str:
    """A CTE body over scoring's ``o``: per pair-night placed tonight, how many other
    candidates placed tonight are within :data:`TIE_BITS` of him (``ties``) and their
    odds (``tie_odds``)."""
    return (
        "SELECT a.identifier_type, a.identifier, a.eday, a.prison_number, "  # noqa: S608  (fixed names and a float only)
        "count(*) AS ties, sum(b.odds) AS tie_odds "
        "FROM o a JOIN o b ON b.identifier_type = a.identifier_type "
        "AND b.identifier = a.identifier AND b.eday = a.eday "
        "AND b.prison_number <> a.prison_number AND b.placed_tonight = 1 "
        f"AND abs(a.bits - b.bits) <= {TIE_BITS!r} WHERE a.placed_tonight = 1 "
        "GROUP BY a.identifier_type, a.identifier, a.eday, a.prison_number"
    )


# The join of :func:`ties_sql`'s rows (as ``pt``) onto scoring's rows ``o``.
TIES_JOIN = ("LEFT JOIN pt ON pt.identifier_type = o.identifier_type "
             "AND pt.identifier = o.identifier AND pt.eday = o.eday "
             "AND pt.prison_number = o.prison_number")

# Placed tonight with exactly one other candidate placed whose evidence is as strong:
# two cellmates (with two or more such rivals it is mirror cells, not a cell's pair).
TIED_SQL = "o.placed_tonight = 1 AND coalesce(pt.ties, 0) = 1"

# A pair's night is ``tied`` when it is a tied placement and his own calls do not settle
# it (otherwise ``placed``, as before).
TIED_CLASS_SQL = f"CASE WHEN o.night = 'placed' AND {TIED_SQL} THEN 'tied' ELSE o.night END"


def lift_sql(rate: float) -> str:
    """What a tied man adds to his share of the night: ``rate`` times his tied rival's
    share, the chance that the night's user was his cellmate and he used it too (0 unless
    tied). Columns of scoring's rows ``o``, the day's ``t.day_odds`` and ``pt``."""
    return (f"CASE WHEN {TIED_SQL} "
            f"THEN {float(rate)!r} * pt.tie_odds / (1.0 + t.day_odds) ELSE 0.0 END")
