"""The contraband lifecycle of one establishment, day by day.

Phones and SIMs arrive by route (some intercepted), are owned by a prisoner, rented to
landing neighbours and shared with cellmates, get SIM swaps, are passed on when the
owner leaves, and end seized, lost or abandoned. Decisions are vectorised across the
devices alive on a day; only rare events (departures, finds) loop in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.ids import IdentifierFactory, load_tacs, pick_operator, prison_tacs
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
ROUTE_SEARCH = {
    "THROW_OVER": "PERIMETER",
    "DRONE": "DRONE",
    "VISITS": "VISITS",
    "POST": "POST",
    "STAFF": "STAFF",
    "RECEPTION": "RECEPTION",
}
ROLES = ("owner", "renter", "sharer")


@dataclass
class Seizure:
    """One find: items are (item_type, handset index or -1, SIM index or -1)."""

    day: int
    loc: int  # location index in the establishment
    search_type: str
    items: list[tuple[str, int, int]]
    prisoner: int  # global prisoner id attributed, or -1
    true_owner: int  # global prisoner id who really had it, or -1


@dataclass
class Contraband:
    """What one establishment's contraband did; indices are local to it."""

    est: int
    imei: list[str] = field(default_factory=list)
    make: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    route: list[str] = field(default_factory=list)
    arrival: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)  # day index; ``days`` if still in use
    end_reason: list[str] = field(default_factory=list)
    iccid: list[str] = field(default_factory=list)
    imsi: list[str] = field(default_factory=list)
    msisdn: list[str] = field(default_factory=list)
    mnc: list[str] = field(default_factory=list)
    sim_hist: list[tuple[int, int, int, int]] = field(default_factory=list)  # dev, sim, from, to
    usage: dict[str, I64] = field(default_factory=dict)  # day, dev, sim, prisoner, role, cell
    seizures: list[Seizure] = field(default_factory=list)
    handheld: list[tuple[int, int, int, int]] = field(default_factory=list)  # day, dev, sim, cell
    # Phones whose owner left and nobody took over: dev, SIM (or -1), global prisoner, day.
    left_with: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _State:
    sc: Scenario
    est: Establishment
    people: I64  # local -> global prisoner
    cells: I64  # [local, day] -> cell position or -1
    propensity: F64
    rng: np.random.Generator
    ids: IdentifierFactory
    out: Contraband
    owner: list[int] = field(default_factory=list)  # local prisoner, -1 when dead
    sim: list[int] = field(default_factory=list)
    sim_from: list[int] = field(default_factory=list)
    spare: list[int] = field(default_factory=list)
    rows: list[I64] = field(default_factory=list)

    def new_sim(self) -> int:
        mnc, _ = pick_operator(self.rng)
        o = self.out
        o.iccid.append(self.ids.iccid(mnc))
        o.imsi.append(self.ids.imsi(mnc))
        o.msisdn.append(self.ids.mobile())
        o.mnc.append(mnc)
        return len(o.imsi) - 1

    def new_handset(self, day: int, route: str) -> int:
        o, rng = self.out, self.rng
        if rng.random() < self.sc.contraband.tiny_phone_fraction:
            t = prison_tacs()[int(rng.integers(len(prison_tacs())))]
        else:
            t = load_tacs()[int(rng.integers(len(load_tacs())))]
        tac, make, model = t.tac, t.make, t.model
        o.imei.append(self.ids.imei(tac))
        o.make.append(make)
        o.model.append(model)
        o.route.append(route)
        o.arrival.append(day)
        o.end.append(self.sc.run.days)
        o.end_reason.append("IN_USE")
        self.owner.append(-1)
        self.sim.append(-1)
        self.sim_from.append(day)
        return len(o.imei) - 1

    def put_sim(self, dev: int, s: int, day: int) -> None:
        old = self.sim[dev]
        if old >= 0:
            self.out.sim_hist.append((dev, old, self.sim_from[dev], day))
        self.sim[dev] = s
        self.sim_from[dev] = day

    def kill(self, dev: int, day: int, reason: str) -> None:
        if self.sim[dev] >= 0:
            self.out.sim_hist.append((dev, self.sim[dev], self.sim_from[dev], day))
            self.sim[dev] = -1
        self.owner[dev] = -1
        self.out.end[dev] = day
        self.out.end_reason[dev] = reason


def simulate_contraband(
    sc: Scenario,
    est: Establishment,
    people: I64,
    cells: I64,
    propensity: F64,
    seed: int,
    issued: set[str],
) -> Contraband:
    """Run one establishment's contraband over the period."""
    st = _State(
        sc,
        est,
        people,
        cells,
        propensity,
        rng_for(seed, Stream.DEVICES, est.idx),
        IdentifierFactory(rng_for(seed, Stream.IDENTIFIERS, 3, est.idx), issued, est.idx + 1),
        Contraband(est.idx),
    )
    for d in range(sc.run.days):
        _day(st, d)
    for dev, s in enumerate(st.sim):
        if s >= 0:
            st.out.sim_hist.append((dev, s, st.sim_from[dev], sc.run.days))
    cols = ("day", "dev", "sim", "prisoner", "role", "cell")
    allrows = np.concatenate(st.rows, axis=1) if st.rows else np.zeros((6, 0), np.int64)
    st.out.usage = {c: allrows[i] for i, c in enumerate(cols)}
    return st.out


def _pick_owner(st: _State, present: I64) -> int:
    w = st.propensity[present] * np.where(np.isin(present, st.owner), 0.3, 1.0)
    if w.sum() <= 0:
        return -1
    return int(st.rng.choice(present, p=w / w.sum()))


def _arrivals(st: _State, d: int, present: I64) -> None:
    cb, rng = st.sc.contraband, st.rng
    lam = cb.arrivals_per_1000_month * len(present) / 1000 / 30
    n = int(rng.poisson(lam))
    n_init = int(rng.poisson(cb.initial_phones_per_1000 * len(present) / 1000)) if d == 0 else 0
    n += n_init
    routes = sorted(cb.route_weights)
    w = np.array([cb.route_weights[r] for r in routes])
    for k in range(n):
        route = routes[int(rng.choice(len(routes), p=w / w.sum()))]
        u = rng.random()
        kind = (
            "SIM"
            if u < cb.sim_only_fraction
            else (
                "HANDSET"
                if u < cb.sim_only_fraction + cb.handset_only_fraction
                else "HANDSET_WITH_SIM"
            )
        )
        initial = k >= n - n_init
        if not initial and rng.random() < cb.interception_rate.get(route, 0.0):
            _intercept(st, d, route, kind, present)
            continue
        if kind == "SIM":
            alive = [i for i, o in enumerate(st.owner) if o >= 0]
            s = st.new_sim()
            if alive:
                st.put_sim(alive[int(rng.integers(len(alive)))], s, d)
            else:
                st.spare.append(s)
            continue
        dev = st.new_handset(-int(rng.integers(1, 90)) if initial else d, route)
        owner = _pick_owner(st, present)
        if owner < 0:
            st.kill(dev, d, "ABANDONED")
            continue
        st.owner[dev] = owner
        s = st.spare.pop() if kind == "HANDSET" and st.spare else st.new_sim()
        st.put_sim(dev, s, st.out.arrival[dev])


def _intercept(st: _State, d: int, route: str, kind: str, present: I64) -> None:
    items: list[tuple[str, int, int]] = []
    dev = st.new_handset(d, route) if kind != "SIM" else -1
    s = st.new_sim() if kind != "HANDSET" else -1
    if dev >= 0:
        st.kill(dev, d, "INTERCEPTED")
    items.append((kind, dev, s))
    who = -1
    if route in ("VISITS", "RECEPTION") and len(present):
        who = int(st.people[present[int(st.rng.integers(len(present)))]])
    spot = {"PERIMETER": "PERIMETER", "DRONE": "YARD", "VISITS": "VISITS", "RECEPTION": "RECEPTION"}
    loc = st.est.spot(spot.get(ROUTE_SEARCH[route], "RECEPTION"))
    st.out.seizures.append(Seizure(d, loc, ROUTE_SEARCH[route], items, who, who))


def _mates(cur: I64) -> tuple[I64, I64]:
    """For each local prisoner: a cellmate (or -1), and the sort order by landing."""
    mate = np.full(len(cur), -1, dtype=np.int64)
    present = np.flatnonzero(cur >= 0)
    order = present[np.argsort(cur[present], kind="stable")]
    c = cur[order]
    same = np.flatnonzero(c[1:] == c[:-1])
    mate[order[same]] = order[same + 1]
    mate[order[same + 1]] = order[same]
    return mate, present


def _landing_peer(st: _State, who: I64, present: I64, cur: I64) -> I64:
    """A random present prisoner on the same landing as each of ``who``."""
    land = st.est.cell_landing[cur[present]]
    order = np.argsort(land, kind="stable")
    sl = land[order]
    wl = st.est.cell_landing[cur[who]]
    lo = np.searchsorted(sl, wl, "left")
    hi = np.searchsorted(sl, wl, "right")
    pick = lo + (st.rng.random(len(who)) * (hi - lo)).astype(np.int64)
    return present[order[np.minimum(pick, len(order) - 1)]]


def _night_users(st: _State, owners: I64, present: I64, cur: I64, mate: I64) -> I64:
    """Who has each phone tonight: its owner, unless he lends it for the whole night
    (``lend_probability``) to his cellmate or a landing neighbour, half and half.

    No draw is made when lending is off, so such scenarios keep their bytes.
    """
    p = st.sc.contraband.lend_probability
    if p <= 0 or len(owners) == 0:
        return owners
    lend = st.rng.random(len(owners)) < p
    if not lend.any() or len(present) == 0:
        return owners
    peer = _landing_peer(st, owners[lend], present, cur)
    m = mate[owners[lend]]
    borrower = np.where((m >= 0) & (st.rng.random(len(m)) < 0.5), m, peer)
    out = owners.copy()
    out[lend] = np.where(borrower >= 0, borrower, owners[lend])
    return out


def _day(st: _State, d: int) -> None:
    cb, rng, _sr = st.sc.contraband, st.rng, st.sc.searches
    cur = st.cells[:, d]
    mate, present = _mates(cur)
    _arrivals(st, d, present)
    # Owners who left today: the phone is passed to a landing neighbour or abandoned.
    for dev, o in enumerate(st.owner):
        if o >= 0 and cur[o] < 0:
            prev = st.cells[o, d - 1] if d > 0 else -1
            if prev >= 0 and rng.random() < cb.pass_on_probability and len(present):
                land = st.est.cell_landing[prev]
                near = present[st.est.cell_landing[cur[present]] == land]
                st.owner[dev] = int(near[rng.integers(len(near))]) if len(near) else -1
            else:
                st.owner[dev] = -1
            if st.owner[dev] < 0:
                # Remembered so that follow.py can let it go with its owner on transfer.
                st.out.left_with.append((dev, st.sim[dev], int(st.people[o]), d))
                st.kill(dev, d, "ABANDONED")
    alive = np.array([i for i, o in enumerate(st.owner) if o >= 0], dtype=np.int64)
    if len(alive) == 0:
        return
    for dev in alive[rng.random(len(alive)) < cb.sim_swaps_per_month / 30]:
        st.put_sim(int(dev), st.spare.pop() if st.spare and rng.random() < 0.3 else st.new_sim(), d)
    for dev in alive[rng.random(len(alive)) < cb.loss_per_month / 30]:
        st.kill(int(dev), d, "LOST")
    _searches(st, d, cur, mate)
    alive = np.array([i for i, o in enumerate(st.owner) if o >= 0], dtype=np.int64)
    alive = alive[rng.random(len(alive)) >= cb.idle_day_probability]
    alive = (
        alive[np.array([st.sim[i] for i in alive], dtype=np.int64) >= 0] if len(alive) else alive
    )
    if len(alive) == 0:
        return
    owners = np.array([st.owner[i] for i in alive], dtype=np.int64)
    sims = np.array([st.sim[i] for i in alive], dtype=np.int64)
    # (handsets, SIMs, users, role, owners the users must differ from)
    tonight = _night_users(st, owners, present, cur, mate)
    # A borrower uses the phone as a renter does (fewer transmissions, his own calls).
    parts: list[tuple[I64, I64, I64, I64 | int, I64 | None]] = [
        (alive, sims, tonight, np.where(tonight == owners, 0, 1).astype(np.int64), None)]
    rent = rng.random(len(alive)) < cb.rent_probability
    if rent.any():
        parts.append((alive[rent], sims[rent], _landing_peer(st, owners[rent], present, cur), 1,
                      owners[rent]))
    share = (rng.random(len(alive)) < cb.share_probability) & (mate[owners] >= 0)
    if share.any():
        parts.append((alive[share], sims[share], mate[owners[share]], 2, None))
    for devs, ss, users, role, differ in parts:
        keep = users >= 0
        if differ is not None:
            keep &= users != differ
        u = users[keep]
        st.rows.append(
            np.vstack(
                [
                    np.full(len(u), d),
                    devs[keep],
                    ss[keep],
                    st.people[u],
                    np.broadcast_to(role, keep.shape)[keep],
                    st.est.cells[cur[u]],
                ]
            ).astype(np.int64)
        )


def _searches(st: _State, d: int, cur: I64, mate: I64) -> None:
    """Routine and intelligence-led cell searches; finds end a phone's life."""
    sr, rng = st.sc.searches, st.rng
    alive = [i for i, o in enumerate(st.owner) if o >= 0]
    if not alive:
        return
    n_cells = len(st.est.cells)
    searched = set(
        np.flatnonzero(rng.random(n_cells) < sr.routine_searches_per_cell_year / 365).tolist()
    )
    targeted = {
        int(cur[st.owner[i]])
        for i in alive
        if rng.random() < sr.intelligence_searches_per_phone_month / 30
    }
    for dev in alive:
        o = st.owner[dev]
        cell = int(cur[o])
        if cell not in searched and cell not in targeted:
            continue
        if rng.random() >= sr.find_probability:
            continue
        s = st.sim[dev]
        items: list[tuple[str, int, int]] = []
        if s >= 0 and rng.random() < 0.2:
            items.append(("HANDSET", dev, -1))
            st.spare.append(s)  # the SIM was hidden elsewhere and survives the search
            st.sim[dev] = -1
            st.out.sim_hist.append((dev, s, st.sim_from[dev], d))
        else:
            items.append(("HANDSET_WITH_SIM" if s >= 0 else "HANDSET", dev, s))
        if st.spare and rng.random() < 0.3:
            items.append(("SIM", -1, st.spare.pop()))
        if rng.random() < sr.charger_probability:
            items.append(("CHARGER", -1, -1))
        who = -1
        if rng.random() < sr.attribute_probability:
            # In a shared cell staff may attribute the find to the wrong occupant.
            m = int(mate[o])
            who = int(st.people[m]) if m >= 0 and rng.random() < 0.3 else int(st.people[o])
        kind = "CELL_SEARCH" if cell in searched else "SIGNAL_DETECTOR"
        st.out.seizures.append(
            Seizure(d, int(st.est.cells[cell]), kind, items, who, int(st.people[o]))
        )
        if rng.random() < sr.handheld_hit_probability and s >= 0:
            st.out.handheld.append((d, dev, s, int(st.est.cells[cell])))
        st.kill(dev, d, "SEIZED")
