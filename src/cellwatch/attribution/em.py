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
            "pairs": self.pairs, "labelled": self.labelled,
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
    start = start or {}
    m0 = {f: np.asarray(start[f][0], dtype=np.float64) if f in start
          else _initial(levels, True) for f, levels in fields.items()}
    u0 = {f: np.asarray(start[f][1], dtype=np.float64) if f in start
          else _initial(levels, False) for f, levels in fields.items()}
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
        for f, levels in fields.items():
            known = lv[f] >= 0
            for j, level in enumerate(levels):
                sel = known & (lv[f] == level)
                m[f][j] = w_m[sel].sum() + PRIOR_PAIRS * m0[f][j]
                u[f][j] = w_u[sel].sum() + PRIOR_PAIRS * u0[f][j]
            m[f] /= m[f].sum()
            u[f] /= u[f].sum()
        history.append(new_prior)
        if abs(new_prior - prior) < tolerance:
            prior, converged = new_prior, True
            break
        prior = new_prior
    return Estimate(
        prior=prior,
        m={f: {int(lvl): float(m[f][j]) for j, lvl in enumerate(ls)} for f, ls in fields.items()},
        u={f: {int(lvl): float(u[f][j]) for j, lvl in enumerate(ls)} for f, ls in fields.items()},
        iterations=it, converged=converged, pairs=int(n.sum()),
        labelled=int(lab_m.sum() + lab_u.sum()), history=history,
    )
