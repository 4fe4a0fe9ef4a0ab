"""The people outside: families, associates, solicitors, helplines and switchboards.

Builds each prisoner's approved PIN-phone list, organised-crime associate groups that
span prisons, families shared by brothers in different prisons, and the numbers that
must never count as evidence (privileged) or are shared by many (switchboards).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.ids import IdentifierFactory
from cellwatch.simulate.names import FORENAMES_F, FORENAMES_M
from cellwatch.simulate.population import Population
from cellwatch.simulate.rand import Stream, rng_for
from cellwatch.simulate.scenario import Scenario

FAMILY_RELS = ("Mother", "Father", "Partner", "Sister", "Brother", "Aunt", "Son", "Daughter")


@dataclass
class Pins:
    """Approved numbers on prisoners' PIN lists, as parallel columns (one row per number)."""

    prisoner: list[int] = field(default_factory=list)
    number: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    relationship: list[str] = field(default_factory=list)  # FAMILY, FRIEND, LEGAL, ...
    approved_from: list[int] = field(default_factory=list)  # day index

    def add(self, prisoner: int, number: str, name: str, rel: str, day: int) -> None:
        """Append one approved number."""
        self.prisoner.append(prisoner)
        self.number.append(number)
        self.name.append(name)
        self.relationship.append(rel)
        self.approved_from.append(day)


@dataclass
class Contacts:
    """Everyone outside, and who knows whom."""

    pins: Pins = field(default_factory=Pins)
    family: dict[int, list[str]] = field(default_factory=dict)  # prisoner -> family numbers
    shared_family: dict[int, str] = field(default_factory=dict)  # brothers' common number
    group_of: dict[int, int] = field(default_factory=dict)  # prisoner -> associate group
    groups: list[tuple[list[int], list[str]]] = field(default_factory=list)
    privileged: list[tuple[str, str]] = field(default_factory=list)  # number, description
    switchboards: list[str] = field(default_factory=list)  # by establishment index
    others: list[str] = field(default_factory=list)  # random numbers anyone may call


def build_contacts(
    sc: Scenario, estate: list[Establishment], pop: Population, seed: int, issued: set[str]
) -> Contacts:
    """PIN lists, associate groups, brothers, privileged and shared numbers."""
    rng = rng_for(seed, Stream.CONTACTS)
    ids = IdentifierFactory(rng_for(seed, Stream.IDENTIFIERS, 2), issued)
    c = Contacts()
    c.switchboards = [ids.landline() for _ in estate]
    solicitors = [ids.landline() for _ in range(max(4, len(estate) * 3))]
    c.privileged = [(n, f"Solicitors' firm {i + 1}") for i, n in enumerate(solicitors)]
    # Helplines sit in Ofcom's drama freephone range (0808 157 0xxx): never a real line.
    c.privileged += [
        ("+448081570116", "Samaritans (simulated helpline number)"),
        ("+448081570117", "Prisons and Probation Ombudsman (simulated number)"),
        ("+448081570118", "Prisoners' Advice Service (simulated number)"),
    ]
    c.others = ids.mobiles(50 * len(estate))
    _pin_lists(sc, pop, rng, ids, solicitors, c)
    _brothers(sc, pop, rng, ids, c)
    _groups(sc, estate, pop, rng, ids, c)
    return c


def _pin_lists(
    sc: Scenario,
    pop: Population,
    rng: np.random.Generator,
    ids: IdentifierFactory,
    solicitors: list[str],
    c: Contacts,
) -> None:
    """Each prisoner's family, friends and up to two solicitors, drawn for everyone at once."""
    p = pop.prisoners
    n = len(p.number)
    lo = sc.population.pin_contacts_min
    hi = max(lo, sc.population.pin_contacts_max)
    k = rng.integers(lo, hi + 1, size=n)
    who = np.repeat(np.arange(n), k)
    pos = np.arange(len(who)) - np.repeat(np.cumsum(k) - k, k)
    family = pos < np.maximum(1, k[who] - 2)
    legal = ~family & (rng.random(len(who)) >= 0.7)
    # The last two places may be solicitors: different firms, never the same one twice
    # (a repeated firm used to give duplicate PIN rows).
    first = rng.integers(len(solicitors), size=n)[who]
    step = 1 + rng.integers(len(solicitors) - 1, size=n)[who]
    firm = np.where(pos == k[who] - 1, (first + step) % len(solicitors), first)
    firm = np.where(pos == k[who] - 2, first, firm)
    own = ~legal
    mobile = rng.random(len(who)) < 0.8
    n_mob = int((own & mobile).sum())
    mobiles = iter(ids.mobiles(n_mob))
    fem = rng.random(len(who)) < 0.6
    pick = rng.integers(1 << 30, size=len(who))
    start = np.maximum(0, np.asarray(p.reception_day, dtype=np.int64))
    pins = c.pins
    fam_lists: dict[int, list[str]] = {i: [] for i in range(n)}
    rows = zip(who.tolist(), family.tolist(), legal.tolist(), mobile.tolist(), strict=True)
    for j, (i, is_fam, is_legal, is_mob) in enumerate(rows):
        if is_legal:
            pins.add(i, solicitors[int(firm[j])], "Solicitor", "LEGAL", int(start[i]))
            continue
        num = next(mobiles) if is_mob else ids.landline()
        pool = FORENAMES_F if fem[j] else FORENAMES_M
        name = pool[int(pick[j]) % len(pool)]
        if is_fam:
            name += " " + p.surname[i]
            fam_lists[i].append(num)
        pins.add(i, num, name, "FAMILY" if is_fam else "FRIEND", int(start[i]))
    c.family = fam_lists


def _brothers(
    sc: Scenario, pop: Population, rng: np.random.Generator, ids: IdentifierFactory, c: Contacts
) -> None:
    """Pairs of brothers in different prisons whose mother's number is on both lists."""
    p = pop.prisoners
    first_est: dict[int, int] = {}
    for pr, e in zip(pop.stays.prisoner, pop.stays.est, strict=True):
        first_est.setdefault(pr, e)
    users = [i for i in range(len(p.number)) if p.propensity[i] > 0]
    pairs = int(len(users) * sc.population.brothers_fraction)
    order = rng.permutation(len(users))
    k = 0
    while pairs > 0 and k + 1 < len(order):
        a, b = users[int(order[k])], users[int(order[k + 1])]
        k += 2
        if first_est.get(a) == first_est.get(b):
            continue
        num = ids.mobile()
        for x in (a, b):
            c.shared_family[x] = num
            c.pins.add(x, num, "Mother", "FAMILY", max(0, p.reception_day[x]))
        p.surname[b] = p.surname[a]
        pairs -= 1


def _groups(
    sc: Scenario,
    estate: list[Establishment],
    pop: Population,
    rng: np.random.Generator,
    ids: IdentifierFactory,
    c: Contacts,
) -> None:
    """Organised-crime groups: prisoners across the estate sharing outside numbers."""
    p = pop.prisoners
    users = np.array([i for i in range(len(p.number)) if p.propensity[i] > 0], dtype=np.int64)
    n_groups = round(sc.calls.associate_groups_per_establishment * len(estate))
    size = sc.calls.associate_group_size
    if len(users) == 0:
        return
    for g in range(n_groups):
        members = [int(x) for x in rng.choice(users, size=min(size, len(users)), replace=False)]
        members = [m for m in members if m not in c.group_of]
        if not members:
            continue
        numbers = [ids.mobile() for _ in range(int(rng.integers(2, 6)))]
        for m in members:
            c.group_of[m] = g
        c.groups.append((members, numbers))
