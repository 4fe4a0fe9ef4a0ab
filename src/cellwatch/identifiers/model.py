"""The result of parsing any identifier: its type, normal form and what we know about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class IdentifierType(StrEnum):
    """The kinds of identifier cellwatch knows (values match the interchange exports)."""

    IMEI = "IMEI"
    IMSI = "IMSI"
    ICCID = "ICCID"
    MSISDN = "MSISDN"
    ACCOUNT = "ACCOUNT"


# The flag of a number accepted as possible but not known as allocated (msisdn).
UNALLOCATED_NUMBER = "unallocated_number"


@dataclass(frozen=True)
class IdentifierInfo:
    """A parsed, validated identifier.

    ``value`` is the normal form (15-digit IMEI, 14-15 digit IMSI, ICCID digits,
    E.164 number, ``platform:canonical_id``); ``display`` is for people;
    ``details`` holds the parts (tac, make, mcc, operator, platform...);
    ``notes`` are human explanations of what was found or assumed; ``flags`` name what
    was accepted with a doubt (``unallocated_number``), stored and counted with a record.
    """

    type: IdentifierType
    value: str
    display: str
    details: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flags: tuple[str, ...] = ()

    def explain(self) -> list[str]:
        """Readable lines describing this identifier (see :func:`explain`)."""
        return explain(self)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "type": str(self.type),
            "value": self.value,
            "display": self.display,
            "details": dict(self.details),
            "notes": list(self.notes),
            "flags": list(self.flags),
        }


# Labels for the details worth showing, in the order people read them.
_LABELS = {
    "tac": "TAC",
    "make": "make",
    "model": "model",
    "sv": "software version",
    "mcc": "MCC",
    "mnc": "MNC",
    "msin": "MSIN",
    "operator": "home operator",
    "country": "country",
    "region": "region",
    "issuer_prefix": "issuer prefix",
    "line_type": "line type",
    "carrier": "original network",
    "platform": "platform",
    "id": "account id",
}


def explain(info: IdentifierInfo) -> list[str]:
    """Readable lines: what it is, its normal form, its parts, then the notes.

    >>> explain(IdentifierInfo(IdentifierType.IMSI, "234150123456789", "234 15 0123456789"))[0]
    'IMSI 234 15 0123456789'
    """
    lines = [f"{info.type} {info.display}"]
    if info.display != info.value:
        lines.append(f"normal form: {info.value}")
    for key, label in _LABELS.items():
        if info.details.get(key):
            lines.append(f"{label}: {info.details[key]}")
    lines.extend(info.notes)
    return lines
