"""Deterministic STIX identifiers and cellwatch's custom cyber-observables.

Every id is a UUIDv5, so the same prisoner, identifier, attribution or intelligence item
has the same id in every export and a partner's platform merges rather than duplicates.
Cyber-observables use the STIX namespace and their id-contributing properties, as the
specification asks (section 2.9); everything else uses a cellwatch namespace.
"""

from __future__ import annotations

import json
import uuid

# STIX 2.1 section 2.9: the namespace for deterministic SCO identifiers.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
CELLWATCH_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cellwatch.invalid/stix")

# Identifier types with no STIX cyber-observable of their own: custom SCO types, each
# carrying the normalised identifier in ``value`` (the only id-contributing property).
CUSTOM_SCO_TYPES = {
    "IMEI": "x-cellwatch-imei",
    "IMSI": "x-cellwatch-imsi",
    "ICCID": "x-cellwatch-iccid",
    "MSISDN": "x-cellwatch-phone-number",
}


def sdo_id(stix_type: str, *key: str) -> str:
    """A stable id for a cellwatch-made object, from its natural key."""
    return f"{stix_type}--{uuid.uuid5(CELLWATCH_NAMESPACE, '|'.join((stix_type, *key)))}"


def sco_id(stix_type: str, contributing: dict[str, str]) -> str:
    """A STIX deterministic SCO id from the id-contributing properties."""
    canonical = json.dumps(contributing, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, canonical)}"


def split_account(value: str) -> tuple[str, str]:
    """``platform:canonical_id`` into its parts (platform ``unknown`` when absent)."""
    platform, sep, handle = value.partition(":")
    return (platform, handle) if sep else ("unknown", value)


def observable(identifier_type: str, value: str) -> dict[str, object]:
    """The cyber-observable for one normalised identifier, as a STIX dict.

    Accounts become standard ``user-account`` objects; the rest custom SCOs.

    >>> observable("IMEI", "356938035643809")["type"]
    'x-cellwatch-imei'
    """
    if identifier_type == "ACCOUNT":
        platform, handle = split_account(value)
        contributing = {"account_login": handle, "account_type": platform, "user_id": handle}
        return {"type": "user-account", "spec_version": "2.1",
                "id": sco_id("user-account", contributing), "user_id": handle,
                "account_login": handle, "account_type": platform}
    stix_type = CUSTOM_SCO_TYPES.get(identifier_type, "x-cellwatch-identifier")
    return {"type": stix_type, "spec_version": "2.1",
            "id": sco_id(stix_type, {"value": value}), "value": value,
            "x_cellwatch_identifier_type": identifier_type}


def classify_identifier(text: str) -> tuple[str, str]:
    """``(type, normal form)`` of an identifier quoted in free intelligence.

    Unparseable values are kept as written under type ``UNKNOWN``: they are the item's
    content, and a partner may know what they are.
    """
    from cellwatch.errors import InvalidIdentifier
    from cellwatch.identifiers import classify

    try:
        info = classify(text)
    except InvalidIdentifier:
        return "UNKNOWN", text.strip()
    return str(info.type), info.value


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def pattern_for(identifier_type: str, value: str) -> str:
    """A STIX pattern matching the identifier's observable."""
    if identifier_type == "ACCOUNT":
        platform, handle = split_account(value)
        return (f"[user-account:account_type = '{_quote(platform)}' AND "
                f"user-account:user_id = '{_quote(handle)}']")
    stix_type = CUSTOM_SCO_TYPES.get(identifier_type, "x-cellwatch-identifier")
    return f"[{stix_type}:value = '{_quote(value)}']"
