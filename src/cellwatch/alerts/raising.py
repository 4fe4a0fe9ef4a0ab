"""Raising alerts: one per rule and episode, updated in place as its evidence grows.

A detector describes what it found as an :class:`AlertDraft` whose ``key`` names the
episode (a prisoner and a run of evidence; a TRO line; a referral). :func:`upsert_alert`
inserts it the first time; afterwards it updates that alert: counts, last seen,
identifiers involved, the summary regenerated from the current attributions, and the
``as_of`` stamp of the run. A CLOSED alert is not reopened (nothing leaves CLOSED): new
evidence after it was closed raises a follow-on alert naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.alerts.models import Alert
from cellwatch.errors import InvalidData
from cellwatch.store import utcnow

# Priority from the rule's severity (1 most urgent); an unconfirmed alert is one lower.
PRIORITY = {"CRITICAL": 1, "HIGH": 2, "MEDIUM": 3, "LOW": 4}


def priority(severity: str, confirmed: bool = True) -> int:
    """1 (most urgent) to 4: the severity's, one lower when the evidence is unconfirmed."""
    base = PRIORITY.get(severity.upper(), 3)
    return base if confirmed else min(base + 1, 4)


@dataclass
class AlertDraft:
    """What a detector found for one episode, ready to raise or to update an alert with."""

    rule: str
    key: str
    summary: str
    prison_number: str | None = None
    person_ref: str | None = None
    identifier: str | None = None
    establishment: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    priority: int = 3
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    evidence_count: int | None = None
    as_of: date | None = None
    attribution_run: int | None = None


@dataclass(frozen=True)
class Raised:
    """The alert written and whether it is new (else updated, or unchanged)."""

    alert: Alert
    new: bool
    changed: bool


def _find(session: Session, rule: str, key: str) -> Alert | None:
    return session.scalars(select(Alert).where(Alert.rule == rule,
                                               Alert.dedupe_key == key[:300])).first()


def _check(draft: AlertDraft) -> None:
    if not draft.rule or not draft.key or not draft.summary:
        raise InvalidData("alert refused", {"alert": ["rule, key and summary are required"]})


def _insert(session: Session, draft: AlertDraft, key: str) -> Alert:
    now = utcnow()
    alert = Alert(rule=draft.rule, dedupe_key=key[:300], status="OPEN",
                  prison_number=draft.prison_number, person_ref=draft.person_ref,
                  identifier=draft.identifier, establishment=draft.establishment,
                  summary=draft.summary[:4000], details=draft.details or None,
                  created_ts=now, updated_ts=now, priority=draft.priority,
                  first_seen=draft.first_seen, last_seen=draft.last_seen,
                  evidence_count=draft.evidence_count, as_of=draft.as_of,
                  attribution_run=draft.attribution_run)
    session.add(alert)
    session.flush()
    return alert


def _newer(draft: AlertDraft, alert: Alert) -> bool:
    # New evidence: a later last sighting, or more of it.
    if draft.last_seen is not None and (alert.last_seen is None
                                        or draft.last_seen > alert.last_seen):
        return True
    return (draft.evidence_count or 0) > (alert.evidence_count or 0)


def upsert_alert(session: Session, draft: AlertDraft) -> Raised:
    """Raise ``draft`` as a new alert, or update the alert of its episode in place."""
    _check(draft)
    alert = _find(session, draft.rule, draft.key)
    if alert is None:
        return Raised(_insert(session, draft, draft.key), new=True, changed=True)
    if alert.status == "CLOSED":
        if not _newer(draft, alert):
            return Raised(alert, new=False, changed=False)
        seen = alert.last_seen.date().isoformat() if alert.last_seen else str(alert.id)
        key = f"{draft.key}|after {seen}"
        follow = _find(session, draft.rule, key)
        draft.details = {**draft.details, "follows": alert.id}
        if follow is None:
            return Raised(_insert(session, draft, key), new=True, changed=True)
        alert = follow
    history = (alert.details or {}).get("history", [])
    details = {**draft.details, **({"history": history} if history else {})}
    changed = (alert.summary != draft.summary[:4000] or alert.details != details
               or alert.last_seen != draft.last_seen
               or alert.evidence_count != draft.evidence_count
               or alert.priority != draft.priority)
    if changed:
        alert.summary, alert.details = draft.summary[:4000], details
        alert.prison_number = draft.prison_number or alert.prison_number
        alert.identifier = draft.identifier or alert.identifier
        alert.establishment = draft.establishment or alert.establishment
        alert.first_seen = min((t for t in (alert.first_seen, draft.first_seen) if t),
                               default=None)
        alert.last_seen, alert.evidence_count = draft.last_seen, draft.evidence_count
        alert.priority, alert.updated_ts = draft.priority, utcnow()
    alert.as_of, alert.attribution_run = draft.as_of, draft.attribution_run
    return Raised(alert, new=False, changed=changed)


def raise_alert(
    session: Session,
    rule: str,
    key: str,
    prison_number: str | None = None,
    person_ref: str | None = None,
    identifier: str | None = None,
    establishment: str | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    priority: int = 3,
) -> Alert | None:
    """Insert an OPEN alert unless ``(rule, key)`` was raised before; then return None.

    For facts that do not grow (an overdue referral). An episode whose evidence grows
    goes through :func:`upsert_alert`. The caller's transaction commits.
    """
    draft = AlertDraft(rule, key, summary, prison_number, person_ref, identifier,
                       establishment, details or {}, priority)
    _check(draft)
    if _find(session, rule, key) is not None:
        return None
    return _insert(session, draft, key)
