"""The estate: establishments from the prison register, their layout and their sensors.

Each establishment is laid out on a local metre grid: wings side by side, three landings
each (3 m apart vertically), cells 2.5 m apart on both sides of a corridor, plus the
visits hall, healthcare, segregation, workshops, yard, reception and perimeter points.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from cellwatch.ingest.values import is_establishment_code
from cellwatch.simulate.geo import locate
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Plausible operational capacities by category (the register has none).
BASE_CAPACITY = {"A;B": 900, "B": 1000, "B;C": 900, "C": 750, "": 800}
CELLS_PER_LANDING = 24
LANDINGS = 3
FLOOR_HEIGHT_M = 3.0
# How far extra landing detectors sit either side of the corridor centre line.
ACROSS_OFFSET_M = 1.0
SPECIAL = ("VISITS", "HEALTHCARE", "SEGREGATION", "WORKSHOP", "YARD", "RECEPTION")


@dataclass
class Sensors:
    """Sensors of one establishment, as parallel arrays."""

    ids: list[str]
    kind: list[str]
    loc: I64  # location index of the zone covered, -1 for handhelds
    x: F64
    y: F64
    floor: F64
    range_m: F64
    active_from: I64  # first day index active (may be negative: before the period)
    outage: npt.NDArray[np.bool_]  # [sensor, day] True while out of service


@dataclass
class Establishment:
    """One establishment: identity, locations (parallel arrays) and sensors."""

    idx: int
    code: str
    name: str
    region: str
    category: str
    capacity: int
    postcode: str
    latitude: float
    longitude: float
    loc_code: list[str]
    loc_type: list[str]
    loc_parent: list[str]
    loc_capacity: I64
    x: F64
    y: F64
    floor: F64
    cells: I64  # location indices of cells
    cell_landing: I64  # location index of each cell's landing
    beds: I64  # position in ``cells`` of each bed
    sensors: Sensors
    vendor_style: int  # timestamp/identifier style of its detection system

    def parent_index(self) -> I64:
        """Each location's enclosing location (index), or itself at the top level."""
        where = {c: i for i, c in enumerate(self.loc_code)}
        return np.array([where.get(p, i) for i, p in enumerate(self.loc_parent)], np.int64)

    def spot(self, kind: str) -> int:
        """Location index of a special area (``VISITS``, ``PERIMETER`` ...)."""
        return self.loc_type.index(kind)


def active_prisons() -> list[dict[str, str]]:
    """Active establishments of the prison register that ingest bundles, by code."""
    text = resources.files("cellwatch.ingest").joinpath("data/prisons.csv").read_text("utf-8")
    # Only HMPPS codes: the register's secure training centres (STC3) are not in the contract.
    rows = [r for r in csv.DictReader(text.splitlines())
            if r["active"] == "t" and is_establishment_code(r["code"])]
    return sorted(rows, key=lambda r: r["code"])


def choose_prisons(sc: Scenario, seed: int) -> list[dict[str, str]]:
    """The scenario's establishments: its named codes first, then a seeded draw."""
    rows = active_prisons()
    by_code = {r["code"]: r for r in rows}
    chosen = [by_code[c] for c in sc.estate.codes if c in by_code][: sc.estate.establishments]
    rest = [r for r in rows if r["code"] not in {c["code"] for c in chosen}]
    rng = rng_for(seed, Stream.ESTATE, 0)
    need = sc.estate.establishments - len(chosen)
    if need > len(rest):
        need = len(rest)
    picks = rng.permutation(len(rest))[:need]
    return chosen + [rest[i] for i in sorted(picks)]


def _category(row: dict[str, str]) -> str:
    if row["female"] == "t" and row["male"] != "t":
        return "WOMEN"
    if "YCS" in row["types"] or row["types"] == "YOI":
        return "YOI"
    return row["categories"].replace(";", "/") or "B"


def _capacity(row: dict[str, str], scale: float, rng: np.random.Generator) -> int:
    if row["female"] == "t" and row["male"] != "t":
        base = 350
    elif "YCS" in row["types"]:
        base = 200
    else:
        base = BASE_CAPACITY.get(row["categories"], 800)
    return max(24, int(base * scale * rng.uniform(0.7, 1.3)))


def _cell_code(code: str, style: int, wing: int, landing: int, cell: int) -> str:
    # Real prisons number their cells differently; the contract allows any depth/padding.
    if style == 0:
        return f"{code}-{chr(65 + wing)}-{landing}-{cell:03d}"
    if style == 1:
        return f"{code}-{wing + 1}-{landing}-{cell:02d}"
    return f"{code}-{chr(65 + wing)}-{landing}{cell:02d}"


def build_establishment(idx: int, row: dict[str, str], sc: Scenario, seed: int) -> Establishment:
    """Lay out one establishment and its sensors."""
    rng = rng_for(seed, Stream.ESTATE, 1, idx)
    code = row["code"]
    capacity = _capacity(row, sc.estate.capacity_scale, rng)
    style = idx % 3
    doubles = sc.estate.double_cell_fraction
    beds_per_landing = CELLS_PER_LANDING * (1 + doubles)
    wings = max(1, math.ceil(capacity / (beds_per_landing * LANDINGS)))
    codes: list[str] = []
    types: list[str] = []
    parents: list[str] = []
    caps: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    fl: list[float] = []
    cells: list[int] = []
    cell_landing: list[int] = []

    def add(c: str, t: str, p: str, cap: int, x: float, y: float, f: float) -> int:
        codes.append(c)
        types.append(t)
        parents.append(p)
        caps.append(cap)
        xs.append(x)
        ys.append(y)
        fl.append(f)
        return len(codes) - 1

    for w in range(wings):
        x0, y0 = (w % 3) * 90.0, (w // 3) * 60.0
        wcode = f"{code}-{chr(65 + w)}" if style != 1 else f"{code}-{w + 1}"
        add(wcode, "WING", "", 0, x0 + 30.0, y0 + 4.0, 0.0)
        for landing in range(1, LANDINGS + 1):
            lcode = f"{wcode}-{landing}"
            li = add(lcode, "LANDING", wcode, 0, x0 + 30.0, y0 + 4.0, landing - 1.0)
            for c in range(1, CELLS_PER_LANDING + 1):
                cap = 2 if rng.random() < doubles else 1
                x = x0 + ((c - 1) // 2) * 2.5 * 2
                y = y0 + (0.0 if c % 2 else 8.0)
                cells.append(
                    add(
                        _cell_code(code, style, w, landing, c),
                        "CELL",
                        lcode,
                        cap,
                        x,
                        y,
                        landing - 1.0,
                    )
                )
                cell_landing.append(li)
    width = 90.0 * min(wings, 3)
    height = 60.0 * math.ceil(wings / 3)
    for k, kind in enumerate(SPECIAL):
        add(f"{code}-{kind[:4]}", kind, "", 0, -40.0, 10.0 + 25.0 * k, 0.0)
    for k, (px, py) in enumerate(
        [(-70, -30), (width + 30, -30), (-70, height + 30), (width + 30, height + 30)]
    ):
        add(f"{code}-PERIM-{k + 1}", "PERIMETER", "", 0, float(px), float(py), 0.0)
    lat, lon = locate(row["postcode"])
    cells_a = np.array(cells, dtype=np.int64)
    cap_a = np.array(caps, dtype=np.int64)
    beds = np.repeat(np.arange(len(cells_a)), cap_a[cells_a])
    capacity = len(beds)  # operational capacity: the beds actually laid out
    est = Establishment(
        idx=idx,
        code=code,
        name=row["name"],
        region=row["county"] or row["country"],
        category=_category(row),
        capacity=capacity,
        postcode=row["postcode"],
        latitude=lat,
        longitude=lon,
        loc_code=codes,
        loc_type=types,
        loc_parent=parents,
        loc_capacity=cap_a,
        x=np.array(xs),
        y=np.array(ys),
        floor=np.array(fl),
        cells=cells_a,
        cell_landing=np.array(cell_landing, dtype=np.int64),
        beds=beds,
        sensors=Sensors(
            [],
            [],
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, np.int64),
            np.zeros((0, 0), bool),
        ),
        vendor_style=int(rng.integers(0, 3)) if sc.run.messy_formats else 0,
    )
    est.sensors = _sensors(est, sc, rng)
    return est


def _sensors(est: Establishment, sc: Scenario, rng: np.random.Generator) -> Sensors:
    e = sc.estate
    ids: list[str] = []
    kind: list[str] = []
    loc: list[int] = []
    rng_m: list[float] = []
    for i, t in enumerate(est.loc_type):
        n = 0
        if t == "LANDING":
            n = int(e.rf_detectors_per_landing) + int(rng.random() < e.rf_detectors_per_landing % 1)
        elif t in ("VISITS", "PERIMETER", "RECEPTION"):
            n = 1
        for _ in range(n):
            ids.append(f"{est.code}-RF{len(ids) + 1:03d}")
            kind.append("RF_DETECTOR")
            loc.append(i)
            rng_m.append(e.rf_range_m)
    if rng.random() < e.managed_access_fraction:
        zone = e.managed_access_zone
        for i, t in enumerate(est.loc_type):
            if t in (zone, "VISITS"):
                ids.append(f"{est.code}-MA{sum(k == 'MANAGED_ACCESS' for k in kind) + 1:02d}")
                kind.append("MANAGED_ACCESS")
                loc.append(i)
                rng_m.append(e.managed_access_range_m)
    for h in range(e.handhelds_per_establishment):
        ids.append(f"{est.code}-HH{h + 1:02d}")
        kind.append("HANDHELD")
        loc.append(-1)
        rng_m.append(1.5)
    loc_a = np.array(loc, dtype=np.int64)
    safe = np.maximum(loc_a, 0)
    days = sc.run.days
    # Most sensors predate the period; a few are installed during it.
    active_from = np.where(rng.random(len(ids)) < 0.1, rng.integers(0, days, len(ids)), -30)
    outage = np.zeros((len(ids), days), dtype=bool)
    rate = e.outages_per_sensor_year / 365.0
    for s in range(len(ids)):
        for start in np.flatnonzero(rng.random(days) < rate):
            outage[s, start : start + max(1, int(rng.exponential(e.outage_mean_days)))] = True
    x = np.where(loc_a >= 0, est.x[safe], np.nan)
    y = np.where(loc_a >= 0, est.y[safe], np.nan)
    _spread_landings(est, kind, loc_a, x, y)
    return Sensors(
        ids=ids,
        kind=kind,
        loc=loc_a,
        x=x,
        y=y,
        floor=np.where(loc_a >= 0, est.floor[safe], np.nan),
        range_m=np.array(rng_m),
        active_from=active_from.astype(np.int64),
        outage=outage,
    )


def _spread_landings(est: Establishment, kind: list[str], loc: I64, x: F64, y: F64) -> None:
    """Move the RF detectors of landings with several of them along the landing, in place."""
    for li in np.unique(loc[loc >= 0]):
        if est.loc_type[li] != "LANDING":
            continue
        members = [s for s in np.flatnonzero(loc == li) if kind[s] == "RF_DETECTOR"]
        # A lone detector keeps the landing's own position, as it always has.
        if len(members) > 1:
            x[members], y[members] = _along_landing(est, int(li), len(members))


def _along_landing(est: Establishment, landing: int, n: int) -> tuple[F64, F64]:
    """Positions of ``n`` detectors spread evenly along a landing, alternating across it.

    Co-located detectors would hear every cell alike; spreading them along the corridor
    separates cells symmetric about its centre, and the alternating offset across the
    centre line separates cells facing each other.
    """
    cells = est.cells[est.cell_landing == landing]
    if len(cells) == 0:  # no cells to span: fall back to the landing's own point
        return np.full(n, est.x[landing]), np.full(n, est.y[landing])
    lo = np.array([est.x[cells].min(), est.y[cells].min()])
    hi = np.array([est.x[cells].max(), est.y[cells].max()])
    along = int(np.argmax(hi - lo))  # the corridor runs along the longer side
    k = np.arange(n)
    pos = np.empty((2, n))
    pos[along] = lo[along] + (k + 0.5) / n * (hi[along] - lo[along])  # centres of n equal spans
    pos[1 - along] = (lo[1 - along] + hi[1 - along]) / 2 + np.where(
        k % 2, ACROSS_OFFSET_M, -ACROSS_OFFSET_M
    )
    return pos[0], pos[1]


def build_estate(sc: Scenario, seed: int) -> list[Establishment]:
    """Every establishment of the scenario, in a fixed order."""
    return [build_establishment(i, r, sc, seed) for i, r in enumerate(choose_prisons(sc, seed))]
