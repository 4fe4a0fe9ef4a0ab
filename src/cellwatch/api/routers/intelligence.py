"""Graded intelligence: handling codes enforced; what goes outward is recorded."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from cellwatch.access.models import IntelligenceReport
from cellwatch.access.service import Access
from cellwatch.api.deps import AccessDep, PageDep, ReasonDep
from cellwatch.api.schemas import IntelligenceOut
from cellwatch.exchange.service.exports import write_intelligence_csv
from cellwatch.intelligence import service as intel

router = APIRouter(prefix="/intelligence", tags=["intelligence"])


def _out(access: Access, rows: list[IntelligenceReport]) -> list[IntelligenceOut]:
    subjects = intel.subjects_of(access, [r.id for r in rows])
    return [IntelligenceOut.model_validate(r).model_copy(update={"subjects": subjects[r.id]})
            for r in rows]


@router.get("", response_model=list[IntelligenceOut])
def list_intelligence(
    access: AccessDep, page: PageDep,
    establishment: Annotated[str | None, Query(max_length=8)] = None,
    handling_code: Literal["P", "C"] | None = None,
    subject: Annotated[str | None, Query(max_length=7)] = None,
) -> list[IntelligenceOut]:
    """Intelligence the caller may see."""
    rows = intel.list_intelligence(access, page, intel.IntelligenceFilter(
        establishment, handling_code, subject))
    return _out(access, rows)


@router.get("/export", response_class=Response, responses={200: {
    "content": {"text/csv": {"schema": {"type": "string"}}},
    "description": "The intelligence_reports interchange CSV"}})
def export(access: AccessDep, reason: ReasonDep,
           establishment: Annotated[str | None, Query(max_length=8)] = None,
           handling_code: Literal["P", "C"] | None = None) -> Response:
    """Every item the caller may see, as CSV (supervisors; ``Cellwatch-Reason`` required).

    Each item going outside its owning organisation is recorded as a dissemination.
    """
    buffer = io.StringIO()
    write_intelligence_csv(access, reason or "", buffer,
                           intel.IntelligenceFilter(establishment, handling_code))
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="intelligence_reports.csv"'})


@router.get("/{report_ref}", response_model=IntelligenceOut)
def get_intelligence(access: AccessDep, reason: ReasonDep,
                     report_ref: Annotated[str, Path(max_length=64)]) -> IntelligenceOut:
    """One intelligence item (send ``Cellwatch-Reason`` when outside your organisation)."""
    return _out(access, [intel.get_intelligence(access, report_ref, reason)])[0]
