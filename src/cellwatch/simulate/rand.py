"""Deterministic random streams: one independent numpy Generator per (purpose, part).

Every stream is ``PCG64(SeedSequence(seed, spawn_key=(purpose, *parts)))``, so a part
of the simulation draws the same numbers whatever order the parts run in.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Purposes of random streams; values are part of the output's identity, never reorder."""

    ESTATE = 1
    POPULATION = 2
    CONTACTS = 3
    DEVICES = 4
    DETECTIONS = 5
    SEIZURES = 6
    CALLS = 7
    SOCIAL = 8
    FORMATS = 9
    CORRUPTION = 10
    IDENTIFIERS = 11


def rng_for(seed: int, stream: Stream, *parts: int) -> np.random.Generator:
    """A Generator for one purpose and part, e.g. ``rng_for(7, Stream.DETECTIONS, est, block)``."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(int(stream), *parts))
    return np.random.Generator(np.random.PCG64(ss))
