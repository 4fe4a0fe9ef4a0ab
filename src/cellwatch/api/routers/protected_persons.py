"""Victim liaison's protected persons and reports of contact: a thin shell over
:mod:`cellwatch.protect.service.liaison` and :mod:`cellwatch.protect.service.contacts`,
which decide (the officer's own organisation's persons; another's answer as unknown, 404)
and audit. The web's pages call the same functions.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, Field

from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.protect.service import contacts, liaison
from cellwatch.protect.service.contacts import PersonAlert, ReportView
from cellwatch.protect.service.liaison import PersonView

router = APIRouter(tags=["protected persons"])
PersonRef = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ConditionIn(BaseModel):
    """A no-contact condition against a prisoner, and when it holds."""

    condition: str = Field(min_length=1, max_length=32,
                           description="RESTRAINING_ORDER, NON_MOLESTATION_ORDER, "
                                       "LICENCE_CONDITION, NO_CONTACT_REQUEST or OTHER")
    valid_from: date | None = None
    valid_to: date | None = None


class PersonIn(ConditionIn):
    """A person protected from a prisoner; the reference is made up when not given."""

    prison_number: str = Field(pattern=r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")
    person_ref: str | None = Field(default=None, min_length=1, max_length=64,
                                   pattern=r"^[A-Za-z0-9_-]+$")


class IdentifierIn(BaseModel):
    """One of the person's numbers or accounts (a handle needs its platform)."""

    identifier: str = Field(min_length=1, max_length=500)
    platform: str | None = Field(default=None, max_length=40)


class ReportIn(BaseModel):
    """Contact reported: by which number or account, on which of the person's, when."""

    sender: str = Field(min_length=1, max_length=500)
    platform: str | None = Field(default=None, max_length=40)
    channel: str = Field(min_length=1, max_length=16,
                         description="CALL, SMS, MESSAGING_APP, SOCIAL_POST, SOCIAL_DM, "
                                     "EMAIL or OTHER")
    contacted: str | None = Field(default=None, max_length=500,
                                  description="one of the person's own identifiers")
    occurred_ts: AwareDatetime | None = None
    content: str | None = Field(default=None, max_length=20_000)
    crime_reference: str | None = Field(default=None, max_length=64)


@router.get("/protected-persons", response_model=list[PersonView])
def list_persons(access: AccessDep, page: PageDep) -> list[PersonView]:
    """The persons the caller's organisation protects."""
    return liaison.list_persons(access, page)


@router.post("/protected-persons", response_model=PersonView, status_code=201)
def create_person(access: AccessDep, body: PersonIn) -> PersonView:
    """Record a person protected from a prisoner, owned by the caller's organisation."""
    return liaison.create_person(access, body.prison_number, body.condition,
                                 body.valid_from, body.valid_to, body.person_ref)


@router.get("/protected-persons/{person_ref}", response_model=PersonView)
def get_person(access: AccessDep, person_ref: PersonRef) -> PersonView:
    """One of the organisation's persons, with its condition and identifiers."""
    return liaison.get_person(access, person_ref)


@router.post("/protected-persons/{person_ref}/condition", response_model=PersonView)
def change_condition(access: AccessDep, person_ref: PersonRef,
                     body: ConditionIn) -> PersonView:
    """Change the person's condition or its dates."""
    return liaison.change_condition(access, person_ref, body.condition, body.valid_from,
                                    body.valid_to)


@router.post("/protected-persons/{person_ref}/identifiers", response_model=PersonView,
             status_code=201)
def add_identifier(access: AccessDep, person_ref: PersonRef, body: IdentifierIn) -> PersonView:
    """Add one of the person's numbers or accounts."""
    return liaison.add_identifier(access, person_ref, body.identifier, body.platform)


@router.get("/protected-persons/{person_ref}/reports", response_model=list[ReportView])
def list_reports(access: AccessDep, person_ref: PersonRef) -> list[ReportView]:
    """The person's reports of contact with their resolutions, newest first."""
    return contacts.person_reports(access, person_ref)


@router.post("/protected-persons/{person_ref}/reports", response_model=ReportView,
             status_code=201)
def record_report(access: AccessDep, person_ref: PersonRef, body: ReportIn) -> ReportView:
    """Record a report of contact; it is resolved through the identity graph at once."""
    return contacts.record_report(access, person_ref, body.sender, body.channel,
                                  occurred_ts=body.occurred_ts, contacted=body.contacted,
                                  platform=body.platform, content=body.content,
                                  crime_reference=body.crime_reference)


@router.get("/protected-persons/{person_ref}/alerts", response_model=list[PersonAlert])
def person_alerts(access: AccessDep, person_ref: PersonRef) -> list[PersonAlert]:
    """Alerts about the person (one put down to another prisoner without its text)."""
    return contacts.person_alerts(access, person_ref)


@router.get("/contact-reports/{report_id}", response_model=ReportView)
def get_report(access: AccessDep, report_id: ReportId) -> ReportView:
    """One report of contact of the organisation's persons, with its resolution."""
    return contacts.get_report(access, report_id)



