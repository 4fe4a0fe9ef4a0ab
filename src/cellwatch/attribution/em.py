"""Fellegi-Sunter parameter estimation by EM over aggregated comparison vectors.

The input is tiny: one row per distinct comparison vector with its count (and how many
of those pairs analysts confirmed or rejected), however many events lie behind it. EM
alternates between the posterior that each vector is a true (device-day, user) pair
and the m/u probabilities that maximise the likelihood; confirmed and rejected pairs
keep their label as the posterior, which makes analysts' judgements training labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
# A weak Dirichlet prior (in pseudo-pairs) centred on the starting values: on a large
# estate the data swamp it; on a tiny one it keeps EM from swapping "match" and
# "non-match" (label switching) and keeps every probability away from 0 and 1.
PRIOR_PAIRS = 20.0


@dataclass
class Estimate:
    """Estimated parameters: prior match rate and m/u per field and level."""

    prior: float
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    iterations: int
    converged: bool
    pairs: int
    labelled: int = 0
    history: list[float] = field(default_factory=list)
    # Where EM started: "pairwise" (the plain mixture's estimate) or "generic" (the ramps).
    started_from: str = "pairwise"
    # Learned share of nights a phone is in another's hands than its window's user
    # (attribution.handover): a night with no evidence of its own for a candidate
    # keeps only 1 - handover of his probability.
    handover: float = 0.0
    # The same, on nights the phone was placed in the candidate's own cell (a cellmate
    # may have it): such a night keeps 1 - handover_placed.
    handover_placed: float = 0.0
    # Learned share of nights a phone has a second user (attribution.window.sharing_sql):
    # on a night his own calls do not settle, a candidate's probability mixes one user a
    # night with his own odds in this proportion (attribution.scoring.share_sql).
    shared: float = 0.0
    # Learned share of co-placed nights on which a cellmate used the phone too
    # (attribution.cellmates; 0 unless RunParams.cellmate_share).
    cellmates: float = 0.0

    def weight(self, name: str, level: int) -> float:
        """log2(m/u) of a level: bits of evidence; 0 for "no information" (-1)."""
        if level < 0:
            return 0.0
        return float(np.log2(self.m[name][level] / self.u[name][level]))

    def weights(self) -> dict[str, dict[int, float]]:
        """Every field's level weights in bits."""
        return {f: {lv: self.weight(f, lv) for lv in self.m[f]} for f in self.m}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for saving with the run."""
        return {
            "prior": self.prior, "iterations": self.iterations, "converged": self.converged,
            "pairs": self.pairs, "labelled": self.labelled, "started_from": self.started_from,
            "handover": self.handover, "handover_placed": self.handover_placed,
            "shared": self.shared, "cellmates": self.cellmates,
            "m": {f: {str(k): v for k, v in lv.items()} for f, lv in self.m.items()},
            "u": {f: {str(k): v for k, v in lv.items()} for f, lv in self.u.items()},
            "weights_log2": {f: {str(k): v for k, v in lv.items()}
                             for f, lv in self.weights().items()},
        }


def _initial(levels: Sequence[int], matching: bool) -> F64:
    # Start m rising with the level and u falling, as for any "more agreement" scale.
    ramp = np.arange(1, len(levels) + 1, dtype=np.float64)
    start = ramp if matching else ramp[::-1] ** 2
    out: F64 = start / start.sum()
    return out


Levels = dict[str, F64]


def _starts(fields: Mapping[str, Sequence[int]],
            start: Mapping[str, tuple[Sequence[float], Sequence[float]]]
            ) -> tuple[Levels, Levels]:
    """Starting (and Dirichlet-prior) m and u per field: given, or the generic ramps."""
    m0 = {f: np.asarray(start[f][0], dtype=np.float64) if f in start
          else _initial(levels, True) for f, levels in fields.items()}
    u0 = {f: np.asarray(start[f][1], dtype=np.float64) if f in start
          else _initial(levels, False) for f, levels in fields.items()}
    return m0, u0


def dirichlet_map(counts: F64, mean: F64, strength: float) -> F64:
    """The MAP distribution of a level's counts under a Dirichlet(strength x mean) prior.

    ``strength`` is in pseudo-pairs: 0 gives the counts' own shares (plain EM's M-step),
    infinity gives ``mean``; in between, the more pairs behind the counts, the less the
    prior moves them.
    """
    if np.isinf(strength):
        out: F64 = np.asarray(mean, dtype=np.float64) / float(np.sum(mean))
        return out
    total: F64 = np.asarray(counts, dtype=np.float64) + strength * np.asarray(mean)
    share: F64 = total / float(total.sum())
    return share


def evidence_strength(strength: float, evidence: float, half_pairs: float) -> float:
    """The prior's pseudo-pairs for one field and side, given that side's evidence.

    A fixed strength is a fixed number of pairs, so on a world whose match side rests on
    a hundred expected pairs (calls for a fifth of the SIMs, docs/attribution.md, round
    8: world 2106) the development worlds' centre outweighs the world and holds its
    strongest levels below what its own rows show. Here the strength falls with the
    field's own evidence, ``strength x n / (n + half_pairs)`` (half at ``half_pairs``
    expected pairs), so the centre's share of the M-step, ``strength / (n + half_pairs
    + strength)``, never passes ``strength / (half_pairs + strength)`` and a rich field
    still gets nearly the full strength. ``half_pairs`` 0 keeps the fixed strength.
    """
    if half_pairs <= 0 or np.isinf(strength):
        return strength
    return strength * evidence / (evidence + half_pairs)


def observed_centre(mean: F64, observed: npt.NDArray[np.bool_]) -> F64:
    """The centre renormalised over the levels a world's rows show (all if none).

    A level no row has (a vendor that locates to the wing never gives a zone level 2)
    says nothing about how the levels the world does show are shared; the centre's mass
    on it would only take pseudo-pairs from the levels that carry this world's evidence.
    """
    if not observed.any():
        return mean
    kept: F64 = np.where(observed, mean, 0.0)
    out: F64 = kept / float(kept.sum())
    return out


# Dirichlet prior towards the development worlds' m and u (attribution.em_prior):
# a centre per side and field, and its strength in pseudo-pairs.
Centre = tuple[Levels, Levels]
# How estimate_assigned applies that strength unless told: the expected pairs at which
# a field side gets half of it (0: all of it, always), and whether the centre is
# renormalised over the levels the world's rows show. Both off: round 9 measured them
# and its rule kept neither (docs/attribution.md, Round 9).
PRIOR_HALF_PAIRS = 0.0
PRIOR_OBSERVED_ONLY = False


@dataclass(frozen=True)
class PriorRule:
    """How the Dirichlet prior towards the centre is applied in the M-step.

    ``strength`` pseudo-pairs at most; ``half_pairs`` scales them with each field's
    evidence (:func:`evidence_strength`, 0: fixed); ``observed_only`` renormalises the
    centre over the levels the rows show (:func:`observed_centre`).
    """

    strength: float = 0.0
    half_pairs: float = 0.0
    observed_only: bool = False


def _m_step(fields: Mapping[str, Sequence[int]], lv: Mapping[str, npt.NDArray[np.int64]],
            weights: tuple[F64, F64], mu: tuple[Levels, Levels],
            prior: tuple[Levels, Levels], centre: Centre | None = None,
            rule: PriorRule = PriorRule()) -> None:
    """Update m and u in place from the match / non-match weight of each row of ``lv``."""
    for k, (side, w, p0) in enumerate(zip(mu, weights, prior, strict=True)):
        for f, levels in fields.items():
            counts = np.array([w[lv[f] == level].sum() for level in levels])
            evidence = float(counts.sum())
            counts += PRIOR_PAIRS * p0[f]
            if centre is None or f not in centre[k]:
                side[f][:] = dirichlet_map(counts, p0[f], 0.0)
                continue
            mean = centre[k][f]
            # At infinite strength the centre is the answer, zeros and all: it is kept whole
            # there, since a level at 0 in m and u would have no weight (log 0 / 0).
            if rule.observed_only and not np.isinf(rule.strength):
                mean = observed_centre(mean, np.isin(np.asarray(levels), lv[f]))
            strength = evidence_strength(rule.strength, evidence, rule.half_pairs)
            side[f][:] = dirichlet_map(counts, mean, strength)


def _by_level(values: Levels, fields: Mapping[str, Sequence[int]]) -> dict[str, dict[int, float]]:
    return {f: {int(lvl): float(values[f][j]) for j, lvl in enumerate(ls)}
            for f, ls in fields.items()}


def estimate(
    patterns: Mapping[str, Sequence[int]],
    counts: Sequence[int],
    fields: Mapping[str, Sequence[int]],
    n_match: Sequence[int] | None = None,
    n_nonmatch: Sequence[int] | None = None,
    iterations: int = 200,
    tolerance: float = 1e-7,
    start: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Estimate:
    """Estimate prior, m and u from vector counts (``patterns[field][i]`` is a level).

    ``start`` gives a field's starting (and Dirichlet-prior) m and u where the generic
    ramp is wrong: rare, strong evidence whose level 0 is nearly everyone's.

    >>> est = estimate({"a": [0, 1]}, [90, 10], {"a": (0, 1)})
    >>> 0 < est.prior < 1
    True
    """
    n = np.asarray(counts, dtype=np.float64)
    lab_m = np.asarray(n_match if n_match is not None else np.zeros_like(n), dtype=np.float64)
    lab_u = np.asarray(n_nonmatch if n_nonmatch is not None else np.zeros_like(n),
                       dtype=np.float64)
    free = n - lab_m - lab_u
    lv = {f: np.asarray(patterns[f], dtype=np.int64) for f in fields}
    m0, u0 = _starts(fields, start or {})
    if n.sum() <= 0:
        # No pairs at all (an estate with no evidence yet): nothing to learn. The loop
        # would divide by zero and save a NaN prior, which no JSON column accepts.
        return Estimate(prior=0.1, m=_by_level(m0, fields), u=_by_level(u0, fields),
                        iterations=0, converged=True, pairs=0, labelled=0, history=[])
    m = {f: v.copy() for f, v in m0.items()}
    u = {f: v.copy() for f, v in u0.items()}
    prior, history, converged, it = 0.1, [], False, 0
    for it in range(1, iterations + 1):  # noqa: B007  (the count is reported)
        log_m = np.zeros_like(n)
        log_u = np.zeros_like(n)
        for f, levels in fields.items():
            idx = np.searchsorted(np.asarray(levels), np.maximum(lv[f], 0))
            known = lv[f] >= 0
            log_m += np.where(known, np.log(m[f][idx]), 0.0)
            log_u += np.where(known, np.log(u[f][idx]), 0.0)
        a = np.log(prior) + log_m
        b = np.log1p(-prior) + log_u
        post = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        w_m = free * post + lab_m
        w_u = free * (1.0 - post) + lab_u
        new_prior = float(np.clip(w_m.sum() / n.sum(), 1e-6, 1 - 1e-6))
        _m_step(fields, lv, (w_m, w_u), (m, u), (m0, u0))
        history.append(new_prior)
        if abs(new_prior - prior) < tolerance:
            prior, converged = new_prior, True
            break
        prior = new_prior
    return Estimate(
        prior=prior, m=_by_level(m, fields), u=_by_level(u, fields), iterations=it,
        converged=converged, pairs=int(n.sum()), labelled=int(lab_m.sum() + lab_u.sum()),
        history=history,
    )


# The constrained EM stops when no comparison vector's weight moves by more than this
# (natural log units; a thousandth of a bit is far below any level's difference).
WEIGHT_TOLERANCE = 1e-3

# Levels run from -1 ("no information") up to 7, so each field takes three bits of a code.
CODE_BITS = 3


def encode_sql(fields: Mapping[str, Sequence[int]]) -> str:
    """SQL packing a row's ``l_<field>`` levels into one integer (see :func:`decode`)."""
    return " + ".join(f"(l_{f} + 1) * {1 << (CODE_BITS * k)}" for k, f in enumerate(fields))


def decode(codes: npt.NDArray[np.int64], fields: Mapping[str, Sequence[int]]
           ) -> dict[str, npt.NDArray[np.int64]]:
    """Each field's level from codes made by :func:`encode_sql`."""
    mask = (1 << CODE_BITS) - 1
    return {f: ((codes >> (CODE_BITS * k)) & mask) - 1 for k, f in enumerate(fields)}


def own_call_labels(codes: npt.NDArray[np.int64], groups: npt.NDArray[np.int64],
                    labels: npt.NDArray[np.int64], fields: Mapping[str, Sequence[int]],
                    field: str = "today", level: int = 2) -> npt.NDArray[np.int64]:
    """``labels`` with a confirmation added on each identifier-day no analyst judged where
    exactly one candidate's ``field`` is at ``level`` (by default: he alone called his own,
    unshared PIN numbers from the phone that day).

    Such a day names its user by calls, not by where the RF vendor or the zone put the
    phone, so on a world whose vendor places phones in the wrong cell of a landing these
    days show EM how often the vendor's placements point at a neighbour.
    """
    out = labels.copy()
    if not len(codes) or field not in fields:
        return out
    hit = decode(codes, fields)[field] == level
    n_groups = int(groups.max()) + 1
    hits = np.bincount(groups, weights=hit.astype(np.float64), minlength=n_groups)
    judged = np.zeros(n_groups, dtype=bool)
    judged[groups[labels >= 0]] = True
    own = hit & (hits[groups] == 1) & ~judged[groups]
    out[own] = 1
    return out


def _prior_odds(lam: float, post: F64, sizes: F64) -> float:
    """The M-step for the per-candidate prior odds, returned as a probability.

    A day with ``n`` candidates has "none of them" with prior ``1 / (1 + n lam)`` and
    each candidate ``lam / (1 + n lam)``; the expected complete-data likelihood peaks
    at ``lam = sum(post) / sum_g n_g / (1 + n_g lam)``, solved by a few fixed-point steps.
    """
    for _ in range(50):
        lam = float(post.sum() / max(float((sizes / (1.0 + lam * sizes)).sum()), 1e-12))
    return float(np.clip(lam / (1.0 + lam), 1e-6, 1 - 1e-6))


def estimate_assigned(
    codes: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    labels: npt.NDArray[np.int64],
    fields: Mapping[str, Sequence[int]],
    iterations: int = 200,
    tolerance: float = 1e-6,
    start: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    start_prior: float = 0.1,
    centre: Centre | None = None,
    strength: float = 0.0,
    half_pairs: float = PRIOR_HALF_PAIRS,
    observed_only: bool = PRIOR_OBSERVED_ONLY,
) -> Estimate:
    """EM where each identifier-day has at most one user among its candidates.

    ``codes[i]`` is row i's comparison vector (:func:`encode_sql`), ``groups[i]`` its
    identifier-day and ``labels[i]`` 1 (confirmed), 0 (rejected) or -1. A plain
    mixture treats every (identifier-day, prisoner) pair on its own, so the cellmates
    and neighbours a detection places together all look like "matches" and EM learns
    that being placed is what a match is. Here the E-step is the scoring rule itself,
    ``P(i) = odds_i / (1 + sum_j odds_j)`` over the day's candidates, so candidates
    compete and EM learns what tells the user apart from the people around him.
    ``centre`` and ``strength`` shrink m and u towards the development worlds' estimates
    (:func:`dirichlet_map`): a world with few vectors moves little from them.
    ``half_pairs`` and ``observed_only`` say how (:class:`PriorRule`).
    """
    uniq, pat = np.unique(codes, return_inverse=True)
    lv = decode(uniq.astype(np.int64), fields)
    rule = PriorRule(strength, half_pairs, observed_only)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    m0, u0 = _starts(fields, start or {})
    m = {f: v.copy() for f, v in m0.items()}
    u = {f: v.copy() for f, v in u0.items()}
    confirmed_day = np.zeros(n_groups, dtype=bool)
    confirmed_day[groups[labels == 1]] = True
    fixed = confirmed_day[groups] | (labels == 0)
    sizes: F64 = np.bincount(groups, weights=(labels != 0).astype(np.float64),
                             minlength=n_groups).astype(np.float64)
    prior, history, converged, it = start_prior, [], False, 0
    last_bits = np.zeros(len(uniq))
    for it in range(1, iterations + 1):  # noqa: B007  (the count is reported)
        bits = np.zeros(len(uniq))
        for f, levels in fields.items():
            idx = np.searchsorted(np.asarray(levels), np.maximum(lv[f], 0))
            bits += np.where(lv[f] >= 0, np.log(m[f][idx] / u[f][idx]), 0.0)
        ratio = np.where(labels == 0, 0.0, np.exp(np.clip(bits, -80.0, 80.0))[pat])
        total = np.bincount(groups, weights=ratio, minlength=n_groups)
        lam = prior / (1 - prior)
        post = lam * ratio / (1.0 + lam * total[groups])
        post = np.where(fixed, (labels == 1).astype(np.float64), post)
        w_m = np.bincount(pat, weights=post, minlength=len(uniq)).astype(np.float64)
        w_u = np.bincount(pat, weights=1.0 - post, minlength=len(uniq)).astype(np.float64)
        new_prior = _prior_odds(lam, post, sizes) if len(post) else 0.1
        _m_step(fields, lv, (w_m, w_u), (m, u), (m0, u0), centre, rule)
        history.append(new_prior)
        # Converged when neither the prior nor any vector's weight still moves.
        moved = float(np.abs(bits - last_bits).max()) if len(bits) else 0.0
        if abs(new_prior - prior) < tolerance and moved < WEIGHT_TOLERANCE:
            prior, converged = new_prior, True
            break
        prior, last_bits = new_prior, bits
    return Estimate(
        prior=prior, m=_by_level(m, fields), u=_by_level(u, fields), iterations=it,
        converged=converged, pairs=len(codes), labelled=int((labels >= 0).sum()),
        history=history,
    )
