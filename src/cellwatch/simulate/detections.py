"""Detection events, vectorised per establishment and block of days.

Every transmitter of a day (contraband phone user, staff phone on shift, visitor phone,
passer-by outside) is an *emitter* at a location. Emitters draw Poisson transmissions at
times from a diurnal profile; each transmission is offered to every sensor in range,
which logs it unless it misses, is out of service or is not yet installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cellwatch.ingest.detections import KNOWN_COLUMNS
from cellwatch.simulate.clock import format_ts
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import imei_styled
from cellwatch.simulate.ids import bulk_imeis, bulk_imsis
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.staff import StaffPhone

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
KINDS = ("contraband", "staff", "visitor", "noise")
# The contract's columns, in the order ingest knows them: one list for writer and reader.
DETECTION_COLUMNS = KNOWN_COLUMNS
TECH = ("GSM", "UMTS", "LTE", "NR")
BANDS = ((900, 1800), (2100, 900), (800, 1800, 2600), (3500, 700))
VENDOR_TS = ("local", "utc_z", "offset")


# A prisoner's day runs from 08:00 to 08:00 local: the small hours belong to the night
# before, so usage (and its truth) on day d covers the night of d into d + 1.
DAY_START_HOUR = 8


def prisoner_seconds(hour: I64) -> I64:
    """Seconds from the usage day's local midnight of a prisoner's activity at ``hour``."""
    out: I64 = np.where(hour < DAY_START_HOUR, hour + 24, hour) * 3600
    return out


def _profiles(night_share: float) -> F64:
    """Cumulative hour-of-day weights: prisoner, staff shift, visits, uniform."""
    prisoner = np.full(24, (1 - night_share) / 14)
    night = [20, 21, 22, 23, 0, 1, 2, 3, 4, 5]
    prisoner[night] = night_share / len(night)
    prisoner[[6, 7, 8, 9]] = 0.0  # unlock and roll check: phones stay hidden
    staff = np.zeros(24)
    staff[7:20] = 1.0
    visits = np.zeros(24)
    visits[14:16] = 1.0
    table = np.vstack([prisoner, staff, visits, np.ones(24)])
    return np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)


@dataclass
class Coverage:
    """For each location, the sensors that can hear it (CSR) and with what probability."""

    offs: I64
    sensor: I64
    prob: F64
    dist: F64


def coverage(est: Establishment, miss_rate: float) -> Coverage:
    """Which sensors hear a transmitter at each location of the establishment."""
    s = est.sensors
    fixed = np.flatnonzero(s.loc >= 0)
    dx = est.x[:, None] - s.x[fixed][None, :]
    dy = est.y[:, None] - s.y[fixed][None, :]
    dz = (est.floor[:, None] - s.floor[fixed][None, :]) * 3.0
    dist = np.sqrt(dx**2 + dy**2 + dz**2)
    rng_m = s.range_m[fixed][None, :]
    inr = dist <= rng_m
    # Detection falls off towards the edge of the range; the miss rate caps it.
    prob = (1 - miss_rate) * (1 - 0.5 * (dist / rng_m) ** 2)
    loc_i, sen_j = np.nonzero(inr)
    counts = np.bincount(loc_i, minlength=len(est.x))
    offs = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Coverage(offs, fixed[sen_j].astype(np.int64), prob[loc_i, sen_j], dist[loc_i, sen_j])


@dataclass
class Chunk:
    """One block's detection table and its truth, in file order."""

    table: pa.Table
    kind: npt.NDArray[np.int8]
    device: pa.Array


def block_detections(
    sc: Scenario,
    est: Establishment,
    cb: Contraband,
    staff: list[StaffPhone],
    cov: Coverage,
    midnights: I64,
    d0: int,
    d1: int,
    seed: int,
    event_base: int,
    calls: dict[str, I64] | None = None,
) -> Chunk:
    """All detections of one establishment for days ``d0`` to ``d1 - 1``.

    ``calls`` holds the transmissions of operator-recorded calls (``row``: usage row,
    ``t``: epoch seconds): each is offered to the sensors like any other transmission, so a
    call from a covered phone coincides with a detection unless the sensor misses it.
    """
    rng = rng_for(seed, Stream.DETECTIONS, est.idx, d0)
    em = _emitters(sc, est, cb, staff, d0, d1, rng)
    u = sc.usage
    n_tx = rng.poisson(em["lam"])
    e = np.repeat(np.arange(len(n_tx)), n_tx)
    cum = _profiles(u.night_share)
    draw = rng.random(len(e))
    prof = em["profile"][e]
    hour = np.empty(len(e), dtype=np.int64)
    for p in range(len(cum)):
        m = prof == p
        hour[m] = np.searchsorted(cum[p], draw[m], side="left")
    hour = np.minimum(hour, 23)
    offset = np.where(prof == 0, prisoner_seconds(hour), hour * 3600)
    t = midnights[em["day"][e]] + offset + rng.integers(0, 3600, len(e))
    if calls is not None and len(calls.get("row", ())):
        # Contraband emitters come first, one per usage row of the block, in row order.
        days = cb.usage["day"]
        in_block = (days[calls["row"]] >= d0) & (days[calls["row"]] < d1)
        first_row = int(np.searchsorted(days, d0, side="left"))
        e = np.concatenate([e, calls["row"][in_block] - first_row])
        t = np.concatenate([t, calls["t"][in_block]])
    loc = em["loc"][e]
    cnt = cov.offs[loc + 1] - cov.offs[loc]
    tx = np.repeat(np.arange(len(e)), cnt)
    first = np.repeat(cov.offs[loc] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
    k = first + np.arange(len(tx))
    sen = cov.sensor[k]
    day = em["day"][e[tx]]
    s = est.sensors
    ok = rng.random(len(tx)) < cov.prob[k]
    ok &= day >= s.active_from[sen]
    ok &= ~s.outage[sen, day]
    is_rf = np.array([kk == "RF_DETECTOR" for kk in s.kind])
    ok &= (em["kind"][e[tx]] != 3) | is_rf[sen]
    tx, sen, k = tx[ok], sen[ok], k[ok]
    emi = e[tx]
    # Sensors stamp the same burst a second or two apart.
    ts = t[tx] + rng.integers(0, 3, len(tx))
    dist = cov.dist[k]
    hh = _handheld(est, cb, midnights, d0, d1, rng)
    emi = np.concatenate([emi, hh["emitter"] + len(em["lam"])])
    sen = np.concatenate([sen, hh["sensor"]])
    ts = np.concatenate([ts, hh["t"]])
    dist = np.concatenate([dist, np.full(len(hh["t"]), 0.5)])
    order = np.lexsort((sen, ts))
    emi, sen, ts, dist = emi[order], sen[order], ts[order], dist[order]
    return _table(sc, est, cb, staff, em, hh, (emi, sen, ts), dist, rng, event_base)


def _emitters(
    sc: Scenario,
    est: Establishment,
    cb: Contraband,
    staff: list[StaffPhone],
    d0: int,
    d1: int,
    rng: np.random.Generator,
) -> dict[str, npt.NDArray[Any]]:
    u, dc = sc.usage, sc.detection
    days = np.arange(d0, d1)
    weekday = np.array([(sc.run.start_date + dt.timedelta(days=int(d))).weekday() for d in days])
    wk = np.where(weekday >= 5, u.weekend_factor, 1.0)
    us = cb.usage
    sel = (us["day"] >= d0) & (us["day"] < d1)
    c_day = us["day"][sel]
    share = np.array([1.0, 0.5, 0.4])[us["role"][sel]]
    parts: list[dict[str, npt.NDArray[Any]]] = []
    parts.append(
        dict(
            day=c_day,
            loc=us["cell"][sel],
            lam=u.transmissions_per_day * share * wk[c_day - d0],
            profile=np.zeros(len(c_day), np.int64),
            kind=np.zeros(len(c_day), np.int64),
            dev=us["dev"][sel],
            sim=us["sim"][sel],
        )
    )
    landings = np.flatnonzero(np.array(est.loc_type) == "LANDING")
    if staff:
        on = rng.random((len(days), len(staff))) < np.where(weekday >= 5, 0.35, 0.65)[:, None]
        di, si = np.nonzero(on)
        parts.append(
            dict(
                day=days[di],
                loc=landings[rng.integers(len(landings), size=len(di))],
                lam=np.full(len(di), dc.staff_transmissions_per_shift),
                profile=np.ones(len(di), np.int64),
                kind=np.ones(len(di), np.int64),
                dev=si.astype(np.int64),
                sim=si.astype(np.int64),
            )
        )
    nv = rng.poisson(dc.visitors_per_session * dc.visitor_phone_fraction, len(days))
    vd = np.repeat(days, nv)
    parts.append(
        dict(
            day=vd,
            loc=np.full(len(vd), est.spot("VISITS")),
            lam=np.full(len(vd), 3.0),
            profile=np.full(len(vd), 2),
            kind=np.full(len(vd), 2),
            dev=np.arange(len(vd)),
            sim=np.arange(len(vd)),
        )
    )
    perims = np.flatnonzero(np.array(est.loc_type) == "PERIMETER")
    nn = rng.poisson(dc.noise_per_day, len(days))
    nd = np.repeat(days, nn)
    parts.append(
        dict(
            day=nd,
            loc=perims[rng.integers(len(perims), size=len(nd))],
            lam=np.ones(len(nd)),
            profile=np.full(len(nd), 3),
            kind=np.full(len(nd), 3),
            dev=np.zeros(len(nd), np.int64),
            sim=np.zeros(len(nd), np.int64),
        )
    )
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _handheld(
    est: Establishment, cb: Contraband, midnights: I64, d0: int, d1: int, rng: np.random.Generator
) -> dict[str, I64]:
    hh_sensors = [i for i, k in enumerate(est.sensors.kind) if k == "HANDHELD"]
    rows = [h for h in cb.handheld if d0 <= h[0] < d1] if hh_sensors else []
    n = len(rows)
    arr = np.array(rows, dtype=np.int64).reshape(n, 4)
    return dict(
        emitter=np.arange(n, dtype=np.int64),
        day=arr[:, 0],
        dev=arr[:, 1],
        sim=arr[:, 2],
        loc=arr[:, 3],
        sensor=np.array(hh_sensors, dtype=np.int64)[rng.integers(len(hh_sensors) or 1, size=n)]
        if n
        else np.zeros(0, np.int64),
        t=midnights[arr[:, 0]] + rng.integers(8 * 3600, 16 * 3600, n),
    )


def _ident_tables(
    sc: Scenario,
    est: Establishment,
    cb: Contraband,
    staff: list[StaffPhone],
    em: dict[str, npt.NDArray[Any]],
    rng: np.random.Generator,
) -> tuple[list[str], list[str], list[str], I64, I64, I64]:
    """Per-emitter device id, IMEI and IMSI (as indices into string tables)."""
    kind, dev, sim = em["kind"], em["dev"].astype(np.int64), em["sim"].astype(np.int64)
    n_vis = int((kind == 2).sum())
    vis_imei, vis_imsi = bulk_imeis(rng, n_vis), bulk_imsis(rng, n_vis)
    code = est.code
    dev_ids = [f"H-{code}-{i:05d}" for i in range(len(cb.imei))] + [p.device_id for p in staff]
    dev_ids += [f"V-{code}-{d:05d}" for d in range(n_vis)] + ["NOISE"]
    imeis = list(cb.imei) + [p.imei for p in staff] + vis_imei
    imsis = list(cb.imsi) + [p.imsi for p in staff] + vis_imsi
    nc, ns = len(cb.imei), len(staff)
    nsim = len(cb.imsi)
    vis_idx = np.cumsum(kind == 2) - 1
    dev_ix = np.select(
        [kind == 0, kind == 1, kind == 2], [dev, nc + dev, nc + ns + vis_idx], len(dev_ids) - 1
    )
    imei_ix = np.select([kind == 0, kind == 1, kind == 2], [dev, nc + dev, nc + ns + vis_idx], -1)
    imsi_ix = np.select(
        [kind == 0, kind == 1, kind == 2], [sim, nsim + sim, nsim + ns + vis_idx], -1
    )
    return dev_ids, imeis, imsis, dev_ix, imei_ix, imsi_ix


def _take(table: list[str], idx: I64, mask: npt.NDArray[np.bool_]) -> pa.Array:
    return pc.take(pa.array(table, pa.string()), pa.array(idx, mask=mask | (idx < 0)))


def _table(
    sc: Scenario,
    est: Establishment,
    cb: Contraband,
    staff: list[StaffPhone],
    em: dict[str, npt.NDArray[Any]],
    hh: dict[str, I64],
    rows: tuple[I64, I64, I64],
    dist: F64,
    rng: np.random.Generator,
    event_base: int,
) -> Chunk:
    emi, sen, ts = rows
    # Handheld hits are contraband emitters appended after the block's emitters.
    em_all = {
        "kind": np.concatenate([em["kind"], np.zeros(len(hh["t"]), np.int64)]),
        "dev": np.concatenate([em["dev"], hh["dev"]]),
        "sim": np.concatenate([em["sim"], hh["sim"]]),
        "loc": np.concatenate([em["loc"], hh["loc"]]),
    }
    dev_ids, imeis, imsis, dev_ix, imei_ix, imsi_ix = _ident_tables(sc, est, cb, staff, em_all, rng)
    n = len(ts)
    s = est.sensors
    kind_s = np.array([{"RF_DETECTOR": 0, "MANAGED_ACCESS": 1, "HANDHELD": 2}[k] for k in s.kind])[
        sen
    ]
    no_id = kind_s != 1  # only managed-access units read identifiers
    tiny = np.array([m.endswith("(simulated TAC)") for m in cb.model] + [False], dtype=bool)
    ekind = em_all["kind"][emi]
    is_tiny = (ekind == 0) & tiny[np.where(ekind == 0, em_all["dev"][emi], -1)]
    tech = np.where(is_tiny, 0, rng.choice(4, size=n, p=[0.2, 0.2, 0.5, 0.1]))
    band = np.array([b[0] for b in BANDS])[tech]
    alt = np.array([b[1] for b in BANDS])[tech]
    band = np.where(rng.random(n) < 0.4, alt, band)
    rssi = np.clip(
        -38 - 22 * np.log10(np.maximum(dist, 1.0)) + rng.normal(0, 4, n), -115, -30
    ).astype(np.int64)
    style = VENDOR_TS[est.vendor_style] if sc.run.messy_formats else "utc_z"
    zone = _vendor_zone(sc, est, np.array(est.sensors.loc)[sen], em_all["loc"][emi], kind_s)
    wrong = rng.random(n) < sc.estate.vendor_location_error
    zone = np.where(
        wrong, rng.integers(0, len(est.loc_code), n), np.where(zone < 0, em_all["loc"][emi], zone)
    )
    imei_strs = [imei_styled(x, est.vendor_style if sc.run.messy_formats else 0) for x in imeis]
    table = pa.table(
        {
            "ts": format_ts(ts, style),
            "sensor_id": pc.take(pa.array(s.ids), pa.array(sen)),
            "event_id": pa.array(event_base + np.arange(n, dtype=np.int64)),
            "technology": pc.take(pa.array(TECH), pa.array(tech)),
            "band_mhz": pa.array(band.astype(np.int64)),
            "rssi_dbm": pa.array(rssi),
            "duration_s": pa.array(rng.integers(1, 90, n)),
            "imsi": _take(imsis, imsi_ix[emi], no_id),
            "imei": _take(imei_strs, imei_ix[emi], no_id),
            "location_code": _take(est.loc_code, zone, rng.random(n) < 0.1),
        }
    )
    return Chunk(table, ekind.astype(np.int8), pc.take(pa.array(dev_ids), pa.array(dev_ix[emi])))


def _vendor_zone(sc: Scenario, est: Establishment, zone: I64, emitter_loc: I64,
                 kind_s: I64) -> I64:
    """The vendor's location estimate of each detection before errors: the sensor's zone,
    or (``estate.vendor_location_level``) a managed-access unit's fix on the transmitter's
    cell, landing or wing (a staff or visitor phone away from cells: where it is)."""
    level = sc.estate.vendor_location_level
    if level == "SENSOR":
        return zone
    parent = est.parent_index()
    types = np.array(est.loc_type)
    below = {"CELL": [], "LANDING": ["CELL"], "WING": ["CELL", "LANDING"]}[level]
    loc = emitter_loc.copy()
    for _ in range(len(below)):
        # Only cells and landings climb: a visits hall or yard is its own zone.
        loc = np.where(np.isin(types[loc], below), parent[loc], loc)
    return np.where(kind_s == 1, loc, zone)
