"""The operators' compliance deadline: which lines are overdue, and escalation.

A line is overdue when its order has been served, the operator has not answered,
and its compliance date (served date + N working days) has passed. Escalation calls a
hook per newly overdue line; the default hook raises one alert per line (in the shared
alerts, rule TRO_COMPLIANCE_OVERDUE).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.alerts.raising import priority, raise_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.store import Store, utcnow
from cellwatch.tro.calendar import working_days_between
from cellwatch.tro.models import TroApplication, TroLine

_AWAITING = ("SERVED", "ACKNOWLEDGED")
COMPLIANCE_OVERDUE = "TRO_COMPLIANCE_OVERDUE"


@dataclass(frozen=True)
class OverdueLine:
    """A line whose operator has missed the compliance date."""

    order_ref: str
    establishment: str
    line_id: int
    line_no: int
    identifier_type: str
    identifier: str
    operator: str | None
    compliance_due: date
    working_days_late: int


EscalationHook = Callable[[Session, OverdueLine], None]


def overdue_lines(store: Store, as_of: date | None = None) -> list[OverdueLine]:
    """Lines of served orders still PENDING after their compliance date, most overdue first."""
    today = as_of or utcnow().date()
    with store.session() as s:
        rows = s.execute(
            select(TroApplication.ref, TroApplication.establishment, TroLine)
            .join(TroLine, TroLine.application_id == TroApplication.id)
            .where(TroApplication.state.in_(_AWAITING), TroLine.status == "PENDING",
                   TroLine.compliance_due < today)
            .order_by(TroLine.compliance_due, TroApplication.ref, TroLine.line_no)
        ).all()
        return [
            OverdueLine(ref, est, line.id, line.line_no, line.identifier_type, line.identifier,
                        line.operator, line.compliance_due,
                        working_days_between(line.compliance_due, today))
            for ref, est, line in rows if line.compliance_due is not None
        ]


def alert_hook(session: Session, line: OverdueLine) -> None:
    """Default escalation: one TRO_COMPLIANCE_OVERDUE alert per line."""
    raise_alert(
        session, COMPLIANCE_OVERDUE, f"{COMPLIANCE_OVERDUE}:{line.line_id}",
        summary=(f"{line.operator or 'operator unknown'} has not actioned {line.identifier_type} "
                 f"{line.identifier} on {line.order_ref}: due {line.compliance_due.isoformat()}, "
                 f"{line.working_days_late} working day(s) late"),
        identifier=line.identifier, establishment=line.establishment,
        details={"order_ref": line.order_ref, "operator": line.operator,
                 "line_id": line.line_id, "identifier_type": line.identifier_type},
        priority=priority(load_rules()[COMPLIANCE_OVERDUE].severity))


def escalate_overdue(
    store: Store, as_of: date | None = None, hook: EscalationHook = alert_hook,
    within: Collection[str] | None = None,
) -> list[OverdueLine]:
    """Call ``hook`` once for each overdue line not escalated before; returns those lines.

    ``within`` keeps the lines of those establishments only (None: every establishment).
    """
    escalated = []
    with store.session() as s:
        for item in overdue_lines(store, as_of):
            if within is not None and item.establishment not in within:
                continue
            line = s.get(TroLine, item.line_id)
            if line is None or line.escalated_at is not None:
                continue
            hook(s, item)
            line.escalated_at = utcnow()
            escalated.append(item)
    return escalated
