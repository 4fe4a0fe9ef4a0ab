"""Takedown requests: draft one per account and platform, move it through its lifecycle,
read it back. Every change records who, when and why (``takedown_transitions`` and the
shared audit log).

>>> # req = draft_request(store, "analyst", "https://x.com/someone", "A1234BC", "threats")
>>> # transition_request(store, "analyst", req.id, "SENT", "sent via LE portal")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from cellwatch.errors import Conflict, InvalidData, NotFound
from cellwatch.identifiers.accounts import parse_account
from cellwatch.store import Prisoner, Store, utcnow
from cellwatch.takedown.accounts import account_links
from cellwatch.takedown.lifecycle import takedown_lifecycle
from cellwatch.takedown.models import TakedownRequest, TakedownTransition


@dataclass(frozen=True)
class Request:
    """A request as read back, with its history."""

    request: TakedownRequest
    transitions: tuple[TakedownTransition, ...]

    @property
    def id(self) -> int:
        return self.request.id

    @property
    def state(self) -> str:
        return self.request.state

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for ``--json`` and the API."""
        r = self.request
        return {
            "id": r.id, "platform": r.platform, "account": r.account,
            "prison_number": r.prison_number, "establishment": r.establishment,
            "state": r.state, "reason": r.reason, "platform_ref": r.platform_ref,
            "created_by": r.created_by, "created_at": r.created_at, "updated_at": r.updated_at,
            "transitions": [{"from": t.from_state, "to": t.to_state, "actor": t.actor,
                             "at": t.at, "reason": t.reason} for t in self.transitions],
        }


def _audit(session: Session, actor: str, action: str, request_id: int, reason: str) -> None:
    # The shared hash-chained log, when the access branch is migrated in this store.
    from cellwatch.access.audit import AuditEvent, append
    from cellwatch.access.models import AuditEntry

    if not inspect(session.connection()).has_table(AuditEntry.__tablename__):
        return
    append(session, AuditEvent(principal=actor, org=None, action=action,
                               resource_type="takedown_request", resource_id=str(request_id),
                               outcome="allowed", reason=reason))


def with_history(session: Session, request: TakedownRequest) -> Request:
    """``request`` with its transitions, read in ``session``."""
    history = session.scalars(select(TakedownTransition)
                              .where(TakedownTransition.request_id == request.id)
                              .order_by(TakedownTransition.id))
    return Request(request, tuple(history))


def draft_request(store: Store, actor: str, account: str, prison_number: str, reason: str,
                  platform: str | None = None, require_link: bool = True,
                  at: datetime | None = None) -> Request:
    """Draft a request to take ``account`` down as used by ``prison_number``.

    The account must be linked to the prisoner (observation, attribution, identity graph
    or an analyst's confirmation) unless ``require_link`` is False; a second request for
    the same account and platform is a Conflict.
    """
    problems: dict[str, list[str]] = {}
    if not reason.strip():
        problems["reason"] = ["a reason is required"]
    canonical = parse_account(account, platform).value
    if problems:
        raise InvalidData("takedown request refused", problems)
    if require_link and not any(
        link.account == canonical for link in account_links(store, prison_number)
    ):
        raise Conflict(f"{canonical} is not linked to {prison_number}: record an observation "
                       "or confirm the attribution first")
    platform_name = canonical.split(":", 1)[0]
    when = at or utcnow()
    with store.session() as s:
        prisoner = s.get(Prisoner, prison_number)
        if prisoner is None:
            raise NotFound(f"prisoner {prison_number} not found")
        existing = s.scalars(select(TakedownRequest).where(
            TakedownRequest.platform == platform_name, TakedownRequest.account == canonical
        )).first()
        if existing is not None:
            raise Conflict(f"{canonical} already has takedown request {existing.id} "
                           f"({existing.state})")
        initial = takedown_lifecycle().initial
        request = TakedownRequest(platform=platform_name, account=canonical,
                                  prison_number=prison_number,
                                  establishment=prisoner.establishment, state=initial,
                                  reason=reason, created_by=actor, created_at=when,
                                  updated_at=when)
        s.add(request)
        s.flush()
        s.add(TakedownTransition(request_id=request.id, from_state=None, to_state=initial,
                                 actor=actor, at=when, reason=reason))
        _audit(s, actor, "takedown.draft", request.id, reason)
        s.flush()
        return with_history(s, request)


def _check_move(request: TakedownRequest, target: str) -> None:
    takedown_lifecycle().check(request.state, target, str(request.id))


def transition_request(store: Store, actor: str, request_id: int, state: str, reason: str,
                       platform_ref: str | None = None, at: datetime | None = None) -> Request:
    """Move a request to ``state``; raises IllegalTransition when the lifecycle forbids it."""
    target = state.strip().upper()
    if not reason.strip():
        raise InvalidData("transition refused", {"reason": ["a reason is required"]})
    when = at or utcnow()
    with store.session() as s:
        request = s.get(TakedownRequest, request_id, with_for_update=True)
        if request is None:
            raise NotFound(f"takedown request {request_id} not found")
        _check_move(request, target)
        s.add(TakedownTransition(request_id=request.id, from_state=request.state,
                                 to_state=target, actor=actor, at=when, reason=reason))
        request.state = target
        request.updated_at = when
        if platform_ref:
            request.platform_ref = platform_ref
        _audit(s, actor, f"takedown.{target.lower()}", request.id, reason)
        s.flush()
        return with_history(s, request)


def get_request(store: Store, request_id: int) -> Request:
    """One request with its history."""
    with store.session() as s:
        request = s.get(TakedownRequest, request_id)
        if request is None:
            raise NotFound(f"takedown request {request_id} not found")
        return with_history(s, request)


def list_requests(store: Store, state: str | None = None, prison_number: str | None = None,
                  establishment: str | None = None) -> list[Request]:
    """Requests, oldest first, optionally filtered (bound parameters only)."""
    query = select(TakedownRequest).order_by(TakedownRequest.id)
    if state:
        query = query.where(TakedownRequest.state == state.upper())
    if prison_number:
        query = query.where(TakedownRequest.prison_number == prison_number)
    if establishment:
        query = query.where(TakedownRequest.establishment == establishment)
    with store.session() as s:
        return [with_history(s, r) for r in s.scalars(query).all()]
