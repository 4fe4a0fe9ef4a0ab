"""Deterministic STIX identifiers and the cyber-observables cellwatch declares.

Every id is stable, so the same prisoner, identifier, attribution or intelligence item
has the same id in every export and a partner's platform merges rather than duplicates.
Cyber-observables use the STIX namespace and their id-contributing properties, as the
specification asks (section 2.9); everything else uses a cellwatch namespace (UUIDv5:
the validator's {103} warning, explained in docs/exchange.md).

Identifiers with no STIX observable of their own are new SCO types declared by
``extension-definition`` objects (STIX 2.1 section 7.3), named after what partners
already model: ``phone-number`` with ``value`` is OpenCTI's Phone-Number observable;
``imei``, ``imsi`` and ``iccid`` are the attribute names of MISP's ``phone`` object.
"""

from __future__ import annotations

import json
import uuid

# STIX 2.1 section 2.9: the namespace for deterministic SCO identifiers.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
CELLWATCH_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cellwatch.invalid/stix")

# Fixed (random, v4) ids: one extension definition means one unchanging schema.
SCO_EXTENSIONS = {
    "IMEI": ("imei", "extension-definition--691c642f-334d-4e2a-82a5-04bb12774dbe"),
    "IMSI": ("imsi", "extension-definition--b0c1427b-3175-4c78-83e6-725b5b8f2101"),
    "ICCID": ("iccid", "extension-definition--a77aa023-3bda-46d8-9ffd-62df9083a7bf"),
    "MSISDN": ("phone-number", "extension-definition--0cd3ba9f-0715-411f-97fd-a3d18c908fda"),
    "UNKNOWN": ("cellwatch-identifier",
                "extension-definition--9a406858-a145-4c6e-8bca-585c0fdc0fad"),
}
PROPERTIES_EXTENSION = "extension-definition--dcb58fb5-3505-40c1-8fd9-8739fa5b96da"
# The identity that defines the extensions: the project, not the exporting organisation.
DEFINER_ID = "identity--e43e1f6c-c5df-4724-801d-f8e941e43a6c"


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


def sco_type(identifier_type: str) -> str:
    """The STIX type of an identifier's observable.

    >>> sco_type("MSISDN"), sco_type("IMEI"), sco_type("ACCOUNT")
    ('phone-number', 'imei', 'user-account')
    """
    if identifier_type == "ACCOUNT":
        return "user-account"
    return SCO_EXTENSIONS.get(identifier_type, SCO_EXTENSIONS["UNKNOWN"])[0]


def observable(identifier_type: str, value: str) -> dict[str, object]:
    """The cyber-observable for one normalised identifier, as a STIX dict.

    Accounts become standard ``user-account`` objects; the rest the declared new SCOs.

    >>> observable("IMEI", "356938035643809")["type"]
    'imei'
    """
    if identifier_type == "ACCOUNT":
        platform, handle = split_account(value)
        contributing = {"account_login": handle, "account_type": platform, "user_id": handle}
        return {"type": "user-account", "spec_version": "2.1",
                "id": sco_id("user-account", contributing), "user_id": handle,
                "account_login": handle, "account_type": platform}
    stix_type, extension = SCO_EXTENSIONS.get(identifier_type, SCO_EXTENSIONS["UNKNOWN"])
    return {"type": stix_type, "spec_version": "2.1",
            "id": sco_id(stix_type, {"value": value}), "value": value,
            "extensions": {extension: {"extension_type": "new-sco"}}}


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
    return f"[{sco_type(identifier_type)}:value = '{_quote(value)}']"
