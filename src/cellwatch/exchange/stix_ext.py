"""The ``extension-definition`` objects every cellwatch bundle carries (STIX 2.1 s. 7.3).

Each new observable type and the property extension holding cellwatch's own properties
is declared once, by a fixed project identity, with a fixed creation time: one id always
means one unchanged definition, so a partner stores it once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cellwatch.exchange.stix_ids import DEFINER_ID, PROPERTIES_EXTENSION, SCO_EXTENSIONS

DEFINED = datetime(2026, 12, 1, tzinfo=UTC)
_STAMP = DEFINED.strftime("%Y-%m-%dT%H:%M:%S.000Z")
# 1.1.0 added the attributed-to relationship's detections, calls, seizures and borrowed.
_PROPERTIES_MODIFIED = "2026-12-07T00:00:00.000Z"

_SCO_SCHEMAS = {
    "IMEI": "A mobile handset's International Mobile Equipment Identity: property `value`, "
            "15 digits with a valid Luhn check digit (3GPP TS 23.003). Named after the "
            "`imei` attribute of MISP's phone object.",
    "IMSI": "A SIM subscription's International Mobile Subscriber Identity: property "
            "`value`, 14 or 15 digits, MCC and MNC first (3GPP TS 23.003). Named after the "
            "`imsi` attribute of MISP's phone object.",
    "ICCID": "A SIM card's Integrated Circuit Card Identifier: property `value`, 19 or 20 "
             "digits starting 89 (ITU-T E.118). Named after the `iccid` attribute of MISP's "
             "phone object.",
    "MSISDN": "A telephone number: property `value` in E.164 form (+ then digits). The "
              "type and shape of OpenCTI's Phone-Number observable.",
    "UNKNOWN": "An identifier quoted in an intelligence item that cellwatch could not "
               "classify: property `value`, as written.",
}

PROPERTIES_SCHEMA = (
    "cellwatch properties, as a property-extension. On an individual identity: "
    "prison_number, date_of_birth, establishment, reception_date, release_date (ISO dates), "
    "subject_only (boolean: named by an exported item, record otherwise out of scope). On an "
    "attributed-to relationship (one period of an attribution): probability (number 0-1, "
    "the period's top), status (PROPOSED, CONFIRMED), evidence (list of strings: the "
    "attribution's evidence items dated in the period), detections and calls (integers: "
    "sensor detections and call records of the identifier in the period), seizures (list "
    "of strings: seizures of the identifier in the period, as recorded), borrowed (boolean: "
    "a short use of an identifier another prisoner held for longer). On a report: "
    "report_ref, source_evaluation, intelligence_assessment, handling_code (3x5x2 "
    "grading), handling_conditions, establishment, owner_org.")


def definer() -> dict[str, Any]:
    """The identity that defines cellwatch's extensions."""
    return {"type": "identity", "spec_version": "2.1", "id": DEFINER_ID,
            "created": _STAMP, "modified": _STAMP, "name": "cellwatch (open-source project)",
            "description": "Defines the STIX extensions cellwatch exports use.",
            "identity_class": "organization"}


def _definition(ext_id: str, name: str, description: str, schema: str,
                kind: str, modified: str = _STAMP, version: str = "1.0.0") -> dict[str, Any]:
    return {"type": "extension-definition", "spec_version": "2.1", "id": ext_id,
            "created_by_ref": DEFINER_ID, "created": _STAMP, "modified": modified,
            "name": name, "description": description, "schema": schema, "version": version,
            "extension_types": [kind]}


def definitions() -> list[dict[str, Any]]:
    """The definer identity and every extension definition, in a fixed order."""
    out = [definer(), _definition(
        PROPERTIES_EXTENSION, "cellwatch properties",
        "cellwatch's own properties of identities, relationships and reports.",
        PROPERTIES_SCHEMA, "property-extension", _PROPERTIES_MODIFIED, "1.1.0")]
    for identifier_type, (stix_type, ext_id) in SCO_EXTENSIONS.items():
        out.append(_definition(ext_id, f"{stix_type} observable",
                               f"The `{stix_type}` cyber-observable.",
                               _SCO_SCHEMAS[identifier_type], "new-sco"))
    return out


def properties(**values: Any) -> dict[str, dict[str, Any]]:
    """An ``extensions`` value holding cellwatch's properties (empty values left out:
    STIX forbids empty lists)."""
    kept = {k: v for k, v in values.items() if v is not None and v not in ("", [])}
    return {PROPERTIES_EXTENSION: {"extension_type": "property-extension", **kept}}
