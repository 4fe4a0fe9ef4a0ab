"""Victim liaison's pages: protected persons, their conditions and identifiers, reports of
contact with their resolution through the identity graph, and the alerts about them.

Every read and change goes through :mod:`cellwatch.protect.service.liaison` and
:mod:`cellwatch.protect.service.contacts` (the API's functions): the officer's own
organisation's persons only, another's answering as an unknown one (404), all audited.
A form that is refused or incomplete comes back with its values and the reasons (422).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Response

from cellwatch.access.service import Access
from cellwatch.errors import CellwatchError, InvalidData
from cellwatch.protect.service import contacts, liaison
from cellwatch.protect.service.contacts import CHANNELS
from cellwatch.protect.service.liaison import CONDITION_LABELS, CONDITIONS
from cellwatch.timestamps import parse_date, parse_timestamp
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)
CHANNEL_LABELS = {"CALL": "Phone call", "SMS": "Text message (SMS)",
                  "MESSAGING_APP": "Messaging app", "SOCIAL_POST": "Social media post",
                  "SOCIAL_DM": "Social media direct message", "EMAIL": "Email",
                  "OTHER": "Other"}
Problems = list[tuple[str | None, str]]


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _choices() -> dict[str, Any]:
    return {"conditions": [(c, CONDITION_LABELS.get(c, c)) for c in CONDITIONS],
            "channels": [(c, CHANNEL_LABELS.get(c, c)) for c in CHANNELS]}


def _date(fields: dict[str, str], name: str, problems: Problems) -> date | None:
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except InvalidData:
        problems.append((f"#{name}", "Enter the date as YYYY-MM-DD, for example 2026-03-01"))
        return None


def _refused(exc: CellwatchError, labels: dict[str, str]) -> tuple[Problems, int]:
    """A service refusal as the form's error summary: each field's reason linked to it."""
    if exc.http_status >= 500 or exc.http_status in (403, 404):
        raise exc  # refused or out of scope: the error page the API's status would be
    if isinstance(exc, InvalidData) and exc.errors:
        return [(f"#{name}" if name in labels else None,
                 f"{labels.get(name, name)}: {'; '.join(reasons)}")
                for name, reasons in exc.errors.items()], 422
    return [(None, exc.message)], exc.http_status


def _attempt(do: Callable[[], Any], labels: dict[str, str]) -> tuple[Any, Problems, int]:
    try:
        return do(), [], 200
    except CellwatchError as exc:
        problems, status = _refused(exc, labels)
        return None, problems, status


PERSON_LABELS = {"prison_number": "Prison number", "condition": "Condition",
                 "valid_from": "Condition starts", "valid_to": "Condition ends",
                 "person_ref": "Reference"}


def _persons_page(ctx: PageContext, status: int = 200, **values: Any) -> Response:
    access = _access(ctx)
    return ctx.render("protect/persons.html", status=status, title="Protected persons",
                      persons=liaison.list_persons(access),
                      alerts=contacts.person_alerts(access, open_only=True),
                      labels=CONDITION_LABELS, today=date.today(), **_choices(), **values)


@router.get("/protected-persons")
def persons(ctx: Page) -> Response:
    """The persons the officer's organisation protects, the open alerts about them, and a
    form to record a new one."""
    return _persons_page(ctx)


@router.post("/protected-persons")
async def create(ctx: Page) -> Response:
    """Record a person protected from a prisoner."""
    fields = await ctx.form()
    problems: Problems = []
    number = fields.get("prison_number", "").strip().upper()
    condition = fields.get("condition", "").strip()
    if not number:
        problems.append(("#prison_number", "Enter the prison number of the prisoner the "
                                           "person is protected from"))
    if not condition:
        problems.append(("#condition", "Choose the condition"))
    starts, ends = _date(fields, "valid_from", problems), _date(fields, "valid_to", problems)
    status = 422
    if not problems:
        made, problems, status = _attempt(lambda: liaison.create_person(
            _access(ctx), number, condition, starts, ends,
            fields.get("person_ref", "").strip() or None), PERSON_LABELS)
        if made is not None:
            return ctx.redirect(f"/protected-persons/{made.person_ref}", done="person_created",
                                ref=made.person_ref)
    return _persons_page(ctx, status=status, values=fields, error_summary=problems)


def _person_page(ctx: PageContext, person_ref: str, status: int = 200,
                 **values: Any) -> Response:
    access = _access(ctx)
    person = liaison.get_person(access, person_ref)
    return ctx.render("protect/person.html", status=status,
                      title=f"Protected person {person.person_ref}", person=person,
                      reports=contacts.person_reports(access, person_ref),
                      alerts=contacts.person_alerts(access, person_ref),
                      labels=CONDITION_LABELS, channel_labels=CHANNEL_LABELS,
                      in_force=person.in_force(date.today()), **_choices(), **values)


@router.get("/protected-persons/{person_ref}")
def person(ctx: Page, person_ref: str) -> Response:
    """One person: condition, identifiers, reports of contact and their alerts."""
    return _person_page(ctx, person_ref)


@router.post("/protected-persons/{person_ref}/identifiers")
async def add_identifier(ctx: Page, person_ref: str) -> Response:
    """Add one of the person's numbers or accounts."""
    fields = await ctx.form()
    text = fields.get("identifier", "").strip()
    if not text:
        problems: Problems = [("#identifier", "Enter the number or account")]
        status = 422
    else:
        done, problems, status = _attempt(lambda: liaison.add_identifier(
            _access(ctx), person_ref, text, fields.get("platform", "").strip() or None),
            {"identifier": "Number or account"})
        if done is not None:
            return ctx.redirect(f"/protected-persons/{person_ref}", done="identifier_added",
                                ref=person_ref)
    return _person_page(ctx, person_ref, status=status, id_values=fields,
                        error_summary=problems)


@router.post("/protected-persons/{person_ref}/condition")
async def change_condition(ctx: Page, person_ref: str) -> Response:
    """Change the condition or its dates."""
    fields = await ctx.form()
    problems: Problems = []
    starts, ends = _date(fields, "valid_from", problems), _date(fields, "valid_to", problems)
    status = 422
    if not problems:
        done, problems, status = _attempt(lambda: liaison.change_condition(
            _access(ctx), person_ref, fields.get("condition", ""), starts, ends),
            PERSON_LABELS)
        if done is not None:
            return ctx.redirect(f"/protected-persons/{person_ref}", done="condition_changed",
                                ref=person_ref)
    return _person_page(ctx, person_ref, status=status, condition_values=fields,
                        error_summary=problems)


REPORT_LABELS = {"sender": "Who made contact", "channel": "How", "contacted": "Contacted on",
                 "occurred_ts": "When", "content": "What was said"}


def _when(fields: dict[str, str], problems: Problems) -> datetime | None:
    text = fields.get("occurred_ts", "").strip()
    if not text:
        return None
    try:
        return parse_timestamp(text.replace(" ", "T", 1) if len(text) > 10 else text)[0]
    except InvalidData:
        problems.append(("#occurred_ts", "Enter when as YYYY-MM-DD HH:MM (UK time)"))
        return None


@router.post("/protected-persons/{person_ref}/reports")
async def record_report(ctx: Page, person_ref: str) -> Response:
    """Record a report of contact; it is resolved through the identity graph at once."""
    fields = await ctx.form()
    problems: Problems = []
    sender = fields.get("sender", "").strip()
    if not sender:
        problems.append(("#sender", "Enter the number or account that made contact"))
    if not fields.get("channel"):
        problems.append(("#channel", "Choose how contact was made"))
    when = _when(fields, problems)
    status = 422
    if not problems:
        made, problems, status = _attempt(lambda: contacts.record_report(
            _access(ctx), person_ref, sender, fields.get("channel", ""), occurred_ts=when,
            contacted=fields.get("contacted") or None,
            platform=fields.get("platform", "").strip() or None,
            content=fields.get("content") or None,
            crime_reference=fields.get("crime_reference") or None), REPORT_LABELS)
        if made is not None:
            return ctx.redirect(f"/contact-reports/{made.id}", done="report_recorded",
                                ref=made.report_ref)
    return _person_page(ctx, person_ref, status=status, report_values=fields,
                        error_summary=problems)


@router.get("/contact-reports/{report_id}")
def report(ctx: Page, report_id: int) -> Response:
    """One report of contact and what the identity graph makes of its sender."""
    access = _access(ctx)
    found = contacts.get_report(access, report_id)
    alerts = [a for a in contacts.person_alerts(access, found.person_ref)]
    return ctx.render("protect/report.html", title=f"Report of contact {found.report_ref}",
                      report=found, alerts=alerts, channel_labels=CHANNEL_LABELS)
