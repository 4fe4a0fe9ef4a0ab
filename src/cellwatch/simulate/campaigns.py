"""Harassment campaigns: a prisoner contacting a protected former partner from a phone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.handles import handle_name, social_handle
from cellwatch.simulate.ids import IdentifierFactory
from cellwatch.simulate.names import PLATFORMS
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

CONDITIONS = (
    "RESTRAINING_ORDER",
    "NON_MOLESTATION_ORDER",
    "LICENCE_CONDITION",
    "NO_CONTACT_REQUEST",
)


@dataclass(frozen=True)
class Campaign:
    """One campaign; accounts are ``platform:handle``."""

    ref: str
    prisoner: int
    person_ref: str
    condition: str
    victim_number: str
    victim_account: str
    prisoner_accounts: tuple[str, ...]
    start: int
    end: int  # inclusive day


def plan_campaigns(
    sc: Scenario, cbs: list[Contraband], pop: Population, seed: int, issued: set[str]
) -> list[Campaign]:
    """Choose phone owners who harass a protected person, and when."""
    rng = rng_for(seed, Stream.SOCIAL, 1)
    ids = IdentifierFactory(rng_for(seed, Stream.IDENTIFIERS, 5), issued)
    owners: dict[int, tuple[int, int]] = {}
    for cb in cbs:
        u = cb.usage
        for p, d in zip(
            u["prisoner"][u["role"] == 0].tolist(), u["day"][u["role"] == 0].tolist(), strict=True
        ):
            lo, hi = owners.get(p, (d, d))
            owners[p] = (min(lo, d), max(hi, d))
    out: list[Campaign] = []
    for p in sorted(owners):
        if rng.random() >= sc.campaigns.campaign_fraction_of_users:
            continue
        lo, hi = owners[p]
        start = int(rng.integers(lo, hi + 1))
        end = min(hi, start + int(rng.integers(10, 60)))
        n = len(out) + 1
        first = handle_name(pop.prisoners.forenames[p])
        tag = f"{int(rng.integers(10, 99))}{'xyz'[n % 3]}"
        platform = PLATFORMS[int(rng.integers(len(PLATFORMS)))]
        accounts = tuple(
            social_handle(platform, first, f"{tag}{k or ''}")
            for k in range(1 + int(rng.random() < 0.3))
        )
        out.append(
            Campaign(
                ref=f"CAMP-{n:04d}",
                prisoner=p,
                person_ref=f"PP-{n:04d}",
                condition=CONDITIONS[int(rng.integers(len(CONDITIONS)))],
                victim_number=ids.mobile(),
                victim_account=social_handle(
                    platform, "vic", f"{n:04d}", str(int(rng.integers(1000, 9999)))
                ),
                prisoner_accounts=accounts,
                start=start,
                end=end,
            )
        )
    return out


def active_campaign(campaigns: list[Campaign]) -> dict[int, Campaign]:
    """Campaign by prisoner id."""
    return {c.prisoner: c for c in campaigns}


def in_campaign(c: Campaign | None, day: np.ndarray) -> np.ndarray:
    """Whether each day falls inside the campaign."""
    if c is None:
        return np.zeros(len(day), dtype=bool)
    return (day >= c.start) & (day <= c.end)
