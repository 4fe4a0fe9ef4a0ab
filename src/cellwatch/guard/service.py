"""The "Suspected staff or visitor phones" queue for a principal: read, allow-list, release.

Scoped like TRO candidates (:mod:`cellwatch.tro.service.orders`): reading needs the TRO read
permission and covers the principal's establishments; a decision is the work of the
establishment's own team or a national unit. Allow-listing exempts a phone for good, so
it is a supervisor's sign-off (``approve``); releasing a phone as contraband (back into
candidates and attribution) is an analyst's ``update``. A hold outside the reader's
establishments answers as a missing one (404), its denial audited. Every list, read and
decision is audited (``guard.*``, resource ``identifier``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, OrgKind, Resource
from cellwatch.access.scopes import in_scope
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, Conflict, Denied, InvalidData, NotFound
from cellwatch.guard.detect import DECIDED
from cellwatch.guard.models import FLAGS as FLAGS  # why a hold is made, for the shells
from cellwatch.guard.models import GuardHold
from cellwatch.store import AllowListEntry, IngestBatch, utcnow
from cellwatch.store.listing import Order, SortColumn, sorted_by

ALLOW_KINDS = ("STAFF", "OFFICIAL", "CONTRACTOR")


def _missing(hold_id: int) -> NotFound:
    return NotFound(f"no suspected staff or visitor phone {hold_id}")


def _target(establishment: str | None, identifier: str | None = None) -> Target:
    return Target(Resource.IDENTIFIER, identifier, establishment=establishment)


def _role(access: Access, action: Action, audit_action: str, target: Target) -> None:
    """The TRO permission for ``action``, re-raised under the guard's action name."""
    try:
        access.check(action, Target(Resource.TRO_ORDER, None, target.establishment),
                     role_only=True)
    except Denied as exc:
        raise Denied(exc.message, audit_action, target, None) from exc


def view(row: GuardHold) -> dict[str, Any]:
    """A queue row, JSON-ready."""
    return {"id": row.id, "identifier_type": row.identifier_type,
            "identifier": row.identifier, "establishment": row.establishment,
            "flag": row.flag, "status": row.status, "allow_listed": row.allow_listed,
            "evidence": row.evidence, "first_flagged_at": row.first_flagged_at.isoformat(),
            "computed_at": row.computed_at.isoformat(), "decided_by": row.decided_by,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            "decision_reason": row.decision_reason, "allow_entry_id": row.allow_entry_id}


# What the queue may be sorted by.
SORTS: dict[str, SortColumn] = {
    "identifier": GuardHold.identifier, "establishment": GuardHold.establishment,
    "flag": GuardHold.flag, "status": GuardHold.status,
    "first_flagged_at": GuardHold.first_flagged_at, "decided_at": GuardHold.decided_at}


def list_holds(access: Access, establishment: str | None = None, status: str | None = None,
               page: Page = Page(), *, flag: str | None = None,
               since: datetime | None = None, before: datetime | None = None,
               order: Order | None = None) -> list[dict[str, Any]]:
    """Queue rows in the principal's establishments (undecided first, then by place and
    identifier, or in ``order``); ``since``/``before`` bound when first flagged."""
    target = _target(establishment)
    with access.transaction() as s:
        _role(access, Action.READ, "guard.list", target)
        if establishment is not None and not access.principal.covers(establishment):
            raise Denied(f"{access.principal.username} may not read the queue of "
                         f"{establishment}: outside your establishments", "guard.list",
                         target, None)
        query = select(GuardHold).where(in_scope(access.principal, GuardHold.establishment))
        if establishment is not None:
            query = query.where(GuardHold.establishment == establishment)
        if status:
            query = query.where(GuardHold.status == status.strip().upper())
        if flag:
            query = query.where(GuardHold.flag == flag.strip().upper())
        if since is not None:
            query = query.where(GuardHold.first_flagged_at >= since)
        if before is not None:
            query = query.where(GuardHold.first_flagged_at < before)
        query = query.order_by(GuardHold.status.in_(sorted(DECIDED)), GuardHold.establishment,
                               GuardHold.identifier_type, GuardHold.identifier)
        query = sorted_by(query, SORTS, order, GuardHold.id)
        rows = [view(r) for r in s.scalars(query.limit(page.limit).offset(page.offset))]
        access.audit(s, "guard.list", target, detail={"returned": [r["id"] for r in rows]})
    return rows


def counts(access: Access) -> dict[str, int]:
    """Queue rows by status in the principal's establishments (for the overview)."""
    with access.transaction() as s:
        _role(access, Action.READ, "guard.list", _target(None))
        found = s.execute(select(GuardHold.status, func.count(GuardHold.id))
                          .where(in_scope(access.principal, GuardHold.establishment))
                          .group_by(GuardHold.status))
        return {status: int(n) for status, n in found}


def get_hold(access: Access, hold_id: int) -> dict[str, Any]:
    """One queue row with its evidence (404 outside the principal's establishments)."""
    return view(_decide(access, hold_id, Action.READ, "guard.read")[0])


def _decide(access: Access, hold_id: int, action: Action, audit_action: str,
            detail: dict[str, Any] | None = None) -> tuple[GuardHold, Target]:
    with access.facts() as s:
        row = s.get(GuardHold, hold_id)
        if row is not None:
            s.expunge(row)
    target = _target(row.establishment if row else None, row.identifier if row else None)
    with access.transaction() as s:
        _role(access, action, audit_action, target)
        if row is None:
            raise _missing(hold_id)
        p = access.principal
        if not p.covers(row.establishment):
            # Audited as denied by Access.transaction; answered as a missing hold.
            raise Concealed(f"{p.username} may not {action} hold {hold_id}: outside your "
                            "establishments", audit_action, target, None,
                            unknown=_missing(hold_id).message)
        if action is not Action.READ and not (
                p.is_system or p.org_kind is OrgKind.NATIONAL
                or (p.org_kind is OrgKind.ESTABLISHMENT and p.covers(row.establishment))):
            raise Denied(f"{p.username} may not {action} hold {hold_id}: only the "
                         "establishment's own team or a national unit decides",
                         audit_action, target, None)
        if action is Action.READ:
            access.audit(s, audit_action, target, detail={"hold": hold_id})
        elif row.status in DECIDED:
            raise Conflict(f"hold {hold_id} was already decided: {row.status} by "
                           f"{row.decided_by}")
    return row, target


def _group(s: Session, row: GuardHold) -> list[GuardHold]:
    """The row and the undecided rows of the same phone in its establishment: identifiers
    seen on the same detections, and those held because they are linked to one."""
    rows = list(s.scalars(select(GuardHold).where(
        GuardHold.establishment == row.establishment, GuardHold.status.not_in(sorted(DECIDED)))))
    names, group = {row.identifier}, {row.id}
    grown = True
    while grown:
        grown = False
        for r in rows:
            near = {*(r.evidence or {}).get("linked", ()), *(r.evidence or {}).get("linked_to", ())}
            if r.id not in group and (r.identifier in names or near & names
                                      or any(n in near for n in names)):
                group.add(r.id)
                names |= {r.identifier, *near}
                grown = True
    return [r for r in rows if r.id in group] or [s.get(GuardHold, row.id)]  # type: ignore[list-item]


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidData("a decision needs a reason", {"reason": ["required"]})
    return text


def allow(access: Access, hold_id: int, reason: str, kind: str = "STAFF") -> dict[str, Any]:
    """Allow-list a held phone (and its linked identifiers) with ``reason``: the entries
    carry their provenance (a batch naming the decision, the hold, the person)."""
    text, kind = _reason(reason), kind.strip().upper()
    if kind not in ALLOW_KINDS:
        raise InvalidData(f"kind must be one of {', '.join(ALLOW_KINDS)}",
                          {"kind": [f"not one of {', '.join(ALLOW_KINDS)}"]})
    row, target = _decide(access, hold_id, Action.APPROVE, "guard.allow")
    user, now = access.principal.username, utcnow()
    with access.transaction() as s:
        group = _group(s, row)
        record = {"hold": hold_id, "identifiers": [g.identifier for g in group], "kind": kind,
                  "reason": text, "by": user, "at": now.isoformat()}
        body = json.dumps(record, sort_keys=True).encode()
        batch = IngestBatch(kind="allow_list", file_name=f"guard decision: hold {hold_id}",
                            file_sha256=hashlib.sha256(body).hexdigest(), file_size=len(body),
                            file_format="decision", run_by=user, started_at=now,
                            finished_at=now, status="DONE", rows_read=len(group),
                            rows_accepted=len(group))
        s.add(batch)
        s.flush()
        for g in group:
            entry = AllowListEntry(
                identifier_type=g.identifier_type, identifier=g.identifier, reason=kind,
                description=f"{kind.lower()} phone allow-listed from the guard queue: {text}"[:500],
                valid_from=date.today(), batch_id=batch.id, source_line=None,
                extra={"source": "guard", "hold_id": g.id, "decided_by": user, "reason": text})
            s.add(entry)
            s.flush()
            g.status, g.decided_by, g.decided_at = "ALLOWED", user, now
            g.decision_reason, g.allow_entry_id = text, entry.id
        access.audit(s, "guard.allow", target, reason=text, detail=record)
        return view(s.get(GuardHold, hold_id))  # type: ignore[arg-type]


def release(access: Access, hold_id: int, reason: str) -> dict[str, Any]:
    """Release a held phone (and its linked identifiers) as contraband: back into the
    disconnection candidates and attribution."""
    text = _reason(reason)
    row, target = _decide(access, hold_id, Action.UPDATE, "guard.release")
    user, now = access.principal.username, utcnow()
    with access.transaction() as s:
        group = _group(s, row)
        for g in group:
            g.status, g.decided_by, g.decided_at, g.decision_reason = "RELEASED", user, now, text
        access.audit(s, "guard.release", target, reason=text,
                     detail={"hold": hold_id, "identifiers": [g.identifier for g in group]})
        return view(s.get(GuardHold, hold_id))  # type: ignore[arg-type]
