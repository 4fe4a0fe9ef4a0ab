"""Ground truth tables: who used what, when; staff phones; campaigns; groups; corruption."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cellwatch.simulate.campaigns import Campaign
from cellwatch.simulate.contacts import Contacts
from cellwatch.simulate.devices import ROLES, Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.ids import operator_name
from cellwatch.simulate.population import Population
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.staff import StaffPhone

Cols = dict[str, list[Any]]


def _dates(sc: Scenario, days: np.ndarray) -> pa.Array:
    lo = int(days.min()) if len(days) else 0
    hi = int(days.max()) if len(days) else 0
    table = pa.array(
        [(sc.run.start_date + dt.timedelta(days=d)).isoformat() for d in range(lo, hi + 1)]
    )
    return pc.take(table, pa.array(days - lo))


def device_usage(sc: Scenario, cbs: list[Contraband], pop: Population, accounts: Cols) -> pa.Table:
    """One row per day, identifier and user: IMEI, IMSI, MSISDN of each phone used; accounts."""
    numbers = pa.array(pop.prisoners.number)
    parts = []
    for cb in cbs:
        u = cb.usage
        for typ, table, idx in (
            ("IMEI", cb.imei, u["dev"]),
            ("IMSI", cb.imsi, u["sim"]),
            ("MSISDN", cb.msisdn, u["sim"]),
        ):
            parts.append(
                pa.table(
                    {
                        "date": _dates(sc, u["day"]),
                        "identifier_type": pa.array([typ] * len(idx), pa.string()),
                        "identifier": pc.take(pa.array(table, pa.string()), pa.array(idx)),
                        "prison_number": pc.take(numbers, pa.array(u["prisoner"])),
                        "role": pc.take(pa.array(ROLES), pa.array(u["role"])),
                    }
                )
            )
    ad = np.array(accounts["day"], dtype=np.int64)
    parts.append(
        pa.table(
            {
                "date": _dates(sc, ad),
                "identifier_type": pa.array(["ACCOUNT"] * len(ad), pa.string()),
                "identifier": pa.array(accounts["identifier"], pa.string()),
                "prison_number": pc.take(
                    numbers, pa.array(np.array(accounts["prisoner"], dtype=np.int64))
                ),
                "role": pa.array(["owner"] * len(ad), pa.string()),
            }
        )
    )
    t = pa.concat_tables(parts)
    return t.sort_by(
        [
            ("date", "ascending"),
            ("identifier_type", "ascending"),
            ("identifier", "ascending"),
            ("prison_number", "ascending"),
        ]
    )


def truth_tables(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    staff: list[list[StaffPhone]],
    pop: Population,
    c: Contacts,
    campaigns: list[Campaign],
    social_truth: dict[str, Cols],
    corruption: list[tuple[str, int, str, str]],
) -> dict[str, pa.Table]:
    """Every truth table, by file name (without extension)."""
    num = pop.prisoners.number

    def day(d: int) -> str:
        return (sc.run.start_date + dt.timedelta(days=int(d))).isoformat()

    st: Cols = {
        k: []
        for k in (
            "device_id",
            "establishment",
            "identifier_type",
            "identifier",
            "reason",
            "allow_listed",
        )
    }
    for e, phones in zip(estate, staff, strict=True):
        for ph in phones:
            for typ, ident in (("IMEI", ph.imei), ("IMSI", ph.imsi), ("MSISDN", ph.msisdn)):
                for k, v in zip(
                    st, (ph.device_id, e.code, typ, ident, ph.reason, ph.allow_listed), strict=True
                ):
                    st[k].append(v)
    dev: Cols = {
        k: []
        for k in (
            "device_id",
            "establishment",
            "imei",
            "make",
            "model",
            "route",
            "arrival_date",
            "end_date",
            "end_reason",
        )
    }
    sims: Cols = {k: [] for k in ("sim_id", "establishment", "iccid", "imsi", "msisdn", "operator")}
    hist: Cols = {k: [] for k in ("device_id", "sim_id", "from_date", "to_date")}
    for e, cb in zip(estate, cbs, strict=True):
        for i, imei in enumerate(cb.imei):
            for k, v in zip(
                dev,
                (
                    f"H-{e.code}-{i:05d}",
                    e.code,
                    imei,
                    cb.make[i],
                    cb.model[i],
                    cb.route[i],
                    day(cb.arrival[i]),
                    day(cb.end[i]) if cb.end[i] < sc.run.days else None,
                    cb.end_reason[i],
                ),
                strict=True,
            ):
                dev[k].append(v)
        for i, imsi in enumerate(cb.imsi):
            for k, v in zip(
                sims,
                (
                    f"S-{e.code}-{i:05d}",
                    e.code,
                    cb.iccid[i],
                    imsi,
                    cb.msisdn[i],
                    operator_name(cb.mnc[i]),
                ),
                strict=True,
            ):
                sims[k].append(v)
        for d, s, a, b in sorted(cb.sim_hist):
            for k, v in zip(
                hist,
                (
                    f"H-{e.code}-{d:05d}",
                    f"S-{e.code}-{s:05d}",
                    day(a),
                    day(b - 1) if b > a else day(a),
                ),
                strict=True,
            ):
                hist[k].append(v)
    camp: Cols = {
        "campaign_id": [x.ref for x in campaigns],
        "prison_number": [num[x.prisoner] for x in campaigns],
        "person_ref": [x.person_ref for x in campaigns],
        "identifiers": [";".join(x.prisoner_accounts) for x in campaigns],
        "victim_identifiers": [f"{x.victim_number};{x.victim_account}" for x in campaigns],
        "start": [day(x.start) for x in campaigns],
        "end": [day(x.end) for x in campaigns],
    }
    groups: Cols = {
        "group_id": [f"OCG-{g + 1:03d}" for g in range(len(c.groups))],
        "prison_numbers": [";".join(sorted(num[m] for m in mem)) for mem, _ in c.groups],
        "numbers": [";".join(nums) for _, nums in c.groups],
    }
    corr: Cols = {
        "file": [r[0] for r in corruption],
        "line": [r[1] for r in corruption],
        "field": [r[2] for r in corruption],
        "kind": [r[3] for r in corruption],
    }
    out = {
        name: pa.table(
            {
                k: pa.array(v, pa.string() if k not in ("line", "allow_listed") else None)
                for k, v in cols.items()
            }
        )
        for name, cols in (
            ("staff_identifiers", st),
            ("devices", dev),
            ("sims", sims),
            ("sim_history", hist),
            ("campaigns", camp),
            ("associate_groups", groups),
            ("corruption", corr),
        )
    }
    out["corruption"] = out["corruption"].cast(
        pa.schema(
            [
                ("file", pa.string()),
                ("line", pa.int64()),
                ("field", pa.string()),
                ("kind", pa.string()),
            ]
        )
    )
    out["intelligence"] = pa.table(social_truth["intelligence"])
    out["device_usage"] = device_usage(sc, cbs, pop, social_truth["accounts"])
    return out
