"""The centre of EM's Dirichlet prior: the development worlds' average m and u per level.

A world whose fit rests on few comparison vectors (one where the guard held most of
them) can swing EM's weights far from anything seen in development; a Dirichlet prior
of ``RunParams.em_prior_strength`` pseudo-pairs centred on these averages pulls m and u
back towards them, while a world with many vectors keeps its own (:func:`em.dirichlet_map`).

The centre is data (``data/em_prior.toml``), recomputed with
``python -m cellwatch.attribution.em_prior OUT.toml WORLD_DIR...`` over development
worlds kept by the matrix (``run_world(..., keep=True)``): each is fitted afresh with the
prior off and the worlds' m and u are averaged level by level. Never run it on worlds the
model is judged on.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import numpy as np

from cellwatch.attribution.em import Centre, Estimate
from cellwatch.errors import ConfigError

FILE = "em_prior.toml"


def average(estimates: Sequence[Estimate], fields: dict[str, tuple[int, ...]]) -> Centre:
    """Level-by-level mean of the estimates' m and u (each still sums to one)."""
    if not estimates:
        raise ConfigError("em_prior: no estimates to average")
    m = {f: np.mean([[e.m[f][lv] for lv in ls] for e in estimates], axis=0)
         for f, ls in fields.items()}
    u = {f: np.mean([[e.u[f][lv] for lv in ls] for e in estimates], axis=0)
         for f, ls in fields.items()}
    return m, u


def load(text: str | None = None) -> Centre:
    """The shipped centre (or one given as TOML text)."""
    if text is None:
        text = resources.files("cellwatch.attribution").joinpath(
            "data", FILE).read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
        fields = doc["fields"]
        m = {f: np.asarray(v["m"], dtype=np.float64) for f, v in fields.items()}
        u = {f: np.asarray(v["u"], dtype=np.float64) for f, v in fields.items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"em_prior: {exc}") from exc
    for side in (m, u):
        for f, p in side.items():
            if (p <= 0).any() or abs(float(p.sum()) - 1.0) > 1e-6:
                raise ConfigError(f"em_prior: {f} is not a distribution")
    return m, u


def provenance(text: str | None = None) -> dict[str, str]:
    """Where the shipped centre came from (saved with every run)."""
    if text is None:
        text = resources.files("cellwatch.attribution").joinpath(
            "data", FILE).read_text(encoding="utf-8")
    return {k: str(v) for k, v in tomllib.loads(text).get("provenance", {}).items()}


def dump(centre: Centre, prov: dict[str, str]) -> str:
    """TOML text of a centre with its provenance."""
    m, u = centre
    out = ["# Centre of EM's Dirichlet prior (cellwatch.attribution.em_prior): the",
           "# development worlds' mean m and u per level; regenerate with",
           "# python -m cellwatch.attribution.em_prior (see docs/attribution.md).", "",
           "[provenance]"]
    out += [f'{k} = "{v}"' for k, v in prov.items()]
    for f in m:
        out += ["", f"[fields.{f}]",
                "m = [" + ", ".join(f"{x:.6g}" for x in m[f] / m[f].sum()) + "]",
                "u = [" + ", ".join(f"{x:.6g}" for x in u[f] / u[f].sum()) + "]"]
    return "\n".join(out) + "\n"


def world_estimate(world: Path) -> Estimate:
    """EM on a kept world's vectors with the prior off (strength 0)."""
    from cellwatch.attribution.params import RunParams
    from cellwatch.attribution.pipeline import build_features, fit
    from cellwatch.attribution.sources import open_engine
    from cellwatch.settings import Settings
    from cellwatch.store import open_store

    settings = Settings(home=world / "home", environment="test")
    store = open_store(settings)
    engine = open_engine(settings, store)
    try:
        params = replace(RunParams(), em_prior_strength=0.0)
        build_features(engine, params)
        return fit(engine, params)
    finally:
        engine.close()
        store.dispose()


def main(argv: list[str]) -> int:
    """Fit every world given, average, and write the TOML centre."""
    from cellwatch.attribution.window import FIELDS

    if len(argv) < 2:
        print(__doc__)
        return 2
    out, worlds = Path(argv[0]), [Path(a) for a in argv[1:]]
    centre = average([world_estimate(w) for w in worlds], FIELDS)
    prov = {"fitted_on": ", ".join(w.name for w in worlds),
            "fitted_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "how": "mean of each world's EM m and u with the prior off"}
    out.write_text(dump(centre, prov), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
