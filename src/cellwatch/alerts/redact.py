"""Alerts as a principal may see them: protected persons' contact details and intelligence
the principal may not open are taken out of the summary, the details and the identifier.

An alert is written once for everyone who will work it, so it may name a victim's number
(a call to it) or an intelligence item under a C code. A victim's number is shown only to
whom the one rule of protected persons lets read the person
(:func:`cellwatch.access.policy.may_read_protected`: its owning organisation's victim
liaison or prison team); an intelligence reference stays only for a
principal the policy lets open the item (the owner, an organisation its C code names, a P
code in scope). What is taken out is replaced by a placeholder, so the alert still reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.models import IntelligenceReport
from cellwatch.access.policy import reads_protected_persons
from cellwatch.access.scopes import visible_intelligence, visible_protected_persons
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson

PROTECTED = "[protected contact]"
RESTRICTED = "[restricted intelligence]"
_COLUMNS = tuple(c.key for c in Alert.__table__.columns)
_SCRUBBED = ("summary", "details", "identifier")


_TOKEN = re.compile(r"[\w+@.:-]+")


def _tokens(value: Any) -> set[str]:
    if isinstance(value, str):
        found = set(_TOKEN.findall(value))
        # A trailing full stop or colon belongs to the sentence, not the identifier.
        return found | {t.rstrip(".:") for t in found}
    if isinstance(value, list):
        return set().union(*(_tokens(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_tokens(v) for v in value.values())) if value else set()
    return set()


def _hidden_texts(session: Session, access: Access, tokens: set[str]) -> dict[str, str]:
    """The texts among ``tokens`` to take out for this principal, with their placeholders."""
    principal = access.principal
    if principal.is_system or not tokens:
        return {}
    words = sorted(tokens)
    hidden: dict[str, str] = {}
    protected = set(session.scalars(select(ProtectedIdentifier.identifier).distinct()
                                    .where(ProtectedIdentifier.identifier.in_(words))))
    if protected and reads_protected_persons(principal):
        # The one rule of protected persons: only those the principal's organisation owns.
        protected -= set(session.scalars(
            select(ProtectedIdentifier.identifier).join(
                ProtectedPerson, ProtectedPerson.person_ref == ProtectedIdentifier.person_ref)
            .where(ProtectedIdentifier.identifier.in_(sorted(protected)),
                   visible_protected_persons(principal, ProtectedPerson.owner_org))))
    hidden.update({value: PROTECTED for value in protected})
    named = set(session.scalars(select(IntelligenceReport.report_ref)
                                .where(IntelligenceReport.report_ref.in_(words))))
    if named:
        visible = set(session.scalars(select(IntelligenceReport.report_ref).where(
            IntelligenceReport.report_ref.in_(sorted(named)),
            visible_intelligence(principal))))
        hidden.update({ref: RESTRICTED for ref in named - visible})
    return hidden


def _pattern(hidden: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first, whole tokens only: "IR-1" must not eat into "IR-10".
    texts = sorted(hidden, key=len, reverse=True)
    if not texts:
        return None
    joined = "|".join(re.escape(t) for t in texts)
    return re.compile(rf"(?<![\w-])(?:{joined})(?![\w-])")


def _scrub(value: Any, pattern: re.Pattern[str], hidden: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: hidden[m.group(0)], value)
    if isinstance(value, list):
        return [_scrub(v, pattern, hidden) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, hidden) for k, v in value.items()}
    return value


def redact(access: Access, alerts: Sequence[Alert]) -> list[Alert]:
    """Copies of ``alerts`` (never attached to a session) with what the principal may not
    see replaced by placeholders; the stored alerts are untouched."""
    if not alerts:
        return []
    tokens: set[str] = set()
    for alert in alerts:
        for column in _SCRUBBED:
            tokens |= _tokens(getattr(alert, column))
    with access.store.session() as s:
        hidden = _hidden_texts(s, access, tokens)
    pattern = _pattern(hidden)
    if pattern is None:
        return list(alerts)
    out = []
    for alert in alerts:
        values = {c: getattr(alert, c) for c in _COLUMNS}
        for column in _SCRUBBED:
            values[column] = _scrub(values[column], pattern, hidden)
        out.append(Alert(**values))
    return out
