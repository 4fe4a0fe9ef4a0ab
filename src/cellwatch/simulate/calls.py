"""Operator call, SMS and data records for SIMs of interest, and who was really behind them.

Vectorised per establishment. Every record is also a transmission of the handset from
where its user is that day (:func:`call_tables` returns them per establishment), which
the detection phase offers to the sensors: a call from a phone that a managed-access unit
covers coincides with a detection of that IMSI/IMEI unless the unit misses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cellwatch.ingest.call_records import KNOWN_COLUMNS
from cellwatch.simulate.campaigns import Campaign
from cellwatch.simulate.clock import format_ts
from cellwatch.simulate.contacts import Contacts
from cellwatch.simulate.detections import _profiles, prisoner_seconds
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import phone_styled
from cellwatch.simulate.geo import mast_positions
from cellwatch.simulate.ids import operator_name
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

I64 = npt.NDArray[np.int64]
COLUMNS = KNOWN_COLUMNS  # the contract's columns, as ingest reads them
TRUTH = ("line", "prison_number", "category", "device_id", "sim_id")
CATEGORIES = ("FAMILY", "ASSOCIATE", "OTHER", "PRIVILEGED", "SWITCHBOARD", "SHARED_FAMILY")
RECORD_TYPES = ("VOICE", "SMS", "DATA")
ROLE_SHARE = np.array([1.0, 0.5, 0.4])  # owner, renter, sharer
MASTS_PER_ESTABLISHMENT = 3


@dataclass
class _Book:
    """Every outside number as an index into one string pool, per prisoner (CSR)."""

    pool: list[str]
    fam_offs: I64
    fam_idx: I64
    shared: I64  # pool index of the brothers' shared number, or -1
    group: I64  # associate group, or -1
    grp_offs: I64
    grp_idx: I64
    priv: I64
    switch: I64  # by establishment
    others: I64


def _book(c: Contacts, n_prisoners: int, campaigns: list[Campaign]) -> tuple[_Book, I64]:
    pool: list[str] = []

    def add(nums: list[str]) -> I64:
        pool.extend(nums)
        return np.arange(len(pool) - len(nums), len(pool), dtype=np.int64)

    counts = np.zeros(n_prisoners, dtype=np.int64)
    flat: list[str] = []
    for p in range(n_prisoners):
        fam = c.family.get(p, [])
        counts[p] = len(fam)
        flat += fam
    fam_idx = add(flat)
    shared = np.full(n_prisoners, -1, dtype=np.int64)
    for p, num in sorted(c.shared_family.items()):
        shared[p] = add([num])[0]
    group = np.full(n_prisoners, -1, dtype=np.int64)
    for p, g in c.group_of.items():
        group[p] = g
    sizes = np.array([len(nums) for _, nums in c.groups], dtype=np.int64)
    grp_idx = add([n for _, nums in c.groups for n in nums])
    victim = np.full(n_prisoners, -1, dtype=np.int64)
    for cp in campaigns:
        victim[cp.prisoner] = add([cp.victim_number])[0]
    book = _Book(
        pool,
        np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        fam_idx,
        shared,
        group,
        np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        grp_idx,
        add([n for n, _ in c.privileged]),
        add(list(c.switchboards)),
        add(list(c.others)),
    )
    return book, victim


def _pick(offs: I64, idx: I64, who: I64, rng: np.random.Generator) -> I64:
    """A random member of each ``who``'s CSR list (caller ensures the list is not empty)."""
    lo, hi = offs[who], offs[who + 1]
    return idx[lo + (rng.random(len(who)) * (hi - lo)).astype(np.int64)]


def _one(
    sc: Scenario,
    est: Establishment,
    cb: Contraband,
    book: _Book,
    victim: I64,
    camp_window: tuple[I64, I64],
    midnights: I64,
    seed: int,
) -> tuple[pa.Table, dict[str, I64]]:
    rng = rng_for(seed, Stream.CALLS, est.idx)
    u = cb.usage
    wanted = rng.random(len(cb.imsi)) < sc.calls.requested_sim_fraction
    rows = np.flatnonzero(wanted[u["sim"]]) if len(cb.imsi) else np.zeros(0, np.int64)
    n = rng.poisson(sc.calls.events_per_day * ROLE_SHARE[u["role"][rows]])
    r = np.repeat(rows, n)
    user = u["prisoner"][r]
    w = np.array([sc.calls.shares.get(k, 0.0) for k in CATEGORIES])
    cat = rng.choice(len(CATEGORIES), size=len(r), p=w / w.sum())
    other = book.others[rng.integers(len(book.others), size=len(r))]
    has_fam = book.fam_offs[user + 1] > book.fam_offs[user]
    # Fallbacks: no shared number or group means a family call; no family, another number.
    fam_like = np.isin(cat, (0, 1, 5)) & has_fam
    other[fam_like] = _pick(book.fam_offs, book.fam_idx, user[fam_like], rng)
    final = np.where(fam_like, 0, 2)
    m = (cat == 1) & (book.group[user] >= 0)
    other[m] = _pick(book.grp_offs, book.grp_idx, book.group[user[m]], rng)
    final[m] = 1
    m = (cat == 5) & (book.shared[user] >= 0)
    other[m] = book.shared[user[m]]
    final[m] = 5
    m = cat == 3
    other[m] = book.priv[rng.integers(len(book.priv), size=int(m.sum()))]
    final[m] = 3
    m = cat == 4
    other[m] = book.switch[est.idx]
    final[m] = 4
    # Campaign contacts to the protected person, on the campaign's days.
    day_all = u["day"][rows]
    start, end = camp_window
    pr = u["prisoner"][rows]
    live = (victim[pr] >= 0) & (day_all >= start[pr]) & (day_all <= end[pr])
    nc = np.where(live, rng.poisson(sc.campaigns.contacts_per_day, len(rows)), 0)
    rc = np.repeat(rows, nc)
    r = np.concatenate([r, rc])
    other = np.concatenate([other, victim[u["prisoner"][rc]]])
    final = np.concatenate([final, np.full(len(rc), 6)])  # 6: CAMPAIGN
    k = len(r)
    day, dev, sim = u["day"][r], u["dev"][r], u["sim"][r]
    cum = _profiles(sc.usage.night_share)[0]
    hour = np.minimum(23, np.searchsorted(cum, rng.random(k)))
    t = midnights[day] + prisoner_seconds(hour) + rng.integers(0, 3600, k)
    camp = final == 6
    rtype = rng.choice(3, size=k, p=[0.5, 0.4, 0.1])
    rtype = np.where(camp, np.where(rng.random(k) < 0.6, 1, rtype), rtype)
    mo = camp | (rng.random(k) < 0.6)
    dur = np.where(rtype == 0, rng.gamma(2.0, 120, k).astype(np.int64), rng.integers(60, 3600, k))
    mast = rng.integers(MASTS_PER_ESTABLISHMENT, size=k)
    lat, lon = mast_positions(est.code, est.latitude, est.longitude, MASTS_PER_ESTABLISHMENT)
    messy = sc.run.messy_formats
    mnc = pa.array(cb.mnc, pa.string())
    styles = rng.integers(6, size=(2, k)) if messy else np.zeros((2, k), np.int64)
    msisdn = [
        phone_styled(cb.msisdn[s], st)
        for s, st in zip(sim.tolist(), styles[0].tolist(), strict=True)
    ]
    pool = book.pool
    other_s = [
        None if rt == 2 else phone_styled(pool[o], st)
        for o, rt, st in zip(other.tolist(), rtype.tolist(), styles[1].tolist(), strict=True)
    ]
    op_name = pa.array([operator_name(x) for x in cb.mnc], pa.string())
    sim_a = pa.array(sim)
    use_code = rng.random(k) < 0.5 if messy else np.zeros(k, bool)
    op = pc.if_else(
        pa.array(use_code),
        pc.binary_join_element_wise("234", pc.take(mnc, sim_a), "-"),
        pc.take(op_name, sim_a),
    )
    enb = 10000 + est.idx * 10 + mast
    cell = [
        f"234-{cb.mnc[s]}-{e}-{c}"
        for s, e, c in zip(sim.tolist(), enb.tolist(), rng.integers(1, 4, k).tolist(), strict=True)
    ]
    cats = np.array([*CATEGORIES, "CAMPAIGN"], dtype=object)[final]
    table = pa.table(
        {
            "t": pa.array(t),
            "operator": op,
            "record_type": pc.take(pa.array(RECORD_TYPES), pa.array(rtype)),
            "duration_s": pa.array(dur, mask=rtype == 1),
            "direction": pc.take(pa.array(["MT", "MO"]), pa.array(mo.astype(np.int64))),
            "subject_msisdn": pa.array(msisdn, pa.string()),
            "subject_imsi": pc.take(pa.array(cb.imsi, pa.string()), sim_a),
            "subject_imei": pc.take(pa.array(cb.imei, pa.string()), pa.array(dev)),
            "other_party": pa.array(other_s, pa.string()),
            "cell_id": pa.array(cell, pa.string()),
            "cell_lat": pa.array(np.round(lat[mast], 5)),
            "cell_lon": pa.array(np.round(lon[mast], 5)),
            "prison_number": pa.array(u["prisoner"][r]),
            "category": pa.array(np.where(rtype == 2, "DATA", cats).tolist(), pa.string()),
            "device_id": pa.array([f"H-{est.code}-{x:05d}" for x in dev.tolist()], pa.string()),
            "sim_id": pa.array([f"S-{est.code}-{x:05d}" for x in sim.tolist()], pa.string()),
        }
    )
    return table, {"row": r, "t": t}


def call_tables(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    pop: Population,
    c: Contacts,
    campaigns: list[Campaign],
    midnights: I64,
    seed: int,
) -> tuple[pa.Table, pa.Table, list[dict[str, I64]]]:
    """call_records (time order), truth/call_records.csv, and each establishment's call
    transmissions (``row``: usage row, ``t``: epoch seconds) for the detection phase."""
    n_people = len(pop.prisoners.number)
    book, victim = _book(c, n_people, campaigns)
    start = np.full(n_people, 1, dtype=np.int64)
    end = np.full(n_people, 0, dtype=np.int64)
    for cp in campaigns:
        start[cp.prisoner], end[cp.prisoner] = cp.start, cp.end
    tables, txs = [], []
    for est, cb in zip(estate, cbs, strict=True):
        table, tx = _one(sc, est, cb, book, victim, (start, end), midnights, seed)
        tables.append(table)
        txs.append(tx)
    all_calls = pa.concat_tables(tables).sort_by(
        [("t", "ascending"), ("subject_imsi", "ascending"), ("other_party", "ascending")]
    )
    style = "offset" if sc.run.messy_formats else "utc_z"
    t = all_calls["t"].to_numpy()
    records = pa.table(
        {k: (format_ts(t, style) if k == "start_ts" else all_calls[k]) for k in COLUMNS}
    )
    truth = pa.table(
        {
            "line": pa.array(np.arange(2, len(t) + 2, dtype=np.int64)),
            "prison_number": pc.take(
                pa.array(pop.prisoners.number, pa.string()), all_calls["prison_number"]
            ),
            "category": all_calls["category"],
            "device_id": all_calls["device_id"],
            "sim_id": all_calls["sim_id"],
        }
    )
    return records, truth, txs
