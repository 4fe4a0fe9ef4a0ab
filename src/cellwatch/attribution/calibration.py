"""Calibration by the night's evidence class: a shipped map fitted on development worlds.

A night's probability rests on different evidence for different candidates (issue 14):
he called his own PIN numbers from the phone that night (``own``); the phone was placed
in his cell that night (``placed``); the phone made calls that night, none to his own
numbers (``calls``: a borrower's night looks like this); or nothing of that night points
at him and his 14-day window carries it (``window``). The model's probabilities are
calibrated differently in each class: on the development worlds ``calls`` nights were
right far less often than said (0.74 said, 0.11 right) and ``placed`` nights, where
cellmates share a phone and truth counts both, more often (0.34 said, 0.49 right).

The map is data (``data/calibration.toml``) fitted by :func:`fit` on the development
worlds' ground truth only (worlds 1001-1006 x seeds 1, 2; never the held-out ones), with
its provenance; the run applies it in SQL (:func:`calibrated_sql`) and records which map
it used. Its rules push down freely but lift cautiously: a bin's rate is shrunk towards
what the model said, a lift goes only to a lower confidence bound, and no probability is
moved across ``CONFIDENT`` (0.9), the threshold the targets and the analysts act on, in
either direction: none below it is lifted to it, and one at or above it is lowered at
most to it (never lifted). The confident predictions stay the model's, whose precision
is measured (lowering them past 0.9 cost recall on development worlds: most such rows
counted wrong were days truth records no use of the phone at all). The ``own`` class is
left as it is (right on every night of the development worlds).
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from cellwatch.errors import ConfigError

CLASSES = ("own", "placed", "tied", "calls", "window")
# The classes the map adjusts; ``own`` nights keep the model's probability. ``tied``
# (placed with a cellmate as strong, lifted by the learned sharing rate) exists only with
# RunParams.cellmate_share (attribution.cellmates); without it those nights are ``placed``.
MAPPED = ("placed", "tied", "calls", "window")
# No probability below the action threshold is lifted to it by the map.
CONFIDENT = 0.9
LIFT_CAP = 0.89
# Bin edges over the model's probability: finer near the threshold, where it matters.
EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0 + 1e-9)
# Pseudo-rows at the model's own probability: a sparse bin moves little.
PSEUDO_ROWS = 10.0
# One-sided 90% bound (normal approximation) for a lift.
Z = 1.2816

# The class of a scored pair's night, from columns of cw_f_vec.
CLASS_SQL = ("CASE WHEN pin_today > 0 AND pin_today_shared = 0 THEN 'own' "
             "WHEN placed_tonight = 1 THEN 'placed' "
             "WHEN calls_today > 0 THEN 'calls' ELSE 'window' END")


@dataclass(frozen=True)
class Calibration:
    """Knots (model probability -> calibrated) per class, and where they came from."""

    knots: dict[str, tuple[tuple[float, float], ...]]
    provenance: dict[str, Any] = field(default_factory=dict)

    def apply(self, cls: str, p: float) -> float:
        """The calibrated probability (the SQL of :func:`calibrated_sql`, in Python)."""
        pts = self.knots.get(cls)
        if not pts:
            return p
        return _guard(p, _interpolate(pts, p))


def _interpolate(pts: Sequence[tuple[float, float]], p: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if p <= x1:
            return y0 + (p - x0) * (y1 - y0) / (x1 - x0)
    return pts[-1][1]


def _guard(p: float, y: float) -> float:
    if p >= CONFIDENT:
        return max(CONFIDENT, min(p, y))
    return min(y, max(p, LIFT_CAP))


def _pav(rates: list[float], weights: list[float]) -> list[float]:
    """Pool adjacent violators: the closest non-decreasing sequence (weighted)."""
    blocks: list[list[float]] = []  # [rate, weight, count]
    for r, w in zip(rates, weights, strict=True):
        blocks.append([r, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            r2, w2, c2 = blocks.pop()
            r1, w1, c1 = blocks.pop()
            blocks.append([(r1 * w1 + r2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return [b[0] for b in blocks for _ in range(int(b[2]))]


def fit_class(rows: Iterable[tuple[float, bool]]) -> tuple[tuple[float, float], ...]:
    """Knots for one class from (model probability, right) rows.

    Each bin's rate is shrunk towards the bin's mean probability by ``PSEUDO_ROWS``,
    made non-decreasing, and a rate above the model's is replaced by its lower bound
    (then lowered where needed to stay non-decreasing).
    """
    bins: list[list[float]] = [[0.0, 0.0, 0.0] for _ in EDGES[:-1]]  # n, sum p, right
    for p, ok in rows:
        i = next(k for k in range(len(EDGES) - 1) if p < EDGES[k + 1])
        bins[i][0] += 1
        bins[i][1] += p
        bins[i][2] += 1.0 if ok else 0.0
    used = [(n, sp / n, right) for n, sp, right in bins if n > 0]
    if not used:
        return ()
    rates = [(right + PSEUDO_ROWS * mp) / (n + PSEUDO_ROWS) for n, mp, right in used]
    mono = _pav(rates, [n + PSEUDO_ROWS for n, _, _ in used])
    knots: list[tuple[float, float]] = [(0.0, 0.0)]
    for (n, mp, _), r in zip(used, mono, strict=True):
        if r > mp:
            sd = math.sqrt(r * (1.0 - r) / (n + PSEUDO_ROWS))
            r = max(mp, r - Z * sd)
        knots.append((round(mp, 4), round(r, 4)))
    # A lower bound can dip below its left neighbour's: lower the neighbour, not lift it.
    for i in range(len(knots) - 2, -1, -1):
        knots[i] = (knots[i][0], min(knots[i][1], knots[i + 1][1]))
    last_x, last_y = knots[-1]
    if last_x < 1.0:
        knots.append((1.0, min(1.0, last_y + (1.0 - last_x)) if last_y >= last_x else last_y))
    return tuple(knots)


def fit(rows: Iterable[tuple[str, float, bool]]) -> dict[str, tuple[tuple[float, float], ...]]:
    """Knots for every mapped class from (class, model probability, right) rows."""
    by: dict[str, list[tuple[float, bool]]] = {c: [] for c in MAPPED}
    for cls, p, ok in rows:
        if cls in by:
            by[cls].append((p, ok))
    return {c: fit_class(r) for c, r in by.items() if r}


def _piecewise(pts: Sequence[tuple[float, float]], p: str) -> str:
    arms = " ".join(
        f"WHEN {p} <= {x1!r} THEN {y0!r} + ({p} - {x0!r}) * {(y1 - y0) / (x1 - x0)!r}"
        for (x0, y0), (x1, y1) in itertools.pairwise(pts))
    return f"CASE {arms} ELSE {pts[-1][1]!r} END"


def calibrated_sql(cal: Calibration, cls: str, p: str) -> str:
    """An SQL expression: probability ``p`` of a pair in night class ``cls``, calibrated."""
    arms = []
    for name, pts in sorted(cal.knots.items()):
        if len(pts) < 2:
            continue
        y = _piecewise(pts, p)
        arms.append(f"WHEN {cls} = '{name}' THEN CASE WHEN {p} >= {CONFIDENT!r} "
                    f"THEN greatest({CONFIDENT!r}, least({p}, {y})) "
                    f"ELSE least({y}, greatest({p}, {LIFT_CAP!r})) END")
    if not arms:
        return p
    return f"CASE {' '.join(arms)} ELSE {p} END"


def load(text: str | None = None) -> Calibration:
    """The shipped map (``data/calibration.toml``), or one given as TOML text."""
    if text is None:
        text = resources.files("cellwatch.attribution").joinpath(
            "data/calibration.toml").read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
        knots = {name: tuple((float(x), float(y)) for x, y in zip(c["x"], c["y"], strict=True))
                 for name, c in doc.get("classes", {}).items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"calibration map: {exc}") from exc
    for name, pts in knots.items():
        if name not in MAPPED:
            raise ConfigError(f"calibration map: unknown class {name!r}")
        xs = [x for x, _ in pts]
        if xs != sorted(xs) or len(set(xs)) != len(xs):
            raise ConfigError(f"calibration map: class {name!r} knots not increasing")
        if any(not 0.0 <= v <= 1.0 for pt in pts for v in pt):
            raise ConfigError(f"calibration map: class {name!r} has a value outside 0-1")
    return Calibration(knots, dict(doc.get("provenance", {})))


def dump(knots: dict[str, tuple[tuple[float, float], ...]], provenance: dict[str, str],
         counts: dict[str, int]) -> str:
    """The TOML text of a fitted map."""
    out = ["# Calibration map by night class (cellwatch.attribution.calibration).",
           "# Fitted on development worlds only; regenerate with",
           "# python -m cellwatch.attribution.calibration_fit (see docs/attribution.md).",
           "", "[provenance]"]
    out += [f'{k} = "{v}"' for k, v in provenance.items()]
    for name, pts in knots.items():
        out += ["", f"[classes.{name}]", f"rows = {counts.get(name, 0)}",
                f"x = [{', '.join(repr(x) for x, _ in pts)}]",
                f"y = [{', '.join(repr(y) for _, y in pts)}]"]
    return "\n".join(out) + "\n"
