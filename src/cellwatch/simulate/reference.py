"""Reference files: establishments, locations, prisoners, occupancy, sensors, allow list, PINs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from cellwatch.simulate.clock import format_ts
from cellwatch.simulate.contacts import Contacts
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.formats import phones_styled
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.staff import StaffPhone

Cols = dict[str, list[Any]]


def _date(sc: Scenario, day: int) -> str:
    return (sc.run.start_date + dt.timedelta(days=day)).isoformat()


def establishments(estate: list[Establishment]) -> Cols:
    """One row per establishment."""
    return {
        "code": [e.code for e in estate],
        "name": [e.name for e in estate],
        "region": [e.region for e in estate],
        "category": [e.category for e in estate],
        "capacity": [e.capacity for e in estate],
        "active": ["true" for _ in estate],
        "postcode": [e.postcode for e in estate],
        "latitude": [f"{e.latitude:.4f}" for e in estate],
        "longitude": [f"{e.longitude:.4f}" for e in estate],
    }


def locations(estate: list[Establishment]) -> Cols:
    """Every wing, landing, cell and special area, parents before children."""
    cols: Cols = {
        k: []
        for k in (
            "location_code",
            "establishment",
            "type",
            "parent_code",
            "capacity",
            "x_m",
            "y_m",
            "floor",
        )
    }
    for e in estate:
        for i, code in enumerate(e.loc_code):
            cols["location_code"].append(code)
            cols["establishment"].append(e.code)
            cols["type"].append(e.loc_type[i])
            cols["parent_code"].append(e.loc_parent[i])
            cols["capacity"].append(int(e.loc_capacity[i]) if e.loc_type[i] == "CELL" else None)
            cols["x_m"].append(f"{e.x[i]:.1f}")
            cols["y_m"].append(f"{e.y[i]:.1f}")
            cols["floor"].append(int(e.floor[i]))
    return cols


def prisoners(sc: Scenario, estate: list[Establishment], pop: Population) -> Cols:
    """Everyone in custody at some point of the period, with their state at its end."""
    p = pop.prisoners
    end = sc.run.days
    n = len(p.number)
    released = [p.last_est[i] < 0 for i in range(n)]
    return {
        "prison_number": list(p.number),
        "surname": list(p.surname),
        "forenames": list(p.forenames),
        "date_of_birth": [d.isoformat() for d in p.dob],
        "establishment": [None if released[i] else estate[p.last_est[i]].code for i in range(n)],
        "reception_date": [_date(sc, p.reception_day[i]) for i in range(n)],
        "release_date": [
            _date(sc, p.release_day[i]) if released[i] or p.release_day[i] < end + 3650 else None
            for i in range(n)
        ],
        "parole_eligibility_date": [
            _date(sc, p.parole_day[i]) if p.parole_day[i] > -(10**6) else None for i in range(n)
        ],
        "next_parole_review_date": [
            _date(sc, max(p.parole_day[i], 0) + 90)
            if p.parole_day[i] > -(10**6) and not released[i]
            else None
            for i in range(n)
        ],
        "offence_group": list(p.offence),
    }


def occupancy(sc: Scenario, estate: list[Establishment], pop: Population) -> Cols:
    """The cell history; prison systems log local time without an offset when messy."""
    s = pop.stays
    style = "local" if sc.run.messy_formats else "utc_z"
    start = format_ts(np.array(s.start_t, dtype=np.int64), style).to_pylist()
    ends = np.array(s.end_t, dtype=np.int64)
    end = format_ts(np.where(ends < 0, 0, ends), style).to_pylist()
    return {
        "prison_number": [pop.prisoners.number[x] for x in s.prisoner],
        "location_code": [
            estate[e].loc_code[int(estate[e].cells[estate[e].beds[b]])]
            for e, b in zip(s.est, s.bed, strict=True)
        ],
        "start_ts": start,
        "end_ts": [None if ends[i] < 0 else end[i] for i in range(len(ends))],
    }


def sensors(sc: Scenario, estate: list[Establishment]) -> Cols:
    """Every sensor with its zone, position and range."""
    cols: Cols = {
        k: []
        for k in (
            "sensor_id",
            "establishment",
            "kind",
            "location_code",
            "x_m",
            "y_m",
            "range_m",
            "active_from",
            "active_to",
        )
    }
    for e in estate:
        s = e.sensors
        for i, sid in enumerate(s.ids):
            fixed = s.loc[i] >= 0
            cols["sensor_id"].append(sid)
            cols["establishment"].append(e.code)
            cols["kind"].append(s.kind[i])
            cols["location_code"].append(e.loc_code[s.loc[i]] if fixed else None)
            cols["x_m"].append(f"{s.x[i]:.1f}" if fixed else None)
            cols["y_m"].append(f"{s.y[i]:.1f}" if fixed else None)
            cols["range_m"].append(f"{s.range_m[i]:.1f}")
            cols["active_from"].append(_date(sc, int(s.active_from[i])))
            cols["active_to"].append(None)
    return cols


def allow_list(
    sc: Scenario, estate: list[Establishment], staff: list[list[StaffPhone]], c: Contacts, seed: int
) -> Cols:
    """Allow-listed staff phones (IMEI, IMSI, number), switchboards and privileged numbers."""
    rng = rng_for(seed, Stream.FORMATS, 1)
    ident: list[str] = []
    reason: list[str] = []
    desc: list[str] = []
    for phones in staff:
        for ph in phones:
            if ph.allow_listed:
                for x in (ph.imei, ph.imsi, ph.msisdn):
                    ident.append(x)
                    reason.append(ph.reason)
                    desc.append(ph.description)
    for e, num in zip(estate, c.switchboards, strict=True):
        ident.append(num)
        reason.append("OFFICIAL")
        desc.append(f"{e.name} switchboard")
    for num, what in c.privileged:
        ident.append(num)
        reason.append("PRIVILEGED")
        desc.append(what)
    messy = sc.run.messy_formats
    shown = [
        x if x.startswith("2") or not x.startswith("+") else y
        for x, y in zip(ident, phones_styled(ident, rng, messy), strict=True)
    ]
    return {
        "identifier": shown,
        "reason": reason,
        "description": desc,
        "valid_from": [_date(sc, -365)] * len(ident),
        "valid_to": [None] * len(ident),
    }


def pin_contacts(sc: Scenario, pop: Population, c: Contacts, seed: int) -> Cols:
    """Approved numbers on the prison telephone system, written as people write them."""
    rng = rng_for(seed, Stream.FORMATS, 2)
    pins = c.pins
    nums = phones_styled(pins.number, rng, sc.run.messy_formats)
    number = pop.prisoners.number
    return {
        "prison_number": [number[x] for x in pins.prisoner],
        "contact_number": nums,
        "contact_name": list(pins.name),
        "relationship": list(pins.relationship),
        "approved_from": [_date(sc, d) for d in pins.approved_from],
        "approved_to": [None] * len(pins.prisoner),
    }
