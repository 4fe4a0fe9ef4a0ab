"""Map exported rows to a STIX 2.1 bundle (see docs/exchange.md for the full mapping).

* prisoner -> ``identity`` (individual) with ``x_cellwatch_*`` fields the principal may see
* identifier -> cyber-observable (``user-account`` or a custom ``x-cellwatch-*`` SCO) and
  an ``indicator`` whose pattern matches it, ``based-on`` the observable
* attribution -> ``relationship`` ``attributed-to`` from observable to identity, with
  ``x_cellwatch_probability`` and the evidence in ``description``
* intelligence item -> ``report`` marked TLP (P: AMBER, C: RED) plus a statement marking of
  its 3x5x2 grade and, for C, one of its handling conditions
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from cellwatch.exchange.collect import AttributionRow, ExchangeData, IntelRow, PersonRow
from cellwatch.exchange.stix_ids import classify_identifier, observable, pattern_for, sdo_id

# Statement markings are shared between exports; a fixed creation time keeps one id
# meaning one unchanged object, as STIX requires of a re-published marking.
MARKING_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def person_identity_id(prison_number: str) -> str:
    """The identity id of a prisoner (stable across exports)."""
    return sdo_id("identity", "prisoner", prison_number)


def _stamp(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def _identity(p: PersonRow, producer: str, now: datetime) -> Any:
    import stix2

    custom: dict[str, Any] = {"x_cellwatch_prison_number": p.prison_number}
    for name in ("date_of_birth", "establishment", "reception_date", "release_date"):
        value = getattr(p, name)
        if value is not None:
            custom[f"x_cellwatch_{name}"] = value.isoformat() if isinstance(value, date) \
                else value
    if p.subject_only:
        custom["x_cellwatch_subject_only"] = True
    # Names the principal may not receive are withheld, the prison number stands in.
    name = ", ".join(x for x in (p.surname, p.forenames) if x) or p.prison_number
    return stix2.Identity(id=person_identity_id(p.prison_number), name=name,
                          identity_class="individual", created=now, modified=now,
                          created_by_ref=producer, allow_custom=True, **custom)


def _indicator(a: AttributionRow, sco_ref: str, producer: str, now: datetime) -> list[Any]:
    import stix2

    ind_id = sdo_id("indicator", a.identifier_type, a.identifier)
    ind = stix2.Indicator(
        id=ind_id, name=f"{a.identifier_type} {a.identifier}", pattern_type="stix",
        pattern=pattern_for(a.identifier_type, a.identifier), valid_from=_stamp(a.valid_from),
        indicator_types=["attribution"], created=now, modified=now,
        created_by_ref=producer, allow_custom=True)
    rel = stix2.Relationship(id=sdo_id("relationship", "based-on", ind_id, sco_ref),
                             relationship_type="based-on", source_ref=ind_id,
                             target_ref=sco_ref, created=now, modified=now,
                             created_by_ref=producer, allow_custom=True)
    return [ind, rel]


def _attribution(a: AttributionRow, sco_ref: str, producer: str, now: datetime) -> Any:
    import stix2

    evidence = "; ".join(a.evidence) or "no evidence items recorded"
    return stix2.Relationship(
        id=sdo_id("relationship", "attributed-to", a.identifier_type, a.identifier,
                  a.prison_number, a.valid_from.isoformat()),
        relationship_type="attributed-to", source_ref=sco_ref,
        target_ref=person_identity_id(a.prison_number),
        description=f"{a.identifier_type} {a.identifier} attributed to {a.prison_number} "
                    f"with probability {a.probability:.3f} ({a.status}). Evidence: {evidence}",
        start_time=_stamp(a.valid_from), stop_time=_stamp(a.valid_to),
        created=now, modified=now, created_by_ref=producer, allow_custom=True,
        x_cellwatch_probability=round(a.probability, 4), x_cellwatch_status=a.status,
        x_cellwatch_evidence=list(a.evidence))


def _statement(text: str, producer: str) -> Any:
    import stix2

    return stix2.MarkingDefinition(
        id=sdo_id("marking-definition", text), created=MARKING_EPOCH, name=text,
        definition_type="statement", definition={"statement": text},
        created_by_ref=producer)


def _report(r: IntelRow, refs: list[str], producer: str,
            markings: dict[str, Any]) -> Any:
    import stix2

    grade = (f"3x5x2 grading: source evaluation {r.source_evaluation}, intelligence "
             f"assessment {r.intelligence_assessment}, handling code {r.handling_code}")
    marks = [stix2.TLP_RED if r.handling_code == "C" else stix2.TLP_AMBER,
             markings.setdefault(grade, _statement(grade, producer))]
    if r.handling_code == "C":
        conditions = f"Handling conditions: {r.handling_conditions or 'owner only'}"
        marks.append(markings.setdefault(conditions, _statement(conditions, producer)))
    return stix2.Report(
        id=sdo_id("report", r.report_ref), name=r.report_ref, description=r.text or "",
        published=r.ts, created=r.ts, modified=r.ts, report_types=["threat-actor"],
        object_refs=refs or [producer], created_by_ref=producer,
        object_marking_refs=[m.id for m in marks], allow_custom=True,
        x_cellwatch_report_ref=r.report_ref,
        x_cellwatch_source_evaluation=r.source_evaluation,
        x_cellwatch_intelligence_assessment=r.intelligence_assessment,
        x_cellwatch_handling_code=r.handling_code,
        x_cellwatch_handling_conditions=r.handling_conditions or "",
        x_cellwatch_establishment=r.establishment or "",
        x_cellwatch_owner_org=r.owner_org or "")


def build_bundle(data: ExchangeData, now: datetime) -> Any:
    """The STIX 2.1 bundle (a ``stix2.Bundle``) of one export."""
    import stix2

    producer = stix2.Identity(
        id=sdo_id("identity", "organisation", data.producer_code), name=data.producer_name,
        identity_class="organization", created=now, modified=now)
    objects: list[Any] = [producer, stix2.TLP_AMBER, stix2.TLP_RED]
    objects += [_identity(p, producer.id, now) for p in data.persons]
    scos: dict[tuple[str, str], dict[str, object]] = {}
    for a in data.attributions:
        key = (a.identifier_type, a.identifier)
        if key not in scos:
            scos[key] = observable(*key)
            objects += _indicator(a, str(scos[key]["id"]), producer.id, now)
        objects.append(_attribution(a, str(scos[key]["id"]), producer.id, now))
    markings: dict[str, Any] = {}
    reports = []
    for r in data.intelligence:
        refs = [person_identity_id(n) for n in r.subjects]
        for value in r.identifiers:
            # An item's identifiers are shared even if unattributed: they are its content.
            key = classify_identifier(value)
            scos.setdefault(key, observable(*key))
            refs.append(str(scos[key]["id"]))
        reports.append(_report(r, refs, producer.id, markings))
    objects += list(scos.values()) + list(markings.values()) + reports
    return stix2.Bundle(objects=objects, id=sdo_id("bundle", data.producer_code,
                                                   now.isoformat()), allow_custom=True)
