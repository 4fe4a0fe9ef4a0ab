"""REFERRAL_ACKNOWLEDGEMENT_OVERDUE: a crime-in-prison referral still SENT after its due
date is escalated once (``key = referral:<id>``) and marked escalated.
"""

from __future__ import annotations

from sqlalchemy import select

from cellwatch.access.models import Referral
from cellwatch.alerts.raising import Raised, priority, raise_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.lake.rule_context import RuleContext
from cellwatch.protect.models import CrimeReferral
from cellwatch.store import utcnow

RULE = "REFERRAL_ACKNOWLEDGEMENT_OVERDUE"


def referral_overdue(ctx: RuleContext) -> list[Raised]:
    """Escalate every unacknowledged referral past its due date."""
    raised: list[Raised] = []
    severity = load_rules()[RULE].severity
    with ctx.store.session() as s:
        rows = s.execute(select(Referral, CrimeReferral)
                         .join(CrimeReferral, CrimeReferral.referral_id == Referral.id)
                         .where(Referral.status == "SENT", CrimeReferral.due_by < ctx.as_of)
                         .order_by(Referral.id)).all()
        for referral, crime in rows:
            alert = raise_alert(
                s, RULE, f"referral:{referral.id}", prison_number=referral.prison_number,
                establishment=crime.establishment,
                summary=(f"Referral {referral.id} from {referral.from_org} to "
                         f"{referral.to_org} ({crime.offence}, crime ref "
                         f"{referral.crime_reference}) not acknowledged; due "
                         f"{crime.due_by.isoformat()}"),
                details={"referral_id": referral.id, "to_org": referral.to_org},
                priority=priority(severity))
            if alert is not None:
                crime.escalated_at = utcnow()
                raised.append(Raised(alert, new=True, changed=True))
    return raised
