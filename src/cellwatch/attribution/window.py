"""Candidates, per-day pair evidence, the trailing window and the comparison levels.

Each (identifier, day, prisoner) pair gets a comparison vector of discrete levels,
Fellegi-Sunter style; :mod:`cellwatch.attribution.em` estimates how likely each level
is for the true user (m) and for anyone else (u). Level -1 means "no information"
(e.g. no call records in the window) and weighs nothing.
"""

from __future__ import annotations

from cellwatch.attribution.em import encode_sql
from cellwatch.attribution.params import RunParams
from cellwatch.lake import Dialect

# The comparison fields and their levels (-1 is "no information" and is not estimated).
FIELDS: dict[str, tuple[int, ...]] = {
    "vendor": (0, 1, 2, 3, 4, 5),
    # 0 out of the night's zone on most nights, 1 in it on 50-90%; in it on 90%+ of
    # nights, with the zones mostly 2 wing-sized, 3 landings, 4 cells: what each sensor
    # class is worth is learned, not set.
    "zone": (0, 1, 2, 3, 4),
    "handheld": (0, 1),
    "pin": (0, 1, 2, 3),
    "today": (0, 1, 2),
    "seizure": (0, 1, 2),
    "protected": (0, 1),
    "follows": (0, 1),
}

# Starting m and u (and the centre of EM's weak prior) for rare, strong evidence: few
# pairs ever show it, so the generic ramp would let "never contacted a protected person"
# (almost every pair, true users included) count against the match.
FIELD_START: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "protected": ((0.9, 0.1), (0.9999, 0.0001)),
    "follows": ((0.3, 0.7), (0.9, 0.1)),
    # Most nights in a wing-sized zone is where most users are, as the old top level
    # was; landing- and cell-sized zones start rarer and sharper, and EM moves them.
    "zone": ((0.05, 0.15, 0.5, 0.15, 0.15), (0.55, 0.3, 0.13, 0.015, 0.005)),
}

# Rejected (and not undone) attributions: their evidence up to the verdict is spent.
REJECTED = (
    "(SELECT j.subject_type, j.subject, j.object AS prison_number, CAST(j.at AS DATE) AS judged "
    "FROM cw_judgements j WHERE target = 'ATTRIBUTION' AND verdict = 'REJECTED' "
    "AND undone_at IS NULL)"
)


CONFIRMED = (
    "(SELECT DISTINCT subject_type, subject, object FROM cw_judgements "
    "WHERE target = 'ATTRIBUTION' AND verdict = 'CONFIRMED' AND undone_at IS NULL)"
)


def candidates_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_cand: every (identifier, prisoner) some specific evidence points at, with the
    days it is within reach of that evidence.

    ``d0``/``d1`` are the first and last days of a run of evidence days no more than
    ``2 x (window_days - 1)`` apart (NULL for an analyst's confirmation, which holds on
    every day): a pair is a candidate on nights within ``window_days - 1`` of one of its
    evidence days, so nothing about it is needed further away. A pair seen again after a
    longer gap starts a new run: the nights of the gap are more than a window from any of
    its evidence, and evidence that arrives later cannot reach back into them (which is
    what lets a nightly run stop a bounded number of days back, attribution.increment).
    """
    gap = 2 * (int(p.window_days) - 1)
    key = "identifier_type, identifier, prison_number"
    dn = f"CAST(round({d.epoch_seconds('CAST(eday AS TIMESTAMP)')} / 86400.0) AS INTEGER)"
    return (
        "WITH e AS (SELECT identifier_type, identifier, prison_number, eday FROM cw_f_hits "  # noqa: S608
        "UNION ALL SELECT identifier_type, identifier, prison_number, eday FROM cw_f_pin "
        "UNION ALL SELECT identifier_type, identifier, prison_number, eday FROM cw_f_seiz "
        "UNION ALL SELECT identifier_type, identifier, prison_number, eday FROM cw_f_prot "
        "UNION ALL SELECT identifier_type, identifier, prison_number, eday FROM cw_f_fixhits "
        f"UNION ALL SELECT subject_type, subject, object, NULL FROM {CONFIRMED}), "
        f"days AS (SELECT DISTINCT {key}, eday, {dn} AS dn FROM e WHERE eday IS NOT NULL), "
        f"g AS (SELECT days.*, CASE WHEN dn - lag(dn) OVER (PARTITION BY {key} ORDER BY dn) "
        f"<= {gap} THEN 0 ELSE 1 END AS starts FROM days), "
        f"r AS (SELECT g.*, sum(starts) OVER (PARTITION BY {key} ORDER BY dn "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run FROM g) "
        f"SELECT {key}, min(eday) AS d0, max(eday) AS d1 FROM r GROUP BY {key}, run "
        f"UNION ALL SELECT DISTINCT {key}, CAST(NULL AS DATE), CAST(NULL AS DATE) FROM e "
        "WHERE eday IS NULL"
    )


def pair_day_sql(d: Dialect) -> str:
    """cw_f_pair: all evidence for a pair on one day, in one row; rejected evidence dropped."""
    return (
        "WITH u AS ("  # noqa: S608
        "SELECT identifier_type, identifier, eday, prison_number, cell, "
        "CASE WHEN vendor_n > 0 THEN 1 ELSE 0 END AS vendor, "
        "CASE WHEN handheld_n > 0 THEN 1 ELSE 0 END AS handheld, 0 AS zone, "
        "0 AS pin_calls, 1 AS pin_shared, 0 AS seizure, 0 AS judged, 0 AS prot, "
        "0 AS follow, 0 AS zc FROM cw_f_hits "
        "UNION ALL SELECT identifier_type, identifier, eday, prison_number, NULL, 0, 0, "
        "zone_hit, 0, 1, 0, 0, 0, 0, zone_hit * zone_class FROM cw_f_zone "
        "UNION ALL SELECT identifier_type, identifier, eday, prison_number, NULL, 0, 0, 0, "
        "pin_calls, shared, 0, 0, 0, 0, 0 FROM cw_f_pin "
        "UNION ALL SELECT identifier_type, identifier, eday, prison_number, NULL, 0, 0, 0, 0, 1, "
        "level, 0, 0, 0, 0 FROM cw_f_seiz "
        "UNION ALL SELECT identifier_type, identifier, eday, prison_number, NULL, 0, 0, 0, 0, 1, "
        "0, 0, 1, 0, 0 FROM cw_f_prot "
        "UNION ALL SELECT identifier_type, identifier, eday, prison_number, NULL, 0, 0, 0, 0, 1, "
        "0, 0, 0, 1, 0 FROM cw_f_follow "
        # A confirmed pair stays a candidate on every day its identifier is seen.
        "UNION ALL SELECT a.identifier_type, a.identifier, a.eday, j.object, NULL, 0, 0, 0, 0, "
        f"1, 0, 1, 0, 0, 0 FROM cw_f_days a JOIN {CONFIRMED} j "
        "ON j.subject_type = a.identifier_type "
        "AND j.subject = a.identifier) "
        "SELECT u.identifier_type, u.identifier, u.eday, u.prison_number, "
        "max(CASE WHEN u.vendor = 1 THEN u.cell END) AS cell, max(u.vendor) AS vendor, "
        "max(u.handheld) AS handheld, max(u.zone) AS zone, sum(u.pin_calls) AS pin_calls, "
        "min(CASE WHEN u.pin_calls > 0 THEN u.pin_shared ELSE 1 END) AS pin_shared, "
        "max(u.seizure) AS seizure, max(u.judged) AS judged, max(u.prot) AS prot, "
        "max(u.follow) AS follow, max(u.zc) AS zone_class, "
        "CASE WHEN max(u.zc) = 3 THEN 1 ELSE 0 END AS cell_zone FROM u "
        f"LEFT JOIN {REJECTED} r ON r.subject_type = u.identifier_type "
        "AND r.subject = u.identifier AND r.prison_number = u.prison_number "
        "AND u.eday <= r.judged WHERE r.subject IS NULL GROUP BY 1, 2, 3, 4"
    )


def active_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_active: each identifier-day with evidence, and what its window held overall."""
    w = int(p.window_days) - 1
    return (
        "WITH days AS (SELECT identifier_type, identifier, eday, vendor_night, ma_night, "  # noqa: S608  (fixed names and integers only)
        "0 AS calls FROM cw_f_days UNION ALL SELECT identifier_type, identifier, eday, 0, 0, "
        "calls FROM cw_f_calldays UNION ALL SELECT DISTINCT identifier_type, identifier, eday, "
        "1, 0, 0 FROM cw_f_rfc), "
        "dd AS (SELECT identifier_type, identifier, eday, max(vendor_night) AS vendor_night, "
        "max(ma_night) AS ma_night, sum(calls) AS calls FROM days GROUP BY 1, 2, 3) "
        "SELECT a.identifier_type, a.identifier, a.eday, "
        "sum(b.vendor_night) AS vendor_nights, sum(b.ma_night) AS ma_nights, "
        "sum(CASE WHEN b.calls > 0 THEN 1 ELSE 0 END) AS call_days "
        "FROM dd a JOIN dd b ON b.identifier_type = a.identifier_type "
        f"AND b.identifier = a.identifier AND b.eday BETWEEN a.eday - {w} AND a.eday "
        "GROUP BY 1, 2, 3"
    )


# The trailing window's day counts, packed into two integers of COUNT_BITS-bit fields so
# that each integer is one window sum: DuckDB builds a segment tree per windowed
# aggregate, and the dozen separate counts were most of the step's time. Each field
# counts pair-days in the window, so it never exceeds window_days (< 2**COUNT_BITS).
COUNT_BITS = 12
PACKED: tuple[tuple[tuple[str, str], ...], ...] = (
    (("v", "vendor"), ("z", "zone"), ("h", "handheld"),
     ("pin_days", "CASE WHEN pin_calls > 0 THEN 1 ELSE 0 END"), ("prot_days", "prot")),
    (("follow_days", "follow"), ("seized_on", "CASE WHEN seizure = 2 THEN 1 ELSE 0 END"),
     ("seized_in", "CASE WHEN seizure = 1 THEN 1 ELSE 0 END"),
     ("pin_unshared", "CASE WHEN pin_calls > 0 AND pin_shared = 0 THEN 1 ELSE 0 END"),
     ("ev_days", "CASE WHEN vendor + handheld + zone + pin_calls + seizure + judged + prot > 0 "
      "THEN 1 ELSE 0 END")),
    (("z2", "CASE WHEN zone_class = 2 THEN 1 ELSE 0 END"),
     ("z3", "CASE WHEN zone_class = 3 THEN 1 ELSE 0 END")),
)


# A pair's own evidence for the night itself, not only its window: the phone placed in
# his cell that night (RF, a handheld sweep, a cell-sized zone), found on him or in his
# cell, or a call that night to his own PIN numbers. A night without any rests on the
# window alone, and a phone lent for the night looks exactly like that.
PLACED_TONIGHT = "(vendor + handheld + seizure + judged > 0 OR cell_zone > 0)"
TONIGHT = (
    f"CASE WHEN {PLACED_TONIGHT} THEN 2 WHEN pin_calls > 0 AND pin_shared = 0 THEN 1 "
    "ELSE 0 END"
)


def _pack(fields: tuple[tuple[str, str], ...]) -> str:
    return " + ".join(f"({expr}) * {1 << (i * COUNT_BITS)}" for i, (_, expr) in enumerate(fields))


def _unpack(d: Dialect) -> str:
    return ", ".join(f"{d.bit_field(f'p{k}', i * COUNT_BITS, COUNT_BITS)} AS {name}"
                     for k, fields in enumerate(PACKED) for i, (name, _) in enumerate(fields))


def window_sql(d: Dialect, p: RunParams) -> str:
    """cw_f_win: per identifier-day and candidate, the evidence of the trailing window and
    of the day itself.

    Window functions over each pair's days (a ``RANGE`` frame of ``window_days``): the
    identifier's active days within reach of the pair (the rows reported) and the pair's
    evidence days are merged into one row per pair and day, so no pair-day is copied into
    each window that holds it and the day's own calls are that row's, not a second join.
    Day counts are summed packed (:data:`PACKED`). ``cells`` is 0, 1 or 2 (two or more)
    of the prisoner's cells the phone was placed in, ``first_cell``/``last_cell`` the
    least and greatest of them.
    """
    w = int(p.window_days) - 1
    dn = f"CAST(round({d.epoch_seconds('CAST(eday AS TIMESTAMP)')} / 86400.0) AS INTEGER)"
    key = "identifier_type, identifier, prison_number"
    frame = f"OVER (PARTITION BY {key} ORDER BY dn RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)"
    packs = ", ".join(f"CAST({_pack(fields)} AS BIGINT)" for fields in PACKED)
    zeros = ", ".join(f"CAST(0 AS BIGINT) AS p{k}" for k in range(len(PACKED)))
    merged = ", ".join(f"sum(p{k}) AS p{k}" for k in range(len(PACKED)))
    sums = ", ".join(f"sum(p{k}) {frame} AS p{k}" for k in range(len(PACKED)))
    return (
        f"WITH span AS (SELECT {key}, min(eday) AS d0, max(eday) AS d1 FROM cw_f_pair "  # noqa: S608  (fixed names and integers only)
        "GROUP BY 1, 2, 3), "
        # The rows reported: each active day of the identifier within reach of the pair.
        "g AS (SELECT s.identifier_type, s.identifier, s.prison_number, a.eday, "
        "a.vendor_nights, a.ma_nights, a.call_days, c.calls AS calls_today, 1 AS out, "
        "0 AS tn "
        "FROM span s JOIN cw_f_active a ON a.identifier_type = s.identifier_type "
        f"AND a.identifier = s.identifier AND a.eday >= s.d0 AND a.eday <= s.d1 + {w} "
        "LEFT JOIN cw_f_calldays c ON c.identifier_type = a.identifier_type "
        "AND c.identifier = a.identifier AND c.eday = a.eday), "
        f"u AS (SELECT g.*, {zeros}, 0 AS pin_calls, 1 AS pin_shared, NULL AS cell, "
        "NULL AS pday FROM g UNION ALL SELECT identifier_type, identifier, prison_number, "
        f"eday, NULL, NULL, NULL, NULL, 0, {TONIGHT}, {packs}, pin_calls, pin_shared, cell, "
        "eday FROM cw_f_pair), "
        # cw_f_pair has one row per pair and day, so after the merge sums count days.
        f"m AS (SELECT {key}, eday, max(vendor_nights) AS vendor_nights, "
        "max(ma_nights) AS ma_nights, max(call_days) AS call_days, "
        f"max(calls_today) AS calls_today, max(out) AS out, max(tn) AS tn, {merged}, "
        "sum(pin_calls) AS pin_calls, min(pin_shared) AS pin_shared, max(cell) AS cell, "
        f"max(pday) AS pday FROM u GROUP BY {key}, eday), "
        f"n AS (SELECT m.*, {dn} AS dn FROM m), "
        "r AS (SELECT identifier_type, identifier, eday, prison_number, vendor_nights, "
        "ma_nights, call_days, calls_today, out, tn, pin_calls AS pin_today, "
        f"pin_shared AS pin_today_shared, {sums}, sum(pin_calls) {frame} AS pin_calls, "
        f"min(cell) {frame} AS first_cell, max(cell) {frame} AS last_cell, "
        f"min(pday) {frame} AS first_day, max(pday) {frame} AS last_day FROM n), "
        f"c AS (SELECT r.*, {_unpack(d)} FROM r WHERE out = 1) "
        "SELECT identifier_type, identifier, eday, prison_number, vendor_nights, ma_nights, "
        "call_days, v, z, z2, z3, h, pin_days, pin_calls, "
        "CASE WHEN pin_days = 0 THEN NULL WHEN pin_unshared > 0 THEN 0 ELSE 1 END AS pin_shared, "
        "CASE WHEN seized_on > 0 THEN 2 WHEN seized_in > 0 THEN 1 ELSE 0 END AS seizure, "
        "prot_days, follow_days, "
        "CASE WHEN first_cell IS NULL THEN 0 WHEN first_cell = last_cell THEN 1 ELSE 2 END "
        "AS cells, first_cell, last_cell, first_day, last_day, "
        "coalesce(calls_today, 0) AS calls_today, coalesce(pin_today, 0) AS pin_today, "
        "coalesce(pin_today_shared, 1) AS pin_today_shared, "
        "CASE WHEN coalesce(tn, 0) > 0 THEN 1 ELSE 0 END AS tonight, "
        "CASE WHEN tn = 2 THEN 1 ELSE 0 END AS placed_tonight FROM c "
        # A pair whose only evidence in the window is 'not in the zone' is no candidate.
        "WHERE ev_days > 0"
    )


def levels_sql(d: Dialect) -> str:
    """cw_f_vec: the comparison vector of each windowed pair (see :data:`FIELDS`)."""
    share = "CAST(v AS DOUBLE) / vendor_nights"
    zshare = "CAST(z AS DOUBLE) / ma_nights"
    return (
        "SELECT *, "  # noqa: S608
        "CASE WHEN vendor_nights = 0 THEN -1 WHEN v = 0 THEN 0 "
        f"WHEN {share} < 0.34 THEN 1 WHEN {share} < 0.67 THEN 2 "
        "WHEN v <= 2 THEN 3 WHEN v <= 6 THEN 4 ELSE 5 END AS l_vendor, "
        f"CASE WHEN ma_nights = 0 THEN -1 WHEN {zshare} < 0.5 THEN 0 "
        f"WHEN {zshare} < 0.9 THEN 1 WHEN 2 * z3 >= z THEN 4 WHEN 2 * (z2 + z3) >= z THEN 3 "
        "ELSE 2 END AS l_zone, "
        "CASE WHEN h > 0 THEN 1 ELSE 0 END AS l_handheld, "
        "CASE WHEN call_days = 0 THEN -1 WHEN pin_days = 0 THEN 0 WHEN pin_shared = 1 THEN 1 "
        "WHEN pin_days = 1 THEN 2 ELSE 3 END AS l_pin, "
        "coalesce(seizure, 0) AS l_seizure, "
        # Seen in two of the prisoner's cells: did the placements move with him?
        "CASE WHEN cells < 2 THEN -1 WHEN follow_days > 0 THEN 1 ELSE 0 END AS l_follows, "
        "CASE WHEN call_days = 0 THEN -1 WHEN prot_days > 0 THEN 1 ELSE 0 END AS l_protected, "
        "CASE WHEN calls_today = 0 THEN -1 WHEN pin_today = 0 THEN 0 "
        "WHEN pin_today_shared = 1 THEN 1 ELSE 2 END AS l_today "
        # The hard rule: never a man not in custody in that establishment that night.
        "FROM cw_f_win w WHERE EXISTS (SELECT 1 FROM cw_f_custody k "
        "WHERE k.identifier_type = w.identifier_type AND k.identifier = w.identifier "
        "AND k.eday = w.eday AND k.prison_number = w.prison_number)"
    )


def assigned_rows_sql(d: Dialect, every: int = 1) -> str:
    """Each windowed pair as (identifier-day number, packed vector, analyst label), for EM.

    With ``every`` > 1 only every ``every``-th identifier-day (in a fixed order, the same
    on every engine) is kept, plus every day holding an analyst's label: parameters are
    estimated as well from a few hundred thousand days as from millions. Days are
    numbered once each (a sort of the distinct days, not of every pair).
    """
    key = "identifier_type, identifier, eday"
    return (
        f"WITH lab AS (SELECT subject_type, subject, object, "  # noqa: S608  (fixed names and integers only)
        "max(CASE WHEN verdict = 'CONFIRMED' THEN 1 ELSE 0 END) AS confirmed "
        "FROM cw_judgements WHERE target = 'ATTRIBUTION' AND undone_at IS NULL "
        "AND verdict IN ('CONFIRMED', 'REJECTED') GROUP BY 1, 2, 3), "
        f"v AS (SELECT v.identifier_type, v.identifier, v.eday, {encode_sql(FIELDS)} AS code, "
        "coalesce(lab.confirmed, -1) AS label FROM cw_f_vec v LEFT JOIN lab "
        "ON lab.subject_type = v.identifier_type AND lab.subject = v.identifier "
        "AND lab.object = v.prison_number), "
        f"days AS (SELECT {key}, max(label) AS day_label FROM v GROUP BY 1, 2, 3), "
        f"g AS (SELECT days.*, row_number() OVER (ORDER BY {key}) AS g FROM days) "
        "SELECT g.g, v.code, v.label FROM v JOIN g ON g.identifier_type = v.identifier_type "
        "AND g.identifier = v.identifier AND g.eday = v.eday "
        f"WHERE g.g % {int(every)} = 0 OR g.day_label >= 0"
    )


def days_sql(d: Dialect) -> str:
    """How many identifier-days EM could be fitted on."""
    return ("SELECT count(*) AS n FROM (SELECT DISTINCT identifier_type, identifier, eday "
            "FROM cw_f_vec) x")


def patterns_sql(d: Dialect) -> str:
    """Distinct comparison vectors with their counts and analyst labels, for EM."""
    cols = ", ".join(f"l_{f}" for f in FIELDS)
    return (
        f"WITH lab AS (SELECT subject_type, subject, object, "  # noqa: S608
        "max(CASE WHEN verdict = 'CONFIRMED' THEN 1 ELSE 0 END) AS confirmed "
        "FROM cw_judgements WHERE target = 'ATTRIBUTION' AND undone_at IS NULL "
        "AND verdict IN ('CONFIRMED', 'REJECTED') GROUP BY 1, 2, 3) "
        f"SELECT {cols}, count(*) AS n, "
        "sum(CASE WHEN lab.confirmed = 1 THEN 1 ELSE 0 END) AS n_match, "
        "sum(CASE WHEN lab.confirmed = 0 THEN 1 ELSE 0 END) AS n_nonmatch "
        "FROM cw_f_vec v LEFT JOIN lab ON lab.subject_type = v.identifier_type "
        "AND lab.subject = v.identifier AND lab.object = v.prison_number "
        f"GROUP BY {cols}"
    )


# Beta prior on the handover rate: with no nights to learn from, one night in ten.
HANDOVER_PRIOR = (1.0, 9.0)
# The rate used is the posterior's upper 90% bound (normal approximation), not its mean:
# learned from a few dozen nights the rate is uncertain, and the cost of guessing it low
# is a confident mistake; from thousands, bound and mean agree.
HANDOVER_Z = 1.2816


def handover_sql(d: Dialect) -> str:
    """Nights on which one candidate called his own PIN numbers, the window held a clear
    PIN user apart from that night, and whether the two differ (the phone in another's
    hands that night): ``n`` such nights, ``handed`` of them handed over, split by
    whether the window's user was placed in his own cell that night (``placed``): a
    phone lent to a cellmate is placed in the lender's cell too, one lent along the
    landing is not."""
    key = "identifier_type, identifier, eday"
    return (
        f"WITH t AS (SELECT {key}, prison_number, l_today, placed_tonight, "  # noqa: S608  (fixed names only)
        "pin_days - CASE WHEN pin_today > 0 THEN 1 ELSE 0 END AS other FROM cw_f_vec), "
        f"tn AS (SELECT {key}, min(prison_number) AS who, count(*) AS n FROM t "
        f"WHERE l_today = 2 GROUP BY 1, 2, 3), "
        f"top AS (SELECT {key}, max(other) AS best FROM t GROUP BY 1, 2, 3), "
        f"lead AS (SELECT t.identifier_type, t.identifier, t.eday, min(t.prison_number) AS who, "
        "max(t.placed_tonight) AS placed, count(*) AS n FROM t "
        "JOIN top ON top.identifier_type = t.identifier_type "
        "AND top.identifier = t.identifier AND top.eday = t.eday AND t.other = top.best "
        "WHERE top.best > 0 GROUP BY 1, 2, 3) "
        "SELECT l.placed, count(*) AS n, "
        "coalesce(sum(CASE WHEN l.who <> tn.who THEN 1 ELSE 0 END), 0) "
        "AS handed FROM tn JOIN lead l ON l.identifier_type = tn.identifier_type "
        "AND l.identifier = tn.identifier AND l.eday = tn.eday WHERE tn.n = 1 AND l.n = 1 "
        "GROUP BY l.placed"
    )


def sharing_sql(d: Dialect) -> str:
    """Identifier-nights on which some candidate called his own PIN numbers (``n``), and
    how many of them had a second such candidate (``shared``): two men each shown on the
    phone that night by calls of their own."""
    return (
        "WITH o AS (SELECT identifier_type, identifier, eday, count(*) AS own "
        "FROM cw_f_vec WHERE l_today = 2 GROUP BY 1, 2, 3) "
        "SELECT count(*) AS n, coalesce(sum(CASE WHEN own >= 2 THEN 1 ELSE 0 END), 0) "
        "AS shared FROM o"
    )


def rate_bound(n: int, k: int, side: int) -> float:
    """The 90% bound (``side`` +1 upper, -1 lower) on a rate seen ``k`` times in ``n``
    nights: Beta posterior from :data:`HANDOVER_PRIOR`, normal approximation, in [0, 1].
    The handover, sharing and cellmate rates are all learned this way."""
    a, b = HANDOVER_PRIOR[0] + k, HANDOVER_PRIOR[1] + n - k
    mean = a / (a + b)
    sd = (a * b / ((a + b) ** 2 * (a + b + 1))) ** 0.5
    return float(min(1.0, max(0.0, mean + side * HANDOVER_Z * sd)))


def handover_rate(n: int, handed: int) -> float:
    """Upper 90% bound on the handover rate, ``handed`` of ``n`` nights seen
    (:func:`rate_bound`).

    >>> round(handover_rate(0, 0), 3)
    0.216
    >>> round(handover_rate(1000, 100), 3)
    0.112
    """
    return rate_bound(n, handed, +1)
