"""Gather what one principal may export, as neutral rows both formats map from.

Everything is read through the access layer: prisoners by the principal's scope (the
same SQL filter as the prisoner list), attributions only for those prisoners,
intelligence through :func:`cellwatch.intelligence.service.export_intelligence` (export
permission, handling codes, one dissemination per item leaving its owner). The export
itself is audited by the writer once its file is written (:mod:`cellwatch.exchange.service.write`),
with :func:`audit_detail`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from cellwatch.access.models import Organisation
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.attribution.export import attribution_rows
from cellwatch.attribution.models import EvidenceItem
from cellwatch.errors import NotFound
from cellwatch.estate.service import PrisonerFilter
from cellwatch.estate.service import _filters as prisoner_filters
from cellwatch.exchange.fields import SUBJECT_ONLY, visible_fields
from cellwatch.exchange.rows import (
    AttributionRow,
    ExchangeData,
    ExportScope,
    IntelRow,
    PersonRow,
)
from cellwatch.exchange.service.exports import require_reason
from cellwatch.intelligence import service as intel
from cellwatch.store.reference import Prisoner


def collect(access: Access, scope: ExportScope, reason: str) -> ExchangeData:
    """Read what ``access.principal`` may export for ``scope``.

    A user must give a reason (it is audited and kept with each dissemination). The
    caller audits the export once its file is written (:func:`audit_detail`).
    """
    require_reason(access, reason)
    data = ExchangeData(*_producer(access))
    fields = visible_fields(access.principal)
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.PRISONER), role_only=True)
        access.check(Action.READ, Target(Resource.IDENTIFIER), role_only=True)
        filters = PrisonerFilter(scope.establishment, None, scope.prison_number)
        query = select(Prisoner).where(visible_prisoners(access.principal),
                                       *prisoner_filters(filters))
        data.persons = [_person(p, fields) for p in
                        s.scalars(query.order_by(Prisoner.prison_number))]
        if scope.prison_number and not data.persons:
            raise NotFound(f"prisoner {scope.prison_number} not found")
    data.attributions = _attributions(access, {p.prison_number for p in data.persons},
                                      scope.min_probability)
    if scope.include_intelligence:
        data.intelligence = _intelligence(access, scope, reason)
        known = {p.prison_number for p in data.persons}
        extra = sorted({n for r in data.intelligence for n in r.subjects} - known)
        data.persons += [PersonRow(n, subject_only=True) for n in extra]
    return data


def _producer(access: Access) -> tuple[str, str]:
    code = access.principal.org_code
    if code is None:
        return "CELLWATCH", "cellwatch"
    with access.facts() as s:
        org = s.get(Organisation, code)
        return code, org.name if org is not None else code


def _person(p: Prisoner, fields: frozenset[str]) -> PersonRow:
    values: dict[str, Any] = {name: getattr(p, name) for name in fields - SUBJECT_ONLY}
    return PersonRow(p.prison_number, **values)


def _attributions(access: Access, prisoners: set[str],
                  min_probability: float) -> list[AttributionRow]:
    """The latest run's attributions to exported prisoners (verdicts applied)."""
    try:
        rows = attribution_rows(access.store)
    except NotFound:  # no attribution run yet: nothing to attribute
        return []
    # Rejected pairs are analysts' refutations: sharing them would mislead a partner.
    keep = [r for r in rows if r["prison_number"] in prisoners and r["status"] != "REJECTED"
            and (r["probability"] >= min_probability or r["status"] == "CONFIRMED")]
    evidence = _evidence(access, [r["id"] for r in keep])
    return [AttributionRow(
        r["identifier_type"], r["identifier"], r["prison_number"], float(r["probability"]),
        date.fromisoformat(r["valid_from"]), date.fromisoformat(r["valid_to"]), r["status"],
        tuple(evidence.get(r["id"], []))) for r in keep]


def _evidence(access: Access, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    with access.transaction() as s:
        rows = s.scalars(select(EvidenceItem).where(EvidenceItem.attribution_id.in_(ids))
                         .order_by(EvidenceItem.attribution_id, EvidenceItem.id))
        for e in rows:
            out.setdefault(e.attribution_id, []).append(
                f"{e.kind}: {e.description} ({e.weight_log2:+.1f} bits, {e.count}x)")
    return out


def _intelligence(access: Access, scope: ExportScope, reason: str) -> list[IntelRow]:
    filters = intel.IntelligenceFilter(scope.establishment, None, scope.prison_number)
    reports = intel.export_intelligence(access, reason, filters)
    subjects = intel.subjects_of(access, [r.id for r in reports])
    return [IntelRow(r.report_ref, r.ts, r.establishment, r.source_evaluation,
                     r.intelligence_assessment, r.handling_code, r.handling_conditions,
                     r.owner_org, tuple(r.identifiers or []), r.text,
                     tuple(sorted(subjects[r.id]))) for r in reports]
