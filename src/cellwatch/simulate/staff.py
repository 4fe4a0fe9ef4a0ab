"""Phones that belong in a prison: staff and contractor handsets, most of them allow-listed."""

from __future__ import annotations

from dataclasses import dataclass

from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.ids import IdentifierFactory, load_tacs, pick_operator
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario


@dataclass(frozen=True)
class StaffPhone:
    """An authorised phone carried on duty."""

    device_id: str
    imei: str
    imsi: str
    msisdn: str
    reason: str  # STAFF or CONTRACTOR
    allow_listed: bool
    description: str


def staff_phones(sc: Scenario, est: Establishment, seed: int, issued: set[str]) -> list[StaffPhone]:
    """The staff and contractor phones of one establishment."""
    rng = rng_for(seed, Stream.DEVICES, 10_000 + est.idx)
    ids = IdentifierFactory(rng_for(seed, Stream.IDENTIFIERS, 4, est.idx), issued)
    tacs = load_tacs()
    out = []
    for k in range(sc.detection.staff_phones_per_establishment):
        mnc, _ = pick_operator(rng)
        reason = "CONTRACTOR" if rng.random() < sc.detection.contractor_fraction else "STAFF"
        role = "contractor" if reason == "CONTRACTOR" else "operational staff"
        out.append(
            StaffPhone(
                device_id=f"STAFF-{est.code}-{k + 1:03d}",
                imei=ids.imei(tacs[int(rng.integers(len(tacs)))].tac),
                imsi=ids.imsi(mnc),
                msisdn=ids.mobile(),
                reason=reason,
                allow_listed=bool(rng.random() < sc.detection.staff_allow_listed_fraction),
                description=f"{est.code} {role} phone {k + 1}",
            )
        )
    return out
