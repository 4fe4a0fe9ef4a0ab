"""Cases and operations, owned by one organisation and shared explicitly."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from cellwatch.access.models import Case
from cellwatch.access.service import Access
from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import CaseIn, CaseOut, ShareIn, SubjectsIn
from cellwatch.cases import service as cases

router = APIRouter(prefix="/cases", tags=["cases"])
Ref = Annotated[str, Path(max_length=64)]


def _out(access: Access, case: Case) -> CaseOut:
    subjects, shares = cases.case_details(access, case)
    return CaseOut.model_validate(case).model_copy(update={"subjects": subjects,
                                                           "shares": shares})


@router.get("", response_model=list[CaseOut])
def list_cases(access: AccessDep, page: PageDep,
               status: Literal["OPEN", "CLOSED"] | None = None) -> list[CaseOut]:
    """Cases the caller's organisation owns or has been given a share of."""
    return [CaseOut.model_validate(c) for c in cases.list_cases(access, page, status)]


@router.post("", response_model=CaseOut, status_code=201)
def create_case(access: AccessDep, body: CaseIn) -> CaseOut:
    """Open a case owned by the caller's organisation."""
    case = cases.create_case(access, body.ref, body.title, body.kind, body.description,
                             body.establishment, body.subjects)
    return _out(access, case)


@router.get("/{ref}", response_model=CaseOut)
def get_case(access: AccessDep, ref: Ref) -> CaseOut:
    """One case, with its subjects and shares."""
    return _out(access, cases.get_case(access, ref))


@router.post("/{ref}/shares", response_model=CaseOut)
def share_case(access: AccessDep, ref: Ref, body: ShareIn) -> CaseOut:
    """Share the case with another organisation at a level."""
    cases.share_case(access, ref, body.org, body.level)
    return _out(access, cases.get_case(access, ref))


@router.post("/{ref}/subjects", response_model=CaseOut)
def add_subjects(access: AccessDep, ref: Ref, body: SubjectsIn) -> CaseOut:
    """Add prisoners to the case."""
    return _out(access, cases.add_case_subjects(access, ref, body.subjects))


@router.post("/{ref}/close", response_model=CaseOut)
def close_case(access: AccessDep, ref: Ref) -> CaseOut:
    """Close the case (its owner, or an organisation it is shared with at MANAGE)."""
    return _out(access, cases.close_case(access, ref))
