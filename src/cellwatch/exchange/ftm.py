"""Map exported rows to FollowTheMoney entities (see docs/exchange.md for the mapping).

* prisoner -> ``Person`` (names, birth date, prison number as ``idNumber``); numbers
  attributed with probability >= :data:`PHONE_ON_PERSON` (or confirmed) also go in the
  person's ``phone``, so FtM tools cross-reference them without reading links
* ACCOUNT -> ``UserAccount`` (``service`` the platform, ``username`` the handle)
* MSISDN, IMSI -> ``UserAccount`` of the mobile network: a subscription is an account
* IMEI, ICCID -> ``Asset``: a handset and a SIM card are things, not accounts
* attribution -> one ``UnknownLink`` person -> identifier entity per period the
  statements module states, ``role`` the identifier type, ``status`` the attribution
  status, the period's probability, the period in words and the evidence dated in it in
  ``description``

Entity ids are ``make_id`` of a fixed prefix and the normalised value, so they are the
same in every export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cellwatch.exchange.rows import AttributionRow, ExchangeData, PersonRow
from cellwatch.exchange.stix_ids import split_account

# Above this a number is the person's phone for FtM's own cross-referencing.
PHONE_ON_PERSON = 0.9

# identifier type -> (schema, service label, name prefix)
IDENTIFIER_SCHEMA = {
    "ACCOUNT": ("UserAccount", None, "Account"),
    "MSISDN": ("UserAccount", "mobile telephone number", "Number"),
    "IMSI": ("UserAccount", "mobile subscription (IMSI)", "IMSI"),
    "IMEI": ("Asset", None, "Handset IMEI"),
    "ICCID": ("Asset", None, "SIM card ICCID"),
}


def _model() -> Any:
    from followthemoney import model

    return model


def person_entity_id(prison_number: str) -> str:
    """The FtM id of a prisoner."""
    from followthemoney.util import make_entity_id

    return str(make_entity_id("cellwatch", "prisoner", prison_number))


def identifier_entity_id(identifier_type: str, value: str) -> str:
    """The FtM id of a normalised identifier."""
    from followthemoney.util import make_entity_id

    return str(make_entity_id("cellwatch", identifier_type, value))


def _person(p: PersonRow, phones: list[str]) -> Any:
    entity = _model().make_entity("Person")
    entity.id = person_entity_id(p.prison_number)
    entity.add("name", " ".join(x for x in (p.forenames, p.surname) if x) or p.prison_number)
    entity.add("firstName", p.forenames)
    entity.add("lastName", p.surname)
    entity.add("birthDate", p.date_of_birth.isoformat() if p.date_of_birth else None)
    entity.add("idNumber", p.prison_number)
    entity.add("phone", phones)
    if p.establishment:
        entity.add("notes", f"Held at establishment {p.establishment}")
    return entity


def _identifier(identifier_type: str, value: str) -> Any:
    schema, service, prefix = IDENTIFIER_SCHEMA.get(identifier_type, ("Asset", None, "Item"))
    entity = _model().make_entity(schema)
    entity.id = identifier_entity_id(identifier_type, value)
    entity.add("name", f"{prefix} {value}")
    entity.add("description", f"{identifier_type} {value}")
    if identifier_type == "ACCOUNT":
        platform, handle = split_account(value)
        entity.add("service", platform)
        entity.add("username", handle)
    elif schema == "UserAccount":
        entity.add("service", service)
        entity.add("username", value)
        if identifier_type == "MSISDN":
            entity.add("phone", value)
    return entity


def _link(a: AttributionRow) -> Any:
    from followthemoney.util import make_entity_id

    entity = _model().make_entity("UnknownLink")
    entity.id = str(make_entity_id("cellwatch", "attribution", a.identifier_type,
                                   a.identifier, a.prison_number, a.valid_from.isoformat()))
    entity.add("subject", person_entity_id(a.prison_number))
    entity.add("object", identifier_entity_id(a.identifier_type, a.identifier))
    entity.add("role", f"attributed {a.identifier_type}")
    entity.add("status", a.status)
    entity.add("startDate", a.valid_from.isoformat())
    entity.add("endDate", a.valid_to.isoformat())
    evidence = "; ".join(a.evidence) or "no evidence items dated in it"
    entity.add("description", f"probability {a.probability:.3f}: {a.text}. Evidence dated "
                              f"in this period: {evidence}")
    return entity


def _is_strong(a: AttributionRow) -> bool:
    return a.status == "CONFIRMED" or a.probability >= PHONE_ON_PERSON


def entities(data: ExchangeData) -> Iterator[Any]:
    """Every FtM entity (``EntityProxy``) of one export, persons first."""
    phones: dict[str, list[str]] = {}
    for a in data.attributions:
        if a.identifier_type == "MSISDN" and _is_strong(a):
            phones.setdefault(a.prison_number, []).append(a.identifier)
    for p in data.persons:
        yield _person(p, sorted(set(phones.get(p.prison_number, []))))
    seen: set[tuple[str, str]] = set()
    for a in data.attributions:
        key = (a.identifier_type, a.identifier)
        if key not in seen:
            seen.add(key)
            yield _identifier(*key)
        yield _link(a)
