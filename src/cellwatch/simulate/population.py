"""Prisoners and where they sleep: receptions, releases, transfers and cell moves.

A day-by-day loop over the estate keeps every bed's occupant; each change closes one
stay (prisoner, establishment, bed, start, end) and opens the next. Stays become the
occupancy file and, per establishment, a prisoner-by-day matrix of cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cellwatch.simulate.clock import DAY, local_midnights
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.ids import IdentifierFactory
from cellwatch.simulate.names import FORENAMES_F, FORENAMES_M, OFFENCE_GROUPS, SURNAMES
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

I64 = npt.NDArray[np.int64]


@dataclass
class Prisoners:
    """Everyone who was in custody during the period, as parallel lists."""

    number: list[str] = field(default_factory=list)
    surname: list[str] = field(default_factory=list)
    forenames: list[str] = field(default_factory=list)
    dob: list[dt.date] = field(default_factory=list)
    offence: list[str] = field(default_factory=list)
    reception_day: list[int] = field(default_factory=list)
    release_day: list[int] = field(default_factory=list)
    parole_day: list[int] = field(default_factory=list)  # -10**6: not eligible
    propensity: list[float] = field(default_factory=list)  # 0: never uses a phone
    last_est: list[int] = field(default_factory=list)  # -1 once released


@dataclass
class Stays:
    """One row per stay in a bed: the occupancy history."""

    prisoner: list[int] = field(default_factory=list)
    est: list[int] = field(default_factory=list)
    bed: list[int] = field(default_factory=list)
    start_day: list[int] = field(default_factory=list)
    start_t: list[int] = field(default_factory=list)
    end_day: list[int] = field(default_factory=list)  # exclusive; ``days`` while current
    end_t: list[int] = field(default_factory=list)  # -1 while current


@dataclass
class Population:
    """Prisoners, stays, and the open stay of each prisoner."""

    prisoners: Prisoners
    stays: Stays


@dataclass
class _Loop:
    sc: Scenario
    estate: list[Establishment]
    rng: np.random.Generator
    ids: IdentifierFactory
    midnights: I64
    p: Prisoners = field(default_factory=Prisoners)
    s: Stays = field(default_factory=Stays)
    open_stay: dict[int, int] = field(default_factory=dict)
    releases: dict[int, list[int]] = field(default_factory=dict)

    def new_prisoners(self, day: int, n: int, female: bool, young: bool) -> list[int]:
        """Receive ``n`` new prisoners on ``day``, every draw vectorised; their ids."""
        rng, sc = self.rng, self.sc
        mean = sc.population.mean_stay_days
        # Those in custody on day one have already served part of their sentence.
        served = rng.exponential(mean, n).astype(np.int64) if day == 0 else np.zeros(n, np.int64)
        remaining = rng.exponential(mean, n).astype(np.int64) + 7
        age = rng.uniform(18, 22, n) if young else 18 + rng.gamma(3.0, 6.0, n)
        names = FORENAMES_F if female else FORENAMES_M
        sur = rng.integers(len(SURNAMES), size=n).tolist()
        fore = rng.integers(len(names), size=(n, 2)).tolist()
        two = (rng.random(n) < 0.6).tolist()
        off = rng.integers(len(OFFENCE_GROUPS), size=n).tolist()
        user = rng.random(n) < sc.contraband.user_fraction
        prop = np.where(user, rng.lognormal(0, 1, n), 0.0).tolist()
        start = sc.run.start_date
        first = len(self.p.number)
        for k in range(n):
            s, r = int(served[k]), int(remaining[k])
            self.p.number.append(self.ids.prison_number())
            self.p.surname.append(SURNAMES[sur[k]])
            f = names[fore[k][0]]
            self.p.forenames.append(f"{f} {names[fore[k][1]]}" if two[k] else f)
            self.p.dob.append(start + dt.timedelta(days=day - int(age[k] * 365.25)))
            self.p.offence.append(OFFENCE_GROUPS[off[k]])
            self.p.reception_day.append(day - s)
            self.p.release_day.append(day + r)
            sentence = s + r
            self.p.parole_day.append(day - s + sentence // 2 if sentence > 4 * 365 else -(10**6))
            self.p.propensity.append(prop[k])
            self.p.last_est.append(-1)
            self.releases.setdefault(day + r, []).append(first + k)
        return list(range(first, first + n))

    def open(self, p: int, e: int, bed: int, day: int, t: int) -> None:
        self.open_stay[p] = len(self.s.prisoner)
        for lst, v in zip(
            (
                self.s.prisoner,
                self.s.est,
                self.s.bed,
                self.s.start_day,
                self.s.start_t,
                self.s.end_day,
                self.s.end_t,
            ),
            (p, e, bed, day, t, self.sc.run.days, -1),
            strict=True,
        ):
            lst.append(v)
        self.p.last_est[p] = e

    def close(self, p: int, day: int, t: int) -> None:
        i = self.open_stay.pop(p)
        self.s.end_day[i] = day
        self.s.end_t[i] = t
        self.p.last_est[p] = -1

    def at(self, day: int, lo_h: float, hi_h: float) -> int:
        return int(self.midnights[day] + self.rng.uniform(lo_h, hi_h) * 3600)


def simulate_population(sc: Scenario, estate: list[Establishment], seed: int) -> Population:
    """Run receptions, releases, transfers and cell moves over the whole period."""
    rng = rng_for(seed, Stream.POPULATION)
    lp = _Loop(
        sc,
        estate,
        rng,
        IdentifierFactory(rng_for(seed, Stream.IDENTIFIERS, 1)),
        local_midnights(sc.run.start_date, sc.run.days),
    )
    occ = [np.full(len(e.beds), -1, dtype=np.int64) for e in estate]
    pop = sc.population
    for d in range(sc.run.days):
        moving: list[int] = []
        for p in lp.releases.pop(d, []):
            if p in lp.open_stay:
                e = lp.s.est[lp.open_stay[p]]
                occ[e][lp.s.bed[lp.open_stay[p]]] = -1
                lp.close(p, d, lp.at(d, 8, 11))
        for e in range(len(estate)):
            beds = occ[e]
            taken = np.flatnonzero(beds >= 0)
            if d > 0 and len(estate) > 1:
                out = taken[rng.random(len(taken)) < pop.transfers_per_prisoner_year / 365]
                for b in out:
                    p = int(beds[b])
                    beds[b] = -1
                    lp.close(p, d, lp.at(d, 7, 9))
                    moving.append(p)
            taken = np.flatnonzero(beds >= 0)
            if d > 0:
                for b in taken[rng.random(len(taken)) < pop.cell_moves_per_prisoner_year / 365]:
                    free = np.flatnonzero(beds < 0)
                    if len(free) == 0:
                        continue
                    nb = int(free[rng.integers(len(free))])
                    p = int(beds[b])
                    beds[b], beds[nb] = -1, p
                    t = lp.at(d, 9, 17)
                    lp.close(p, d, t)
                    lp.open(p, e, nb, d, t)
        for p in moving:
            choices = [e for e in range(len(estate)) if e != lp.p.last_est[p]]
            for e in rng.permutation(choices):
                free = np.flatnonzero(occ[int(e)] < 0)
                if len(free):
                    b = int(free[rng.integers(len(free))])
                    occ[int(e)][b] = p
                    lp.open(p, int(e), b, d, lp.at(d, 13, 18))
                    break
        for e, est in enumerate(estate):
            _fill(lp, occ[e], e, est, d)
    return Population(lp.p, lp.s)


def _fill(lp: _Loop, beds: I64, e: int, est: Establishment, d: int) -> None:
    """Receive new prisoners into free beds up to the target occupancy."""
    target = int(lp.sc.population.occupancy_rate * len(beds))
    free = np.flatnonzero(beds < 0)
    need = target - (len(beds) - len(free))
    if need <= 0:
        return
    beds_in = lp.rng.permutation(free)[:need]
    new = lp.new_prisoners(d, len(beds_in), est.category == "WOMEN", est.category == "YOI")
    if d == 0:
        # Already in their cell when the period starts: the stay began some days before.
        back = lp.rng.integers(1, 120, size=len(new))
    for k, (b, p) in enumerate(zip(beds_in.tolist(), new, strict=True)):
        beds[b] = p
        if d == 0:
            days_back = min(int(back[k]), -lp.p.reception_day[p])
            t = int(lp.midnights[0] - days_back * DAY + 15 * 3600)
        else:
            t = lp.at(d, 14, 19)
        lp.open(p, e, b, d, t)


def cell_matrix(pop: Population, est: Establishment, days: int) -> tuple[I64, I64]:
    """(global prisoner ids, matrix [local prisoner, day] -> cell position or -1) for one prison."""
    s = pop.stays
    rows = np.flatnonzero(np.asarray(s.est, dtype=np.int64) == est.idx)
    who = np.asarray(s.prisoner, dtype=np.int64)[rows]
    people = np.unique(who)
    local = np.searchsorted(people, who)
    first = np.asarray(s.start_day, dtype=np.int64)[rows]
    last = np.asarray(s.end_day, dtype=np.int64)[rows]
    cell = est.beds[np.asarray(s.bed, dtype=np.int64)[rows]]
    m = np.full((len(people), days), -1, dtype=np.int64)
    # Stays of one prisoner never overlap, so a flat scatter of every stay-day is exact.
    n = np.maximum(last - first, 0)
    k = np.repeat(np.arange(len(rows)), n)
    day = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + first[k]
    m[local[k], day] = cell[k]
    return people, m
