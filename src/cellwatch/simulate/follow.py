"""Phones that follow their owner to another prison on transfer.

A phone whose owner leaves and that nobody on the landing takes over is abandoned in
:mod:`cellwatch.simulate.devices`. When the owner was transferred (a stay opens in
another establishment the same day), with ``contraband.follow_on_transfer_probability``
the phone went with him instead: it ends at the old prison as ``TRANSFERRED`` and arrives
at the new one (route ``TRANSFER``, same IMEI and SIM), used by him on his days there
until he leaves or the period ends. Run in the parent after every establishment's
contraband, before calls and detections, so both see the carried phone.
"""

from __future__ import annotations

import numpy as np

from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario


def carry_on_transfer(
    sc: Scenario, estate: list[Establishment], pop: Population, cbs: list[Contraband], seed: int
) -> int:
    """Move followed phones into their owner's new establishment; returns how many moved."""
    rng = rng_for(seed, Stream.DEVICES, 20_000)
    s = pop.stays
    stays: dict[int, list[int]] = {}
    for i, p in enumerate(s.prisoner):
        stays.setdefault(p, []).append(i)
    added: list[list[np.ndarray]] = [[] for _ in cbs]
    moved = 0
    for cb in cbs:
        for dev, sim, who, day in cb.left_with:
            nxt = [i for i in stays.get(who, []) if s.start_day[i] == day and s.est[i] != cb.est]
            if not nxt or rng.random() >= sc.contraband.follow_on_transfer_probability:
                continue
            cb.end_reason[dev] = "TRANSFERRED"
            dest = cbs[s.est[nxt[0]]]
            added[s.est[nxt[0]]].append(
                _arrive(sc, estate, pop, stays, cb, dest, dev, sim, nxt[0], rng)
            )
            moved += 1
    for cb, rows in zip(cbs, added, strict=True):
        if rows:
            u = np.concatenate([np.vstack([cb.usage[k] for k in _COLS]), *rows], axis=1)
            # Detections and calls rely on usage rows in day order.
            order = np.argsort(u[0], kind="stable")
            cb.usage = {k: u[j][order] for j, k in enumerate(_COLS)}
    return moved


_COLS = ("day", "dev", "sim", "prisoner", "role", "cell")


def _arrive(
    sc: Scenario,
    estate: list[Establishment],
    pop: Population,
    stays: dict[int, list[int]],
    src: Contraband,
    dest: Contraband,
    dev: int,
    sim: int,
    stay: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Add the carried phone to ``dest``; its owner's usage rows there."""
    s, e = pop.stays, estate[dest.est]
    who, day = s.prisoner[stay], s.start_day[stay]
    nd = len(dest.imei)
    for lst, src_lst in ((dest.imei, src.imei), (dest.make, src.make), (dest.model, src.model)):
        lst.append(src_lst[dev])
    dest.route.append("TRANSFER")
    dest.arrival.append(day)
    ns = -1
    if sim >= 0:
        ns = len(dest.imsi)
        for lst, src_lst in (
            (dest.iccid, src.iccid),
            (dest.imsi, src.imsi),
            (dest.msisdn, src.msisdn),
            (dest.mnc, src.mnc),
        ):
            lst.append(src_lst[sim])
    # His consecutive stays in the new establishment (cell moves included).
    days: list[int] = []
    cells: list[int] = []
    for i in sorted(stays[who], key=lambda k: s.start_day[k]):
        if s.start_day[i] < day or s.est[i] != dest.est:
            if s.start_day[i] > day:
                break
            continue
        span = range(s.start_day[i], s.end_day[i])
        days += span
        cells += [int(e.cells[e.beds[s.bed[i]]])] * len(span)
    end = (days[-1] + 1) if days else day
    dest.end.append(end if end < sc.run.days else sc.run.days)
    dest.end_reason.append("IN_USE" if end >= sc.run.days else "ABANDONED")
    if ns >= 0:
        dest.sim_hist.append((nd, ns, day, end))
    d = np.array(days, dtype=np.int64)
    keep = rng.random(len(d)) >= sc.contraband.idle_day_probability
    if ns < 0:
        keep[:] = False  # a handset without a SIM does not transmit
    d, c = d[keep], np.array(cells, dtype=np.int64)[keep]
    n = len(d)
    return np.vstack(
        [d, np.full(n, nd), np.full(n, ns), np.full(n, who), np.zeros(n, np.int64), c]
    ).astype(np.int64)
