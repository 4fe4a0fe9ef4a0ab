"""Gather what one principal may export, as neutral rows both formats map from.

Everything is read through the access layer: prisoners by the principal's scope (the
same SQL filter as the prisoner list), attributions as the statements module states them
about those prisoners (:func:`cellwatch.statements.service.export_claims`: one row per
period, at or above the floor or confirmed, with only evidence dated inside it),
intelligence through :func:`cellwatch.intelligence.service.export_intelligence` (export
permission, handling codes, one dissemination per item leaving its owner). The export
itself is audited by the writer once its file is written (:mod:`cellwatch.exchange.service.write`),
with :func:`audit_detail`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cellwatch.access.models import Organisation
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
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
from cellwatch.statements.service import export_claims
from cellwatch.statements.shared import Claim, Stretch
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
    """What the statements module says of the exported prisoners: one row per period of
    each claim (latest run, verdicts applied, at or above the floor or confirmed)."""
    return [row_of(c, st) for c in export_claims(access, sorted(prisoners), min_probability)
            for st in c.stretches]


def row_of(claim: Claim, st: Stretch) -> AttributionRow:
    """The export row of one period of a claim."""
    h = claim.holding
    return AttributionRow(
        h.identifier_type, h.identifier, h.prison_number, st.period.probability,
        st.period.valid_from, st.period.valid_to, h.status, st.reasons, st.text,
        st.detections, st.calls, tuple(s.text for s in st.seizures), h.borrowed)


def _intelligence(access: Access, scope: ExportScope, reason: str) -> list[IntelRow]:
    filters = intel.IntelligenceFilter(scope.establishment, None, scope.prison_number)
    reports = intel.export_intelligence(access, reason, filters)
    subjects = intel.subjects_of(access, [r.id for r in reports])
    return [IntelRow(r.report_ref, r.ts, r.establishment, r.source_evaluation,
                     r.intelligence_assessment, r.handling_code, r.handling_conditions,
                     r.owner_org, tuple(r.identifiers or []), r.text,
                     tuple(sorted(subjects[r.id]))) for r in reports]
