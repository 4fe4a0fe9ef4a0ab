"""Takedown requests for a principal: list, open, draft and move them, the linked accounts
behind them and the new-account scan, decided and audited.

:mod:`cellwatch.takedown.requests` trusts its caller; the API and the CLI (as
``CELLWATCH_PRINCIPAL``, the local ``system`` by default) come through here instead.
The rules:

* Role (data, :data:`cellwatch.access.roles.ROLE_PERMISSIONS`): analysts and
  supervisors read, draft and move requests. Police, the Parole Board, operators'
  liaisons and administrators hold no takedown permission, so they see no request at all.
* Scope (:func:`cellwatch.access.policy.can`): a request belongs where its prisoner was
  when it was drafted; national units see all, a region its region, an establishment's
  team its own. A request for a released prisoner is the nation's alone.

The role is asked first, so a principal without one learns nothing, not even whether a
request exists. A request (or, when drafting, a prisoner) outside the scope answers
exactly as a missing one does (:class:`~cellwatch.errors.NotFound`, the same message),
and the denial is still audited. Each decision is audited under ``takedown.*``; the
requests module records each change in ``takedown_transitions`` and the audit log too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from cellwatch.access.policy import Target, can
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import in_scope
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, Denied, NotFound
from cellwatch.store import Prisoner
from cellwatch.takedown import requests
from cellwatch.takedown.accounts import AccountLink, account_links
from cellwatch.takedown.models import TakedownRequest
from cellwatch.takedown.requests import Request as Request  # the request the shells present
from cellwatch.takedown.rules import NewAccount, scan_new_accounts

RESOURCE = Resource.TAKEDOWN


def _decide(access: Access, action: Action, audit_action: str, target: Target,
            facts: Callable[[], Target] | None = None, missing: str = "",
            detail: Mapping[str, Any] | None = None) -> None:
    """Check the role, then (when ``facts`` gathers the record's) the scope; audit either way.

    ``facts`` raises NotFound for a record that does not exist; one outside the scope
    raises NotFound with ``missing``, the message of a missing one.
    """
    with access.transaction() as s:
        try:
            access.check(action, target, role_only=True)
        except Denied as exc:
            # Re-raised under the takedown action, so the log reads as allowed ones do.
            raise Denied(exc.message, audit_action, target, None) from exc
        if facts is not None:
            target = facts()
            decision = can(access.principal, action, target)
            if not decision:
                # Audited as denied by Access.transaction; answered as a missing record.
                raise Concealed(f"{access.principal.username} may not {action} "
                                f"{target.type} {target.id or ''}: {decision.reason}",
                                audit_action, target, None, unknown=missing)
        access.audit(s, audit_action, target, detail=detail)


def _missing_request(request_id: int) -> str:
    return f"takedown request {request_id} not found"


def _request_facts(access: Access, request_id: int) -> Callable[[], Target]:
    def facts() -> Target:
        # Read as the store's owner: the fact decides, and is not returned.
        with access.facts() as s:
            found = s.execute(select(TakedownRequest.establishment)
                              .where(TakedownRequest.id == request_id)).first()
        if found is None:
            raise NotFound(_missing_request(request_id))
        return Target(RESOURCE, str(request_id), establishment=found[0])

    return facts


def _prisoner_facts(access: Access, prison_number: str) -> Callable[[], Target]:
    def facts() -> Target:
        with access.facts() as s:
            prisoner = s.get(Prisoner, prison_number)
            establishment = None if prisoner is None else prisoner.establishment
        if prisoner is None:
            raise NotFound(f"prisoner {prison_number} not found")
        return Target(RESOURCE, None, establishment=establishment)

    return facts


def list_for(access: Access, page: Page = Page(), state: str | None = None,
             prison_number: str | None = None,
             establishment: str | None = None) -> list[requests.Request]:
    """Requests within the principal's scope, newest first (audited with the ids returned)."""
    query = (select(TakedownRequest)
             .where(in_scope(access.principal, TakedownRequest.establishment))
             .order_by(TakedownRequest.id.desc()).limit(page.limit).offset(page.offset))
    if state:
        query = query.where(TakedownRequest.state == state.upper())
    if prison_number:
        query = query.where(TakedownRequest.prison_number == prison_number.upper())
    if establishment:
        query = query.where(TakedownRequest.establishment == establishment.upper())
    # takedown_* tables sit outside row-level security; the scope is the WHERE above.
    with access.store.session() as s:
        found = [requests.with_history(s, r) for r in s.scalars(query)]
    # Decided after the read so the audit names what is returned; on refusal nothing is.
    filters = {"state": state, "prison_number": prison_number, "establishment": establishment}
    _decide(access, Action.READ, "takedown.list", Target(RESOURCE),
            detail={"filters": {k: v for k, v in filters.items() if v},
                    "returned": [r.id for r in found]})
    return found


def get_for(access: Access, request_id: int) -> requests.Request:
    """One request with its history, within the principal's scope (audited)."""
    _decide(access, Action.READ, "takedown.read", Target(RESOURCE, str(request_id)),
            _request_facts(access, request_id), _missing_request(request_id))
    return requests.get_request(access.store, request_id)


def draft_for(access: Access, account: str, prison_number: str, reason: str,
              platform: str | None = None, require_link: bool = True) -> requests.Request:
    """Draft a request to take ``account`` down, for a prisoner within the scope.

    The account must already be linked to the prisoner (:mod:`cellwatch.takedown.accounts`)
    unless ``require_link`` is False (the CLI's ``--unlinked``); the audit records that.
    """
    number = prison_number.strip().upper()
    detail: dict[str, Any] = {"account": account, "prison_number": number}
    if not require_link:
        detail["unlinked"] = True
    _decide(access, Action.CREATE, "takedown.draft.decision", Target(RESOURCE),
            _prisoner_facts(access, number), f"prisoner {number} not found", detail=detail)
    return requests.draft_request(access.store, access.principal.username, account, number,
                                  reason, platform=platform, require_link=require_link)


def transition_for(access: Access, request_id: int, state: str, reason: str,
                   platform_ref: str | None = None) -> requests.Request:
    """Move a request along its lifecycle, then run the new-account rule."""
    _decide(access, Action.UPDATE, "takedown.transition.decision",
            Target(RESOURCE, str(request_id)), _request_facts(access, request_id),
            _missing_request(request_id), detail={"to": state.strip().upper()})
    moved = requests.transition_request(access.store, access.principal.username, request_id,
                                        state, reason, platform_ref=platform_ref)
    scan_new_accounts(access.store)
    return moved


def links_for(access: Access, prison_number: str | None = None) -> list[AccountLink]:
    """Accounts linked to prisoners within the scope (one prisoner's, when named), audited.

    A prisoner's current establishment decides, as it does when drafting; a named prisoner
    outside the scope answers as a missing one does.
    """
    if prison_number:
        number = prison_number.strip().upper()
        _decide(access, Action.READ, "takedown.accounts", Target(RESOURCE),
                _prisoner_facts(access, number), f"prisoner {number} not found",
                detail={"prison_number": number})
        return account_links(access.store, number)
    links = account_links(access.store)
    numbers = sorted({x.prison_number for x in links})
    # Read as the store's owner: where each prisoner is decides, and is not returned.
    with access.facts() as s:
        where: dict[str, str | None] = {
            number: est for number, est in s.execute(
                select(Prisoner.prison_number, Prisoner.establishment)
                .where(Prisoner.prison_number.in_(numbers)))}
    mine = [x for x in links if access.principal.covers(where.get(x.prison_number))]
    # Decided after the read so the audit names whose links are returned.
    _decide(access, Action.READ, "takedown.accounts", Target(RESOURCE),
            detail={"prisoners": sorted({x.prison_number for x in mine})})
    return mine


def scan_for(access: Access) -> list[NewAccount]:
    """Run the new-account rule; return the alerts it raised now within the scope.

    The rule runs over the whole estate, as it does after every move of a request
    (:func:`transition_for`): its alerts are de-duplicated and read back by scope.
    """
    # Decided first: the scan writes alerts, so a principal without the role never runs it.
    _decide(access, Action.UPDATE, "takedown.scan", Target(RESOURCE))
    return [a for a in scan_new_accounts(access.store)
            if access.principal.covers(a.establishment)]
