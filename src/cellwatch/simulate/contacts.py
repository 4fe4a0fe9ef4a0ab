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
class PinContact:
    """One approved number on a prisoner's PIN list."""

    prisoner: int
    number: str
    name: str
    relationship: str  # FAMILY, FRIEND, LEGAL, OFFICIAL, OTHER
    approved_from: int  # day index


@dataclass
class Contacts:
    """Everyone outside, and who knows whom."""

    pins: list[PinContact] = field(default_factory=list)
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
    c.others = [ids.mobile() for _ in range(50 * len(estate))]
    p = pop.prisoners
    n = len(p.number)
    lo, hi = (
        sc.population.pin_contacts_min,
        max(sc.population.pin_contacts_min, sc.population.pin_contacts_max),
    )
    for i in range(n):
        k = int(rng.integers(lo, hi + 1))
        fam = []
        start = max(0, p.reception_day[i])
        for j in range(k):
            rel_kind = (
                "FAMILY" if j < max(1, k - 2) else ("FRIEND" if rng.random() < 0.7 else "LEGAL")
            )
            if rel_kind == "LEGAL":
                num = solicitors[int(rng.integers(len(solicitors)))]
                name = "Solicitor"
            else:
                num = ids.mobile() if rng.random() < 0.8 else ids.landline()
                fem = rng.random() < 0.6
                pool = FORENAMES_F if fem else FORENAMES_M
                name = pool[int(rng.integers(len(pool)))] + (
                    " " + p.surname[i] if rel_kind == "FAMILY" else ""
                )
                if rel_kind == "FAMILY":
                    fam.append(num)
            c.pins.append(PinContact(i, num, name, rel_kind, start))
        c.family[i] = fam
    _brothers(sc, pop, rng, ids, c)
    _groups(sc, estate, pop, rng, ids, c)
    return c


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
            c.pins.append(PinContact(x, num, "Mother", "FAMILY", max(0, p.reception_day[x])))
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
