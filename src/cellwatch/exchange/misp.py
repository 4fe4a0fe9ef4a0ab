"""Map exported rows to one MISP event with MISP's own object templates (PyMISP, offline).

* prisoner -> ``person`` object (names, date of birth, prison number as
  ``identity-card-number``; a subject-only prisoner by his prison number as ``alias``)
* IMEI, IMSI, ICCID, MSISDN -> ``phone`` object (one per identifier: ``imei``, ``imsi``,
  ``iccid`` or ``msisdn``; ``first-seen``/``last-seen`` over its attributions)
* ACCOUNT -> ``user-account`` object (``username``, ``account-type`` = platform)
* attribution -> one object reference identifier -> person ``used-by`` per period the
  statements module states, its comment the period's probability, status, dates, the
  period in words and the evidence dated in it; the identifier attribute is tagged with MISP's
  ``estimative-language:likelihood-probability`` of its strongest attribution
* intelligence item -> ``report`` object tagged with its TLP (P: amber, C: red) and its
  3x5x2 grade (``cellwatch:3x5x2-*`` machine tags), referencing (``mentions``) the people
  and identifiers it names

The event's TLP is the most restrictive of what it holds; its distribution is "your
organisation only" (0): sharing it further is the importing analyst's decision.
Object and event UUIDs are UUIDv5 of natural keys, so a re-export updates, not duplicates.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cellwatch.exchange.rows import AttributionRow, ExchangeData, IntelRow, PersonRow
from cellwatch.exchange.stix_ids import classify_identifier, split_account

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cellwatch.invalid/misp")
PHONE_RELATIONS = {"IMEI": "imei", "IMSI": "imsi", "ICCID": "iccid", "MSISDN": "msisdn"}
# MISP's estimative-language taxonomy: upper bound of each band, then its value.
LIKELIHOOD = ((0.05, "almost-no-chance"), (0.20, "very-unlikely"), (0.45, "unlikely"),
              (0.55, "roughly-even-chance"), (0.80, "likely"), (0.95, "very-likely"),
              (1.01, "almost-certain"))


def misp_uuid(*key: str) -> str:
    """A stable UUID for an event or object, from its natural key."""
    return str(uuid.uuid5(NAMESPACE, "|".join(key)))


def likelihood_tag(probability: float) -> str:
    """MISP's estimative-language tag for a probability.

    >>> likelihood_tag(0.97)
    'estimative-language:likelihood-probability="almost-certain"'
    """
    band = next(name for bound, name in LIKELIHOOD if probability < bound)
    return f'estimative-language:likelihood-probability="{band}"'


def tlp_tag(handling_code: str) -> str:
    """The TLP tag of a handling code: C is red, P amber."""
    return "tlp:red" if handling_code == "C" else "tlp:amber"


def grade_tags(r: IntelRow) -> list[str]:
    """Machine tags of an item's 3x5x2 grade."""
    return [f'cellwatch:3x5x2-source-evaluation="{r.source_evaluation}"',
            f'cellwatch:3x5x2-intelligence-assessment="{r.intelligence_assessment}"',
            f'cellwatch:3x5x2-handling-code="{r.handling_code}"']


def _person(p: PersonRow) -> Any:
    from pymisp import MISPObject

    obj = MISPObject("person", standalone=False)
    obj.uuid = misp_uuid("person", p.prison_number)
    if p.forenames or p.surname:
        obj.add_attribute("full-name", " ".join(x for x in (p.forenames, p.surname) if x))
    if p.forenames:
        obj.add_attribute("first-name", p.forenames)
    if p.surname:
        obj.add_attribute("last-name", p.surname)
    if p.date_of_birth:
        obj.add_attribute("date-of-birth", p.date_of_birth.isoformat())
    if p.subject_only:
        obj.add_attribute("alias", p.prison_number)
    obj.add_attribute("identity-card-number", p.prison_number)
    details = [f"Prison number {p.prison_number}"]
    details += [f"{label} {value}" for label, value in (
        ("held at", p.establishment), ("received", p.reception_date),
        ("release date", p.release_date)) if value]
    obj.add_attribute("text", "; ".join(str(d) for d in details))
    return obj


def _identifier(kind: str, value: str, rows: list[AttributionRow]) -> Any:
    from pymisp import MISPObject

    if kind == "ACCOUNT":
        obj = MISPObject("user-account", standalone=False)
        platform, handle = split_account(value)
        main = obj.add_attribute("username", handle)
        obj.add_attribute("account-type", platform)
    else:
        obj = MISPObject("phone", standalone=False)
        relation = PHONE_RELATIONS.get(kind, "text")
        main = obj.add_attribute(relation, value)
        if rows:
            obj.add_attribute("first-seen", min(r.start for r in rows).isoformat())
            obj.add_attribute("last-seen", max(r.stop for r in rows).isoformat())
    obj.uuid = misp_uuid("identifier", kind, value)
    if rows and main is not None:
        main.add_tag(likelihood_tag(max(r.probability for r in rows)))
    return obj


def _comment(a: AttributionRow) -> str:
    evidence = "; ".join(a.evidence) or "no evidence items dated in it"
    return (f"probability {a.probability:.3f} ({a.status}), {a.valid_from.isoformat()} to "
            f"{a.valid_to.isoformat()}: {a.text}. Evidence dated in this period: {evidence}")


def _report(r: IntelRow) -> Any:
    from pymisp import MISPObject

    obj = MISPObject("report", standalone=False)
    obj.uuid = misp_uuid("report", r.report_ref)
    obj.add_attribute("title", r.report_ref)
    obj.add_attribute("case-number", r.report_ref)
    obj.add_attribute("type", "intelligence report (3x5x2 graded)")
    summary = r.text or ""
    if r.handling_code == "C":
        summary += f"\nHandling conditions: {r.handling_conditions or 'owner only'}"
    attribute = obj.add_attribute("summary", summary.strip() or r.report_ref)
    if attribute is not None:
        for tag in [tlp_tag(r.handling_code), *grade_tags(r)]:
            attribute.add_tag(tag)
    return obj


def _identifier_rows(data: ExchangeData) -> dict[tuple[str, str], list[AttributionRow]]:
    rows: dict[tuple[str, str], list[AttributionRow]] = {}
    for a in data.attributions:
        rows.setdefault((a.identifier_type, a.identifier), []).append(a)
    for r in data.intelligence:
        for value in r.identifiers:
            rows.setdefault(classify_identifier(value), [])
    return rows


def _event_tags(items: Iterable[IntelRow]) -> list[str]:
    codes = {r.handling_code for r in items}
    return ["tlp:red" if "C" in codes else "tlp:amber", "cellwatch:export"]


def build_event(data: ExchangeData, now: datetime) -> Any:
    """The ``pymisp.MISPEvent`` of one export."""
    from pymisp import MISPEvent

    event = MISPEvent()
    event.uuid = misp_uuid("event", data.producer_code, now.isoformat())
    event.info = (f"cellwatch export by {data.producer_name}: {len(data.persons)} people, "
                  f"{len(data.attributions)} attributions, {len(data.intelligence)} "
                  "intelligence items")
    event.set_date(now.date())
    event.distribution = 0
    event.threat_level_id = 4
    event.analysis = 2
    for tag in _event_tags(data.intelligence):
        event.add_tag(tag)
    people = {p.prison_number: event.add_object(_person(p)) for p in data.persons}
    identifiers = {}
    for key, rows in _identifier_rows(data).items():
        obj = _identifier(*key, rows)
        for a in rows:
            obj.add_reference(people[a.prison_number].uuid, "used-by", _comment(a))
        identifiers[key] = event.add_object(obj)
    for r in data.intelligence:
        report = _report(r)
        for number in r.subjects:
            report.add_reference(people[number].uuid, "mentions")
        for value in r.identifiers:
            report.add_reference(identifiers[classify_identifier(value)].uuid, "mentions")
        event.add_object(report)
    _stable_uuids(event)
    return event


def _stable_uuids(event: Any) -> None:
    """Attributes and references get UUIDs from their object and content, so the same
    export writes the same file (PyMISP draws random ones)."""
    for obj in event.objects:
        for a in obj.attributes:
            a.uuid = misp_uuid(obj.uuid, a.object_relation, str(a.value))
        for r in obj.references:
            r.uuid = misp_uuid(obj.uuid, r.relationship_type, r.referenced_uuid)
