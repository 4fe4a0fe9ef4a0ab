"""Seizure rows (one per item) and their truth, from every establishment's finds."""

from __future__ import annotations

from typing import Any

import numpy as np

from cellwatch.simulate.clock import format_ts
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import imei_styled, phone_styled
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

Cols = dict[str, list[Any]]
COLUMNS = (
    "seizure_ref",
    "item_no",
    "ts",
    "establishment",
    "location_code",
    "search_type",
    "item_type",
    "imei",
    "iccid",
    "imsi",
    "msisdn",
    "make",
    "model",
    "prison_number",
)
TRUTH = ("seizure_ref", "item_no", "device_id", "sim_id", "true_prison_number")


def seizure_tables(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    midnights: np.ndarray,
    seed: int,
) -> tuple[Cols, Cols]:
    """The seizures file and truth/seizures.csv, ordered by time."""
    rng = rng_for(seed, Stream.SEIZURES)
    messy = sc.run.messy_formats
    rows: list[tuple[int, list[object], list[object]]] = []
    for est, cb in zip(estate, cbs, strict=True):
        for n, sz in enumerate(cb.seizures):
            t = int(midnights[sz.day] + rng.integers(8 * 3600, 17 * 3600))
            ref = f"{est.code}-SZ-{n + 1:05d}"
            who = pop.prisoners.number[sz.prisoner] if sz.prisoner >= 0 else None
            true = pop.prisoners.number[sz.true_owner] if sz.true_owner >= 0 else None
            for k, (item, dev, sim) in enumerate(sz.items):
                imei = make = model = iccid = imsi = msisdn = None
                if dev >= 0:
                    make, model = cb.make[dev], cb.model[dev]
                    # Damaged or wiped handsets sometimes give up no IMEI.
                    if rng.random() < 0.9:
                        imei = imei_styled(
                            cb.imei[dev], int(rng.choice(3, p=[0.6, 0.2, 0.2])) if messy else 0
                        )
                if sim >= 0:
                    iccid = cb.iccid[sim]
                    imsi = cb.imsi[sim] if rng.random() < 0.5 else None
                    if rng.random() < 0.3:
                        msisdn = phone_styled(cb.msisdn[sim], int(rng.integers(6)) if messy else 0)
                values: list[object] = [
                    ref,
                    k + 1,
                    t,
                    est.code,
                    est.loc_code[sz.loc],
                    sz.search_type,
                    item,
                    imei,
                    iccid,
                    imsi,
                    msisdn,
                    make,
                    model,
                    who,
                ]
                trow: list[object] = [
                    ref,
                    k + 1,
                    f"H-{est.code}-{dev:05d}" if dev >= 0 else None,
                    f"S-{est.code}-{sim:05d}" if sim >= 0 else None,
                    true,
                ]
                rows.append((t, values, trow))
    rows.sort(key=lambda r: (r[0], str(r[1][0]), int(str(r[1][1]))))
    ts = format_ts(
        np.array([r[0] for r in rows], dtype=np.int64), "local" if messy else "utc_z"
    ).to_pylist()
    cols: Cols = {c: [r[1][i] for r in rows] for i, c in enumerate(COLUMNS)}
    cols["ts"] = list(ts)
    truth: Cols = {c: [r[2][i] for r in rows] for i, c in enumerate(TRUTH)}
    return cols, truth
