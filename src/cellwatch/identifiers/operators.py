"""Mobile networks by MCC and MNC: the UK table as data, stdnum for the rest of the world.

UK networks (MCC 234 and 235, including Jersey, Guernsey and the Isle of Man)
come from ``data/uk-networks.csv`` so that the names are the ones staff use and
MVNOs carry their host network; every other MCC falls back to python-stdnum's
IMSI database.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from stdnum import numdb

UK_MCCS = frozenset({"234", "235"})


@dataclass(frozen=True)
class Network:
    """A mobile network: who runs it and where."""

    mcc: str
    mnc: str
    operator: str
    country: str
    territory: str = ""
    host: str = ""
    note: str = ""
    status: str = ""


@functools.lru_cache(maxsize=1)
def uk_networks() -> dict[tuple[str, str], Network]:
    """The bundled UK table, keyed by (mcc, mnc)."""
    path = resources.files("cellwatch.identifiers").joinpath("data").joinpath("uk-networks.csv")
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        return {
            (row["mcc"], row["mnc"]): Network(
                mcc=row["mcc"],
                mnc=row["mnc"],
                operator=row["operator"],
                country="United Kingdom",
                territory=row["territory"],
                host=row["host"],
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        }


@dataclass(frozen=True)
class _Mcc:
    """What stdnum knows about one MCC: its country and the MNC lengths in use."""

    country: str
    mnc_lengths: frozenset[int]


@functools.lru_cache(maxsize=1)
def _mccs() -> dict[str, _Mcc]:
    # stdnum's numdb is a prefix tree: (length, low, high, props, children) per MCC.
    table: dict[str, _Mcc] = {}
    for _length, low, _high, _props, children in numdb.get("imsi").prefixes:
        countries = [c[3]["country"] for c in children if c[3].get("country")]
        table[low] = _Mcc(countries[0] if countries else "", frozenset(c[0] for c in children))
    return table


def mcc_known(mcc: str) -> bool:
    """True when the MCC belongs to a country or network stdnum knows (or is UK)."""
    return mcc in UK_MCCS or mcc in _mccs()


def country_of_mcc(mcc: str) -> str:
    """The country name for an MCC, or '' if none is on record."""
    if mcc in UK_MCCS:
        return "United Kingdom"
    known = _mccs().get(mcc)
    return known.country if known else ""


def split_imsi(imsi: str) -> tuple[str, str, str] | None:
    """(mcc, mnc, msin) of a digit string, or None when the MCC is unknown.

    UK MNCs have two digits; elsewhere stdnum knows whether an MNC has two or
    three. An MNC nobody has on record gets three digits only where the
    country uses nothing but three-digit MNCs (the US and Canada, mostly).
    """
    mcc = imsi[:3]
    if mcc in UK_MCCS:
        return mcc, imsi[3:5], imsi[5:]
    known = _mccs().get(mcc)
    if known is None:
        return None
    parts = numdb.get("imsi").split(imsi)
    if len(parts) >= 3:
        return parts[0], parts[1], "".join(parts[2:])
    width = 3 if known.mnc_lengths == frozenset({3}) else 2
    return mcc, imsi[3 : 3 + width], imsi[3 + width :]


def network(mcc: str, mnc: str) -> Network | None:
    """The network for an MCC and MNC, or None if nobody has it on record."""
    uk = uk_networks().get((mcc, mnc))
    if uk is not None:
        return uk
    found = numdb.get("imsi").info(mcc + mnc)
    if len(found) < 2 or found[1][0] != mnc:
        return None
    info = found[1][1]
    name = info.get("brand") or info.get("operator")
    if not name:
        return None
    return Network(
        mcc=mcc,
        mnc=mnc,
        operator=name,
        country=info.get("country", ""),
        # Keep the company name when the brand differs from it (AT&T / AT&T Mobility).
        note=info["operator"] if info.get("brand") and info.get("operator") else "",
        status=info.get("status", ""),
    )
