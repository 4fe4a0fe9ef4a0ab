"""Valid identifiers: IMEIs with real TACs, UK IMSIs and ICCIDs, UK numbers, prison numbers.

Every identifier is drawn without repeats from an :class:`IdentifierFactory`, which
remembers what it has issued so that two phones never share an IMEI by accident
(sharing, where it happens, is modelled on purpose).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import phonenumbers
from stdnum import luhn

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

# Declared, synthetic TACs standing for the thumb-sized phones common in prisons. They are
# not in the Osmocom database; docs/simulator.md lists them so analysts can recognise them.
PRISON_TACS: tuple[tuple[str, str, str], ...] = (
    ("35000011", "Zanco", "tiny t1 (simulated TAC)"),
    ("35000022", "Zanco", "tiny t2 (simulated TAC)"),
    ("35000033", "Long-CZ", "J8 (simulated TAC)"),
    ("35000044", "BM", "BM10 (simulated TAC)"),
    ("35000055", "BM", "BM70 (simulated TAC)"),
)

# Geographic area codes for landlines (family homes, solicitors, switchboards).
AREA_CODES = ("121", "161", "113", "114", "115", "116", "117", "151", "191", "20", "29", "131")

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Tac:
    """A type allocation code with its make and model."""

    tac: str
    make: str
    model: str
    tiny: bool


@lru_cache(maxsize=1)
def load_tacs() -> tuple[Tac, ...]:
    """The packaged TAC subset (licence line, header, rows)."""
    text = resources.files("cellwatch.simulate").joinpath("data/tacs.csv").read_text("utf-8")
    rows = list(csv.reader(text.splitlines()[1:]))
    return tuple(Tac(r[0], r[1], r[2], False) for r in rows[1:])


@lru_cache(maxsize=2)
def _valid_prefixes(kind: str) -> tuple[str, ...]:
    """National-number prefixes where phonenumbers accepts every sampled number (cached)."""
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
    """Issues unique identifiers from one random stream."""

    rng: np.random.Generator
    issued: set[str] = field(default_factory=set)

    def _unique(self, make: object) -> str:
        while True:
            v = make() if callable(make) else str(make)
            if v not in self.issued:
                self.issued.add(v)
                return v

    def _digits(self, n: int) -> str:
        return "".join(str(d) for d in self.rng.integers(0, 10, n))

    def imei(self, tac: str) -> str:
        """A 15-digit IMEI with a valid Luhn check digit."""

        def make() -> str:
            body = tac + str(self.rng.integers(0, 9)) + self._digits(5)
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def imsi(self, mnc: str) -> str:
        """A 15-digit IMSI on MCC 234."""
        return self._unique(lambda: "234" + mnc + str(self.rng.integers(0, 9)) + self._digits(9))

    def iccid(self, mnc: str) -> str:
        """A 19-digit ICCID (89 44 ...) with a valid Luhn check digit."""

        def make() -> str:
            body = "8944" + mnc + self._digits(12)
            return body + luhn.calc_check_digit(body)

        return self._unique(make)

    def mobile(self) -> str:
        """A UK mobile number in E.164 that phonenumbers accepts as valid."""
        pref = _valid_prefixes("mobile")
        return self._unique(
            lambda: "+44" + pref[int(self.rng.integers(len(pref)))] + self._digits(5)
        )

    def landline(self) -> str:
        """A UK geographic number in E.164 that phonenumbers accepts as valid."""
        pref = _valid_prefixes("landline")
        return self._unique(
            lambda: "+44" + pref[int(self.rng.integers(len(pref)))] + self._digits(4)
        )

    def prison_number(self) -> str:
        """A unique ``A1234BC`` prison number."""

        def make() -> str:
            b, c = (int(x) for x in self.rng.integers(0, len(_LETTERS), 2))
            first = "AG"[int(self.rng.random() < 0.3)]
            return f"{first}{self._digits(4)}{_LETTERS[b]}{_LETTERS[c]}"

        return self._unique(make)


def pick_operator(rng: np.random.Generator) -> tuple[str, str]:
    """An (MNC, operator name) pair by market share."""
    w = np.array([o[2] for o in OPERATORS])
    i = int(rng.choice(len(OPERATORS), p=w / w.sum()))
    return OPERATORS[i][0], OPERATORS[i][1]


def operator_name(mnc: str) -> str:
    """The operator name for an MNC of ours."""
    return next(o[1] for o in OPERATORS if o[0] == mnc)


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
