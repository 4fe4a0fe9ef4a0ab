"""Valid identifiers: IMEIs with real TACs, UK IMSIs and ICCIDs, UK numbers, prison numbers.

Every identifier is drawn without repeats from an :class:`IdentifierFactory`, which
remembers what it has issued so that two phones never share an IMEI by accident
(sharing, where it happens, is modelled on purpose).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import phonenumbers
from stdnum import luhn

from cellwatch.identifiers import tac_table

# MCC 234 networks seen on contraband SIMs, with rough shares (MVNOs on their host's MNC).
OPERATORS: tuple[tuple[str, str, float], ...] = (
    ("10", "O2 UK", 0.30),
    ("15", "Vodafone UK", 0.18),
    ("20", "Three UK", 0.14),
    ("30", "EE", 0.18),
    ("33", "EE", 0.06),
    ("26", "Lycamobile", 0.10),
    ("50", "JT", 0.02),
    ("55", "Sure", 0.02),
)

# Geographic area codes for landlines (family homes, solicitors, switchboards).
AREA_CODES = ("121", "161", "113", "114", "115", "116", "117", "151", "191", "20", "29", "131")

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# Identifier factories in different worker processes cannot share an "issued" set, so
# each draws from its own namespace: the random core of every identifier is r * NAMESPACES
# + namespace. Namespace 0 is the parent process; establishment i uses i + 1.
NAMESPACES = 256
# Real handsets come from the identifiers package's Osmocom TAC database, limited to the
# brands common in UK prison seizures (the database is mostly older handsets).
REAL_BRANDS = frozenset(
    {
        "Nokia",
        "Motorola",
        "Samsung",
        "Alcatel",
        "Sony Ericsson",
        "LG",
        "Apple",
        "Sony",
        "Huawei",
        "BlackBerry",
        "ZTE",
        "HTC",
    }
)


@dataclass(frozen=True)
class Tac:
    """A type allocation code with its make and model."""

    tac: str
    make: str
    model: str
    tiny: bool


def _data(name: str) -> list[list[str]]:
    text = resources.files("cellwatch.simulate").joinpath(f"data/{name}").read_text("utf-8")
    rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].startswith("#")]
    return rows[1:]


@lru_cache(maxsize=1)
def prison_tacs() -> tuple[Tac, ...]:
    """Declared, synthetic TACs standing for the thumb-sized phones common in prisons.

    They are not in the Osmocom database (``data/prison_tacs.csv``); docs/simulator.md lists
    them so analysts can recognise them.
    """
    return tuple(Tac(r[0], r[1], r[2], True) for r in _data("prison_tacs.csv"))


@lru_cache(maxsize=1)
def load_tacs() -> tuple[Tac, ...]:
    """Real TACs of common brands from the bundled Osmocom database (cellwatch.identifiers)."""
    t = tac_table().to_pydict()
    return tuple(
        Tac(tac, make, model, False)
        for tac, make, model in zip(t["tac"], t["make"], t["model"], strict=True)
        if make in REAL_BRANDS
    )


@lru_cache(maxsize=2)
def _valid_prefixes(kind: str) -> tuple[str, ...]:
    """National-number prefixes of ``kind`` from ``data/uk_number_prefixes.csv``.

    Precomputed by :func:`compute_prefixes`: validating 27,000 candidates with
    phonenumbers took ~8 s per run; the data file also pins output to one phonenumbers release.
    """
    out: list[str] = []
    for k, first, last in _data("uk_number_prefixes.csv"):
        if k == kind:
            w = len(first)
            out += [f"{i:0{w}d}" for i in range(int(first), int(last) + 1)]
    return tuple(out)


def compute_prefixes(kind: str) -> tuple[str, ...]:
    """Prefixes where phonenumbers accepts every sampled number (to regenerate the data file)."""
    out = []
    if kind == "mobile":
        cands = [f"7{i:04d}" for i in range(10000)]
        tails = ("00012", "55555", "98765")
    else:
        cands = [a + f"{i:0{6 - len(a)}d}" for a in AREA_CODES for i in range(10 ** (6 - len(a)))]
        tails = ("0012", "5555", "9876")
    want = phonenumbers.PhoneNumberType.MOBILE if kind == "mobile" else None
    for p in cands:
        ok = True
        for t in tails:
            n = phonenumbers.parse("+44" + p + t, None)
            if (
                not phonenumbers.is_valid_number(n)
                or phonenumbers.region_code_for_number(n) != "GB"
            ):
                ok = False
                break
            if want is not None and phonenumbers.number_type(n) != want:
                ok = False
                break
        if ok:
            out.append(p)
    return tuple(out)


@dataclass
class IdentifierFactory:
    """Issues unique identifiers from one random stream, within one namespace."""

    rng: np.random.Generator
    issued: set[str] = field(default_factory=set)
    namespace: int = 0

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            v = make()
            if v not in self.issued:
                self.issued.add(v)
                return v

    def _core(self, space: int) -> int:
        """A random number below ``space`` that belongs to this factory's namespace."""
        return int(self.rng.integers(space // NAMESPACES)) * NAMESPACES + self.namespace

    def imei(self, tac: str) -> str:
        """A 15-digit IMEI with a valid Luhn check digit (serial never starting with 9)."""

        def make() -> str:
            body = f"{tac}{self._core(900_000):06d}"
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def imsi(self, mnc: str) -> str:
        """A 15-digit IMSI on MCC 234 (MSIN never starting with 9)."""
        return self._unique(lambda: f"234{mnc}{self._core(9_000_000_000):010d}")

    def iccid(self, mnc: str) -> str:
        """A 19-digit ICCID (89 44 ...) with a valid Luhn check digit."""

        def make() -> str:
            body = f"8944{mnc}{self._core(10**12):012d}"
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def mobile(self) -> str:
        """A UK mobile number in E.164 that phonenumbers accepts as valid."""
        pref = _valid_prefixes("mobile")
        return self._unique(
            lambda: f"+44{pref[int(self.rng.integers(len(pref)))]}{self._core(100_000):05d}"
        )

    def mobiles(self, n: int) -> list[str]:
        """``n`` unique mobile numbers at once (vectorised draws, redrawn on collision)."""
        pref = _valid_prefixes("mobile")
        out: list[str] = []
        while len(out) < n:
            k = n - len(out)
            p = self.rng.integers(len(pref), size=k).tolist()
            r = self.rng.integers(100_000 // NAMESPACES, size=k) * NAMESPACES + self.namespace
            for a, b in zip(p, r.tolist(), strict=True):
                v = f"+44{pref[a]}{b:05d}"
                if v not in self.issued:
                    self.issued.add(v)
                    out.append(v)
        return out

    def landline(self) -> str:
        """A UK geographic number in E.164 that phonenumbers accepts as valid."""
        pref = _valid_prefixes("landline")
        return self._unique(
            lambda: f"+44{pref[int(self.rng.integers(len(pref)))]}{self._core(10_000):04d}"
        )

    def prison_number(self) -> str:
        """A unique ``A1234BC`` prison number."""

        def make() -> str:
            # Only the parent issues prison numbers, so they use the whole space (11.5 M)
            # rather than one namespace's 1/256 of it, which a national run would exhaust.
            c = int(self.rng.integers(2 * 10_000 * 24 * 24))
            c, d = divmod(c, 10_000)
            c, b1 = divmod(c, 24)
            first, b2 = divmod(c, 24)
            return f"{'AG'[first]}{d:04d}{_LETTERS[b1]}{_LETTERS[b2]}"

        return self._unique(make)


def pick_operator(rng: np.random.Generator) -> tuple[str, str]:
    """An (MNC, operator name) pair by market share."""
    w = np.array([o[2] for o in OPERATORS])
    i = int(rng.choice(len(OPERATORS), p=w / w.sum()))
    return OPERATORS[i][0], OPERATORS[i][1]


_OPERATOR_NAMES = {o[0]: o[1] for o in OPERATORS}


def operator_name(mnc: str) -> str:
    """The operator name for an MNC of ours."""
    return _OPERATOR_NAMES[mnc]


def bulk_luhn(body: np.ndarray) -> np.ndarray:
    """Luhn check digits for rows of digits (``[n, k]`` int array), vectorised."""
    k = body.shape[1]
    # Double every second digit counting from the right of the body.
    dbl = (np.arange(k)[::-1] % 2) == 0
    d = body.copy()
    d[:, dbl] *= 2
    d[d > 9] -= 9
    return np.asarray((10 - d.sum(axis=1) % 10) % 10)


def _join(digits: np.ndarray) -> list[str]:
    return ["".join(map(str, r)) for r in digits.tolist()]


def bulk_imeis(rng: np.random.Generator, n: int) -> list[str]:
    """IMEIs for passers-by and visitors; serials start with 9, which the factory never issues."""
    tacs = load_tacs()
    tac = np.array(
        [[int(c) for c in tacs[i].tac] for i in rng.integers(len(tacs), size=n)]
    ).reshape(n, 8)
    serial = np.concatenate([np.full((n, 1), 9), rng.integers(0, 10, (n, 5))], axis=1)
    body = np.concatenate([tac, serial], axis=1)
    return _join(np.concatenate([body, bulk_luhn(body)[:, None]], axis=1))


def bulk_imsis(rng: np.random.Generator, n: int) -> list[str]:
    """IMSIs for passers-by and visitors; MSINs start with 9, which the factory never issues."""
    mncs = [o[0] for o in OPERATORS]
    pick = rng.integers(len(mncs), size=n)
    msin = _join(rng.integers(0, 10, (n, 9)))
    return [f"234{mncs[p]}9{m}" for p, m in zip(pick.tolist(), msin, strict=True)]
