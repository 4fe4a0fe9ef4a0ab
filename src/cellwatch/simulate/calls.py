"""Operator call, SMS and data records for SIMs of interest, and who was really behind them."""

from __future__ import annotations

from typing import Any

import numpy as np

from cellwatch.simulate.campaigns import Campaign, active_campaign
from cellwatch.simulate.clock import format_ts
from cellwatch.simulate.contacts import Contacts
from cellwatch.simulate.detections import _profiles
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import phone_styled
from cellwatch.simulate.ids import operator_name
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

Cols = dict[str, list[Any]]
COLUMNS = (
    "operator",
    "record_type",
    "start_ts",
    "duration_s",
    "direction",
    "subject_msisdn",
    "subject_imsi",
    "subject_imei",
    "other_party",
    "cell_id",
)
TRUTH = ("line", "prison_number", "category", "device_id", "sim_id")


def _other(cat: str, user: int, est: int, c: Contacts, rng: np.random.Generator) -> tuple[str, str]:
    fam = c.family.get(user, [])
    if cat == "SHARED_FAMILY" and user in c.shared_family:
        return c.shared_family[user], cat
    if cat == "ASSOCIATE" and user in c.group_of:
        nums = c.groups[c.group_of[user]][1]
        return nums[int(rng.integers(len(nums)))], cat
    if cat == "PRIVILEGED":
        return c.privileged[int(rng.integers(len(c.privileged)))][0], cat
    if cat == "SWITCHBOARD":
        return c.switchboards[est], cat
    if cat in ("FAMILY", "SHARED_FAMILY", "ASSOCIATE") and fam:
        return fam[int(rng.integers(len(fam)))], "FAMILY"
    return c.others[int(rng.integers(len(c.others)))], "OTHER"


def call_tables(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    c: Contacts,
    campaigns: list[Campaign],
    midnights: np.ndarray,
    seed: int,
) -> tuple[Cols, Cols]:
    """call_records rows (time order) and truth/call_records.csv."""
    rng = rng_for(seed, Stream.CALLS)
    cats = sorted(sc.calls.shares)
    w = np.array([sc.calls.shares[k] for k in cats])
    cum = _profiles(sc.usage.night_share)[0]
    camp = active_campaign(campaigns)
    messy = sc.run.messy_formats
    rows: list[tuple[int, list[object], list[object]]] = []
    for est, cb in zip(estate, cbs, strict=True):
        wanted = rng.random(len(cb.imsi)) < sc.calls.requested_sim_fraction
        u = cb.usage
        for i in np.flatnonzero(wanted[u["sim"]]).tolist():
            day, dev, sim, user, role = (
                int(u[k][i]) for k in ("day", "dev", "sim", "prisoner", "role")
            )
            n = int(rng.poisson(sc.calls.events_per_day * (1.0, 0.5, 0.4)[role]))
            targets = [
                _other(cats[int(rng.choice(len(cats), p=w / w.sum()))], user, est.idx, c, rng)
                for _ in range(n)
            ]
            cp = camp.get(user)
            if cp is not None and cp.start <= day <= cp.end:
                targets += [(cp.victim_number, "CAMPAIGN")] * int(
                    rng.poisson(sc.campaigns.contacts_per_day)
                )
            for other, cat in targets:
                hour = min(23, int(np.searchsorted(cum, rng.random())))
                t = int(midnights[day] + hour * 3600 + rng.integers(3600))
                rtype = (
                    "SMS"
                    if cat == "CAMPAIGN" and rng.random() < 0.6
                    else str(rng.choice(["VOICE", "SMS", "DATA"], p=[0.5, 0.4, 0.1]))
                )
                mo = cat == "CAMPAIGN" or rng.random() < 0.6
                mnc = cb.mnc[sim]
                enb = 10000 + est.idx * 10 + int(rng.integers(3))
                cell = f"234-{mnc}-{enb}-{int(rng.integers(1, 4))}"
                dur = (
                    int(rng.gamma(2.0, 120))
                    if rtype == "VOICE"
                    else (int(rng.integers(60, 3600)) if rtype == "DATA" else None)
                )
                values: list[object] = [
                    (f"234-{mnc}" if messy and rng.random() < 0.5 else operator_name(mnc)),
                    rtype,
                    t,
                    dur,
                    "MO" if mo else "MT",
                    phone_styled(cb.msisdn[sim], int(rng.integers(6)) if messy else 0),
                    cb.imsi[sim],
                    cb.imei[dev],
                    None
                    if rtype == "DATA"
                    else phone_styled(other, int(rng.integers(6)) if messy else 0),
                    cell,
                ]
                trow: list[object] = [
                    0,
                    pop.prisoners.number[user],
                    "DATA" if rtype == "DATA" else cat,
                    f"H-{est.code}-{dev:05d}",
                    f"S-{est.code}-{sim:05d}",
                ]
                rows.append((t, values, trow))
    rows.sort(key=lambda r: (r[0], str(r[1][6]), str(r[1][8])))
    ts = format_ts(
        np.array([r[0] for r in rows], dtype=np.int64), "offset" if messy else "utc_z"
    ).to_pylist()
    cols: Cols = {k: [r[1][i] for r in rows] for i, k in enumerate(COLUMNS)}
    cols["start_ts"] = list(ts)
    truth: Cols = {k: [r[2][i] for r in rows] for i, k in enumerate(TRUTH)}
    truth["line"] = list(range(2, len(rows) + 2))
    return cols, truth
