"""Randomised worlds: the variation real estates have, each a parameter drawn from a range.

``cellwatch simulate --randomise`` and ``cellwatch evaluate --matrix`` draw a world from
:data:`RANGES` with a *world seed* (separate from the simulation seed, so one world can
be simulated with several seeds). The draw and the seed are recorded in the manifest.
Worlds are small (two prisons, four weeks) so a matrix of them runs in minutes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cellwatch.simulate.scenario import Scenario, scenario_from_mapping

# A small estate: a matrix of 24 worlds must run in minutes on two cores.
BASE: dict[str, Any] = {
    "run": {"name": "world", "days": 28, "chunk_days": 7, "rows_per_part": 100_000},
    "estate": {"establishments": 2, "codes": [], "capacity_scale": 0.15},
}

# key -> (low, high) for a uniform draw, or a tuple of choices drawn evenly.
RANGES: dict[str, tuple[float, float] | tuple[str, ...]] = {
    # Sensors: how finely each locates a phone, and how well it works.
    "estate.rf_detectors_per_landing": (0.0, 3.0),  # 0: no RF detection at all
    "estate.rf_range_m": (12.0, 25.0),
    "estate.managed_access_fraction": (0.3, 1.0),
    "estate.managed_access_zone": ("WING", "LANDING"),
    # Past ~60 m a wing's unit also hears the neighbouring wings' cells.
    "estate.managed_access_range_m": (30.0, 110.0),
    "estate.vendor_location_level": ("SENSOR", "CELL", "LANDING", "WING"),
    "estate.vendor_location_error": (0.0, 0.3),
    "estate.outages_per_sensor_year": (0.0, 15.0),
    "estate.outage_mean_days": (1.0, 5.0),
    "estate.double_cell_fraction": (0.0, 0.7),
    "detection.miss_rate": (0.05, 0.4),
    # Operator returns: for none to all of the SIMs.
    "calls.requested_sim_fraction": (0.0, 1.0),
    # Habits: lending for a night, renting, sharing, inheriting when the owner leaves.
    "contraband.lend_probability": (0.0, 0.25),
    "contraband.rent_probability": (0.0, 0.3),
    "contraband.share_probability": (0.0, 0.4),
    "contraband.pass_on_probability": (0.2, 0.9),
    "contraband.follow_on_transfer_probability": (0.0, 1.0),
    # Movement.
    "population.cell_moves_per_prisoner_year": (0.0, 8.0),
    "population.transfers_per_prisoner_year": (0.0, 2.0),
    # Phones that belong: staff, contractors, visitors; allow-lists never complete.
    "detection.staff_phones_per_establishment": (4.0, 20.0),
    "detection.staff_allow_listed_fraction": (0.5, 1.0),
    "detection.contractor_fraction": (0.0, 0.5),
    "detection.visitors_per_session": (2.0, 12.0),
    "detection.visitor_phone_fraction": (0.1, 0.6),
}
# Drawn as whole numbers.
INTEGERS = frozenset({"detection.staff_phones_per_establishment"})
# Keeps world draws apart from every stream the simulator itself uses.
WORLD_STREAM = 14_000


def draw(world_seed: int) -> dict[str, Any]:
    """The drawn values of one world, by dotted key, in :data:`RANGES` order."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([WORLD_STREAM,
                                                                      world_seed])))
    out: dict[str, Any] = {}
    for key, spec in RANGES.items():
        if isinstance(spec[0], str):
            out[key] = str(spec[int(rng.integers(len(spec)))])
            continue
        lo, hi = float(spec[0]), float(spec[1])
        value = lo + (hi - lo) * float(rng.random())
        out[key] = round(value) if key in INTEGERS else round(value, 3)
    return out


def world_scenario(world_seed: int, base: dict[str, Any] | None = None
                   ) -> tuple[Scenario, dict[str, Any]]:
    """A scenario for world ``world_seed`` (``base`` defaults to :data:`BASE`) and the
    values drawn, as the manifest records them."""
    drawn = draw(world_seed)
    mapping: dict[str, Any] = {k: dict(v) for k, v in (base or BASE).items()}
    for key, value in drawn.items():
        section, name = key.split(".")
        mapping.setdefault(section, {})[name] = value
    mapping["run"]["name"] = f"world-{world_seed}"
    return scenario_from_mapping(mapping, f"world {world_seed}"), {
        "world_seed": world_seed, "drawn": drawn}
