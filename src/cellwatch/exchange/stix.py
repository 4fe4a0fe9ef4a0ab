"""Map exported rows to a STIX 2.1 bundle (see docs/exchange.md for the full mapping).

* prisoner -> ``identity`` (individual); cellwatch's fields the principal may see go in
  the cellwatch property extension
* identifier -> cyber-observable (``user-account``, ``phone-number``, ``imei``, ``imsi``,
  ``iccid``: the last four declared by extension definitions) and an ``indicator`` whose
  pattern matches it, ``based-on`` the observable
* attribution -> one ``relationship`` ``attributed-to`` from observable to identity per
  period the statements module states (:mod:`cellwatch.statements.shared`), valid from
  08:00 local on its first day to 08:00 local after its last night (exclusive stop), its
  description the period in words; the period's top probability, the status, the
  evidence dated in it and its counts in the property extension
* intelligence item -> ``report`` marked TLP (P: AMBER, C: RED) plus a statement marking of
  its 3x5x2 grade and, for C, one of its handling conditions

The bundle is built as plain JSON-ready dicts: written compactly it takes a fraction of
a second where the stix2 library's pretty printer took minutes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from cellwatch.exchange.rows import AttributionRow, ExchangeData, IntelRow, PersonRow
from cellwatch.exchange.stix_ext import definitions, properties
from cellwatch.exchange.stix_ids import classify_identifier, observable, pattern_for, sdo_id

# Statement markings are shared between exports; a fixed creation time keeps one id
# meaning one unchanged object, as STIX requires of a re-published marking.
MARKING_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def stamp(ts: datetime | date) -> str:
    """A STIX timestamp (UTC, millisecond precision)."""
    if not isinstance(ts, datetime):
        ts = datetime.combine(ts, time(0), tzinfo=UTC)
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


@cache
def tlp(colour: str) -> dict[str, Any]:
    """The standard TLP marking definition (``"amber"`` or ``"red"``)."""
    import stix2

    marking = stix2.TLP_RED if colour == "red" else stix2.TLP_AMBER
    doc: dict[str, Any] = json.loads(marking.serialize())
    return doc


def person_identity_id(prison_number: str) -> str:
    """The identity id of a prisoner (stable across exports)."""
    return sdo_id("identity", "prisoner", prison_number)


def _common(stix_type: str, object_id: str, producer: str, now: str) -> dict[str, Any]:
    return {"type": stix_type, "spec_version": "2.1", "id": object_id, "created": now,
            "modified": now, "created_by_ref": producer}


def _identity(p: PersonRow, producer: str, now: str) -> dict[str, Any]:
    values: dict[str, Any] = {"prison_number": p.prison_number}
    for name in ("date_of_birth", "establishment", "reception_date", "release_date"):
        value = getattr(p, name)
        if value is not None:
            values[name] = value.isoformat() if isinstance(value, date) else value
    if p.subject_only:
        values["subject_only"] = True
    # Names the principal may not receive are withheld, the prison number stands in.
    name = ", ".join(x for x in (p.surname, p.forenames) if x) or p.prison_number
    return {**_common("identity", person_identity_id(p.prison_number), producer, now),
            "name": name, "identity_class": "individual",
            "description": f"Prisoner {p.prison_number}",
            "extensions": properties(**values)}


def _indicator(a: AttributionRow, sco_ref: str, producer: str,
               now: str) -> list[dict[str, Any]]:
    ind_id = sdo_id("indicator", a.identifier_type, a.identifier)
    ind = {**_common("indicator", ind_id, producer, now),
           "name": f"{a.identifier_type} {a.identifier}",
           "description": f"{a.identifier_type} {a.identifier}, attributed to a prisoner "
                          "(see its attributed-to relationships).",
           "indicator_types": ["attribution"], "pattern": pattern_for(
               a.identifier_type, a.identifier), "pattern_type": "stix",
           "pattern_version": "2.1", "valid_from": stamp(a.start)}
    rel = {**_common("relationship", sdo_id("relationship", "based-on", ind_id, sco_ref),
                     producer, now),
           "relationship_type": "based-on", "source_ref": ind_id, "target_ref": sco_ref}
    return [ind, rel]


def _indicator_link(a: AttributionRow, producer: str, now: str) -> dict[str, Any]:
    """``related-to`` from the identifier's indicator to the prisoner: the link tools that
    import indicators but not new observable types (misp-stix) keep."""
    ind_id = sdo_id("indicator", a.identifier_type, a.identifier)
    target = person_identity_id(a.prison_number)
    return {**_common("relationship", sdo_id("relationship", "related-to", ind_id, target),
                      producer, now),
            "relationship_type": "related-to", "source_ref": ind_id, "target_ref": target,
            "description": f"{a.identifier_type} {a.identifier} attributed to "
                           f"{a.prison_number} (see the observable's attributed-to "
                           "relationships for probability and dates)"}


def _attribution(a: AttributionRow, sco_ref: str, producer: str, now: str) -> dict[str, Any]:
    evidence = "; ".join(a.evidence) or "no evidence items dated in it"
    object_id = sdo_id("relationship", "attributed-to", a.identifier_type, a.identifier,
                       a.prison_number, a.valid_from.isoformat())
    return {**_common("relationship", object_id, producer, now),
            "relationship_type": "attributed-to", "source_ref": sco_ref,
            "target_ref": person_identity_id(a.prison_number),
            "description": f"{a.text} ({a.status}; to {a.prison_number}). Evidence dated "
                           f"in this period: {evidence}",
            "start_time": stamp(a.start), "stop_time": stamp(a.stop),
            "extensions": properties(probability=round(a.probability, 4), status=a.status,
                                     evidence=list(a.evidence), detections=a.detections,
                                     calls=a.calls, seizures=list(a.seizures),
                                     borrowed=a.borrowed or None)}


def _statement(text: str, producer: str) -> dict[str, Any]:
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": sdo_id("marking-definition", text), "created": stamp(MARKING_EPOCH),
            "created_by_ref": producer, "name": text, "definition_type": "statement",
            "definition": {"statement": text}}


def _report(r: IntelRow, refs: list[str], producer: str,
            markings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    grade = (f"3x5x2 grading: source evaluation {r.source_evaluation}, intelligence "
             f"assessment {r.intelligence_assessment}, handling code {r.handling_code}")
    marks = [tlp("red" if r.handling_code == "C" else "amber"),
             markings.setdefault(grade, _statement(grade, producer))]
    if r.handling_code == "C":
        conditions = f"Handling conditions: {r.handling_conditions or 'owner only'}"
        marks.append(markings.setdefault(conditions, _statement(conditions, producer)))
    ts = stamp(r.ts)
    return {**_common("report", sdo_id("report", r.report_ref), producer, ts),
            "name": r.report_ref, "description": r.text or "", "published": ts,
            "report_types": ["threat-actor"], "object_refs": refs or [producer],
            "object_marking_refs": [m["id"] for m in marks],
            "extensions": properties(
                report_ref=r.report_ref, source_evaluation=r.source_evaluation,
                intelligence_assessment=r.intelligence_assessment,
                handling_code=r.handling_code, handling_conditions=r.handling_conditions,
                establishment=r.establishment, owner_org=r.owner_org)}


def build_bundle(data: ExchangeData, now: datetime) -> dict[str, Any]:
    """The STIX 2.1 bundle of one export, as a JSON-ready dict."""
    at = stamp(now)
    producer = {"type": "identity", "spec_version": "2.1",
                "id": sdo_id("identity", "organisation", data.producer_code), "created": at,
                "modified": at, "name": data.producer_name,
                "description": f"The organisation that exported this bundle "
                               f"({data.producer_code}).",
                "identity_class": "organization"}
    pid = producer["id"]
    objects: list[dict[str, Any]] = [*definitions(), producer, tlp("amber"), tlp("red")]
    objects += [_identity(p, pid, at) for p in data.persons]
    scos: dict[tuple[str, str], dict[str, Any]] = {}
    linked: set[tuple[str, str, str]] = set()
    for a in data.attributions:
        key = (a.identifier_type, a.identifier)
        if key not in scos:
            scos[key] = observable(*key)
            objects += _indicator(a, str(scos[key]["id"]), pid, at)
        if (*key, a.prison_number) not in linked:
            linked.add((*key, a.prison_number))
            objects.append(_indicator_link(a, pid, at))
        objects.append(_attribution(a, str(scos[key]["id"]), pid, at))
    markings: dict[str, dict[str, Any]] = {}
    reports = []
    for r in data.intelligence:
        refs = [person_identity_id(n) for n in r.subjects]
        for value in r.identifiers:
            # An item's identifiers are shared even if unattributed: they are its content.
            key = classify_identifier(value)
            scos.setdefault(key, observable(*key))
            refs.append(str(scos[key]["id"]))
        reports.append(_report(r, refs, pid, markings))
    objects += list(scos.values()) + list(markings.values()) + reports
    return {"type": "bundle", "id": sdo_id("bundle", data.producer_code, now.isoformat()),
            "objects": objects}
