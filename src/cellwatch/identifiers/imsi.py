"""IMSI: MCC (3 digits) + MNC (2 or 3) + MSIN; 14 or 15 digits in all. Names the home network."""

from __future__ import annotations

from cellwatch.errors import InvalidLength, UnknownComponent
from cellwatch.identifiers.digits import clean_digits
from cellwatch.identifiers.model import IdentifierInfo, IdentifierType
from cellwatch.identifiers.operators import country_of_mcc, network, split_imsi


def parse_imsi(text: str) -> IdentifierInfo:
    """Parse an IMSI (14-15 digits; separators allowed) and name its home network.

    Raises UnknownComponent when no country uses the MCC. An MNC nobody has on
    record is accepted with a note (new and private networks appear every year).

    >>> parse_imsi("234 15 0123456789").details["operator"]
    'Vodafone UK'
    """
    digits = clean_digits(text, "IMSI")
    if len(digits) not in (14, 15):
        raise InvalidLength(f"IMSI must have 14 or 15 digits; got {len(digits)}")
    parts = split_imsi(digits)
    if parts is None:
        raise UnknownComponent(f"IMSI has an unknown MCC {digits[:3]} (mobile country code)")
    mcc, mnc, msin = parts
    details = {"mcc": mcc, "mnc": mnc, "msin": msin, "country": country_of_mcc(mcc)}
    notes: list[str] = []
    net = network(mcc, mnc)
    if net is None:
        notes.append(f"MNC {mnc} is not on record for MCC {mcc} ({details['country']})")
    else:
        details["operator"] = net.operator
        details["country"] = net.country or details["country"]
        if net.territory and net.territory != net.country:
            details["territory"] = net.territory
        where = net.territory or net.country
        notes.append(f"home network {mcc}-{mnc}: {net.operator} ({where})")
        if net.host:
            details["host"] = net.host
            notes.append(f"{net.operator} runs on {net.host}'s network")
        if net.note:
            notes.append(f"{mcc}-{mnc}: {net.note}")
        if net.status and net.status.lower() != "operational":
            notes.append(f"{mcc}-{mnc} status: {net.status}")
    return IdentifierInfo(IdentifierType.IMSI, digits, f"{mcc} {mnc} {msin}", details, notes)


def home_operator(imsi: str) -> str | None:
    """The name of the IMSI's home network, or None when its MNC is not on record.

    Raises an InvalidIdentifier subclass when the IMSI itself is not valid.

    >>> home_operator("234150123456789")
    'Vodafone UK'
    """
    return parse_imsi(imsi).details.get("operator")
