"""The fixed settings of an attribution run (windows, hours, limits), saved with each run.

These are choices about *what* to compare, not estimates: the weights of each
comparison level are estimated from the data by EM (:mod:`cellwatch.attribution.em`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from cellwatch.errors import ConfigError

# Window day counts are packed into bit fields of this width (attribution.window).
MAX_WINDOW_DAYS = 4095


@dataclass(frozen=True)
class RunParams:
    """What an attribution run compares and over which window."""

    # Trailing window: day d's attribution uses evidence from days d-window+1 .. d only,
    # so every attribution is one that could have been made on the day.
    window_days: int = 14
    # Prisoners are locked in their cells overnight (Europe/London wall-clock hours).
    night_start_hour: int = 20
    night_end_hour: int = 8
    # An evidence day runs from 08:00 to 08:00 local, so one night is one day.
    day_start_hour: int = 8
    # The moment (hours after UTC midnight of the evidence day) at which the cell's
    # occupant is looked up: late evening in both GMT and BST.
    occupant_hour_utc: int = 23
    # A number called by more distinct identifiers than this is a switchboard or a
    # shared line and is not evidence.
    max_callers_per_number: int = 12
    # Candidates kept per identifier and day, and the smallest probability reported.
    top_k: int = 3
    min_probability: float = 0.01
    # EM's rankings settle within about 30 iterations; only rare levels' weights drift on.
    em_iterations: int = 50
    # EM is fitted on at most about this many identifier-days (a fixed, evenly spread
    # sample, plus every day an analyst labelled); scoring always uses all of them.
    em_max_days: int = 100_000
    # Pseudo-pairs of EM's Dirichlet prior towards the development worlds' m and u
    # (attribution.em_prior); 0 turns it off. Chosen by leave-one-world-out on the
    # development worlds (docs/attribution.md, Round 6).
    em_prior_strength: float = 100.0
    # Learn how often a phone has a second user a night and let a candidate's share of
    # a night rise towards his own odds that often (attribution.scoring.share_sql); off,
    # one user a night. Off: not kept on fresh worlds 2501-2512 (docs/attribution.md,
    # Round 10; it over-states rivals).
    share_nights: bool = False
    # Learn per world how far the vendor's placements can be trusted: days on which one
    # candidate alone called his own, unshared PIN numbers become labels for EM
    # (attribution.em.own_call_labels), and on a world whose vendor fixes mostly name a
    # landing or wing the prior pulls the vendor field towards no evidence, not towards
    # the development worlds' cell-accurate vendors (pipeline.coarse_vendor). Off: not
    # kept on fresh worlds 2601-2612 (docs/attribution.md, Round 11; worst ECE not lower).
    vendor_trust: bool = False
    # Learn per world how often cellmates on one placement both use the phone that night
    # and lift a tied cellmate's share by it; his night is calibrated as its own class,
    # ``tied`` (attribution.cellmates). Off, or no rate learned: round 11's scoring
    # exactly. Off: not kept on fresh worlds 2701-2712 (docs/attribution.md, Round 12;
    # worst ECE lower, mean ECE higher).
    cellmate_share: bool = False
    # Map each probability through the shipped calibration by night class
    # (attribution.calibration); off only to fit that map.
    calibrate: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ConfigError(f"window_days must be 1 to {MAX_WINDOW_DAYS}, not {self.window_days}")

    def as_dict(self) -> dict[str, Any]:
        """The settings, for saving with a run."""
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> RunParams:
        """The settings a run saved (``as_dict``); keys a later version dropped are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in saved.items() if k in known})
