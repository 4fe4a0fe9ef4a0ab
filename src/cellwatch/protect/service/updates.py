"""A request for an update: the receiver of a referral (the Parole Board, reviewing a
prisoner) asks the team that referred him for news, and that team marks it done.

The request follows the referral: it may be made only on a prisoner referred to the
principal's organisation (the newest such referral names whom it goes to), and only the
organisation it goes to answers it. A prisoner never referred to the principal answers as
an unknown one (404), an update request of other organisations as an unknown request.
Every request, list, answer and refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from cellwatch.access.models import Referral
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, Denied, IllegalTransition, InvalidData, NotFound
from cellwatch.protect.models import UpdateRequest
from cellwatch.store import utcnow

TEXT_MAX = 2000


@dataclass(frozen=True)
class UpdateRequestView:
    """One request for an update, as its two organisations see it."""

    id: int
    referral_id: int
    prison_number: str
    from_org: str
    to_org: str
    note: str
    status: str
    requested_by: str
    requested_at: datetime
    done_by: str | None
    done_at: datetime | None
    answer: str | None


def _view(row: UpdateRequest) -> UpdateRequestView:
    return UpdateRequestView(row.id, row.referral_id, row.prison_number, row.from_org,
                             row.to_org, row.note, row.status, row.requested_by,
                             row.requested_at, row.done_by, row.done_at, row.answer)


def _text(name: str, value: str | None, required: bool) -> str | None:
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidData("update request refused", {name: ["required"]})
    if len(text) > TEXT_MAX:
        raise InvalidData("update request refused", {name: [f"at most {TEXT_MAX} characters"]})
    return text or None


def _not_found(request_id: int) -> NotFound:
    return NotFound(f"update request {request_id} not found")


def request_update(access: Access, prison_number: str, note: str) -> UpdateRequestView:
    """Ask the team that referred ``prison_number`` to the principal's organisation for an
    update (to the sender of the newest such referral)."""
    number = prison_number.strip().upper()
    text = _text("note", note, required=True)
    assert text is not None
    access.require_role(Action.READ, Resource.REFERRAL, number)
    org = access.principal.org_code
    with access.transaction() as s:
        referral = s.scalars(select(Referral).where(
            Referral.prison_number == number, Referral.to_org == org)
            .order_by(Referral.id.desc()).limit(1)).first() if org else None
        target = Target(Resource.PRISONER, number)
        if referral is None:
            raise Concealed(f"{access.principal.username} has no referral of {number}",
                            "request_update", target, None)
        row = UpdateRequest(referral_id=referral.id, prison_number=number, from_org=org,
                            to_org=referral.from_org, note=text, status="OPEN",
                            requested_by=access.principal.username)
        s.add(row)
        s.flush()
        access.audit(s, "request_update", Target(Resource.REFERRAL, str(referral.id),
                                                  owner_org=referral.from_org,
                                                  recipient_org=referral.to_org),
                     detail={"update_request": row.id, "prison_number": number,
                             "to": referral.from_org})
        return _view(row)


def list_update_requests(access: Access, direction: str | None = None,
                         status: str | None = None, prison_number: str | None = None,
                         page: Page = Page()) -> list[UpdateRequestView]:
    """Requests the principal's organisation made (``out``) or must answer (``in``), newest
    first (audited)."""
    access.require_role(Action.READ, Resource.REFERRAL)
    org = access.principal.org_code
    target = Target(Resource.REFERRAL)
    with access.transaction() as s:
        query = select(UpdateRequest)
        if not access.principal.is_system:
            query = query.where(or_(UpdateRequest.from_org == org, UpdateRequest.to_org == org))
        if direction == "in":
            query = query.where(UpdateRequest.to_org == org)
        elif direction == "out":
            query = query.where(UpdateRequest.from_org == org)
        if status:
            query = query.where(UpdateRequest.status == status.upper())
        if prison_number:
            query = query.where(UpdateRequest.prison_number == prison_number.strip().upper())
        rows = list(s.scalars(query.order_by(UpdateRequest.id.desc())
                              .limit(page.limit).offset(page.offset)))
        access.audit(s, "list", target, detail={"update_requests": [r.id for r in rows]})
        return [_view(r) for r in rows]


def complete_update_request(access: Access, request_id: int,
                            answer: str | None = None) -> UpdateRequestView:
    """The organisation asked marks a request done, with what it did (once; 409 after)."""
    text = _text("answer", answer, required=False)
    access.require_role(Action.ACKNOWLEDGE, Resource.REFERRAL, str(request_id))
    org = access.principal.org_code
    with access.facts() as s:
        found = s.get(UpdateRequest, request_id)
        facts = (found.from_org, found.to_org, found.referral_id) if found else None
    if facts is None:
        raise _not_found(request_id)
    from_org, to_org, referral_id = facts
    target = Target(Resource.REFERRAL, str(referral_id), owner_org=to_org,
                    recipient_org=from_org)
    visible = access.principal.is_system or org in (from_org, to_org)
    try:
        with access.transaction() as s:
            if not visible:
                raise Denied(f"{access.principal.username} may not answer update request "
                             f"{request_id}", "complete_update", target, None)
            if not (access.principal.is_system or org == to_org):
                raise Denied(f"only {to_org} answers update request {request_id}",
                             "complete_update", target, None)
            row = s.get(UpdateRequest, request_id)
            assert row is not None
            if row.status != "OPEN":
                raise IllegalTransition(f"update request {request_id} is {row.status}, "
                                        "not OPEN")
            row.status, row.done_by, row.done_at = "DONE", access.principal.username, utcnow()
            row.answer = text
            access.audit(s, "complete_update", target, detail={"update_request": request_id})
            return _view(row)
    except Denied:
        if not visible:  # audited as denied; answered as an unknown request
            raise _not_found(request_id) from None
        raise
