"""What came of a referral: its receiver (a force, say) records an outcome.

A referral is access's (:mod:`cellwatch.cases.service`: parties, status, acknowledgement);
this adds what the receiver did with it, one :class:`ReferralOutcome` row per outcome so a
change (under investigation, then charged) keeps the earlier one. Only the receiving
organisation records, and only once it has acknowledged the referral; the sender sees the
outcomes but not who in the receiving organisation recorded them. Every record, read and
refusal is audited through :class:`~cellwatch.access.service.Access` (out of scope answers
as an unknown referral, 404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cellwatch.access.models import Referral
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access, not_found
from cellwatch.errors import IllegalTransition, InvalidData
from cellwatch.protect.models import ReferralOutcome

OUTCOMES = ("UNDER_INVESTIGATION", "CHARGED", "CAUTIONED", "NO_FURTHER_ACTION",
            "INTELLIGENCE_ONLY", "CONVICTED", "ACQUITTED", "OTHER")
# Said in words on the pages.
OUTCOME_LABELS = {"UNDER_INVESTIGATION": "Under investigation", "CHARGED": "Charged",
                  "CAUTIONED": "Cautioned", "NO_FURTHER_ACTION": "No further action",
                  "INTELLIGENCE_ONLY": "Intelligence only", "CONVICTED": "Convicted",
                  "ACQUITTED": "Acquitted", "OTHER": "Other (see note)"}
NOTE_MAX = 2000
LONDON = ZoneInfo("Europe/London")


def uk_today() -> date:
    """Today's date in the UK (an outcome dated after it is refused)."""
    return datetime.now(LONDON).date()


@dataclass(frozen=True)
class OutcomeView:
    """One outcome of a referral; ``recorded_by`` is None for the sender's copy."""

    id: int
    referral_id: int
    outcome: str
    outcome_date: date
    note: str | None
    recorded_by: str | None
    recorded_at: datetime


def _target(referral: Referral) -> Target:
    return Target(Resource.REFERRAL, str(referral.id), owner_org=referral.from_org,
                  recipient_org=referral.to_org)


def _find(access: Access, referral_id: int, action: Action) -> Target:
    access.require_role(action, Resource.REFERRAL, str(referral_id))
    with access.facts() as s:
        referral = s.get(Referral, referral_id)
        if referral is None:
            raise not_found(Resource.REFERRAL, referral_id)
        return _target(referral)


def _view(row: ReferralOutcome, receiver: bool) -> OutcomeView:
    return OutcomeView(row.id, row.referral_id, row.outcome, row.outcome_date, row.note,
                       row.recorded_by if receiver else None, row.recorded_at)


def _check(outcome: str, note: str | None, on: date, sent: date, today: date) -> str:
    code = outcome.strip().upper().replace(" ", "_")
    problems: dict[str, list[str]] = {}
    if code not in OUTCOMES:
        problems["outcome"] = [f"one of {', '.join(OUTCOMES)}"]
    if on > today:
        problems["outcome_date"] = [f"{on} is after today ({today})"]
    elif on < sent:
        problems["outcome_date"] = [f"{on} is before the referral was sent ({sent})"]
    if code == "OTHER" and not (note and note.strip()):
        problems["note"] = ["say what the outcome was"]
    if note is not None and len(note) > NOTE_MAX:
        problems["note"] = [f"at most {NOTE_MAX} characters"]
    if problems:
        raise InvalidData("outcome refused", problems)
    return code


def record_outcome(access: Access, referral_id: int, outcome: str,
                   outcome_date: date | None = None, note: str | None = None,
                   today: date | None = None) -> OutcomeView:
    """The receiving organisation records what came of a referral it has acknowledged.

    The sender may read the referral but not record (403); anyone else gets the unknown
    referral's answer (404). A SENT referral must be acknowledged first (409).
    """
    target = _find(access, referral_id, Action.ACKNOWLEDGE)
    today = today or uk_today()
    with access.transaction() as s:
        access.check(Action.ACKNOWLEDGE, target)
        referral = s.get(Referral, referral_id)
        assert referral is not None
        if referral.status == "SENT":
            raise IllegalTransition(f"referral {referral_id} is not acknowledged yet: "
                                    "acknowledge it before recording an outcome")
        on = outcome_date or today
        code = _check(outcome, note, on, referral.created_at.date(), today)
        row = ReferralOutcome(referral_id=referral_id, outcome=code, outcome_date=on,
                              note=(note or "").strip() or None,
                              recorded_by=access.principal.username)
        s.add(row)
        s.flush()
        access.audit(s, "outcome", target, detail={"outcome": code, "date": on.isoformat(),
                                                   "outcome_id": row.id})
        return _view(row, receiver=True)


def list_outcomes(access: Access, referral_id: int) -> list[OutcomeView]:
    """A referral's outcomes, newest first, for its sender or receiver (audited)."""
    target = _find(access, referral_id, Action.READ)
    with access.transaction() as s:
        access.check(Action.READ, target)
        rows = list(s.scalars(select(ReferralOutcome)
                              .where(ReferralOutcome.referral_id == referral_id)
                              .order_by(ReferralOutcome.id.desc())))
        access.audit(s, "read", target, detail={"outcomes": len(rows)})
        receiver = access.principal.is_system or access.principal.org_code == target.recipient_org
        return [_view(r, receiver) for r in rows]


def current_outcomes(access: Access, referrals: Sequence[Referral]) -> dict[int, OutcomeView]:
    """The newest outcome of each of ``referrals`` (already listed to the principal by the
    cases service, which decided and audited the list): for the queue and /work."""
    ids = [r.id for r in referrals]
    receivers = {r.id for r in referrals if access.principal.is_system
                 or r.to_org == access.principal.org_code}
    found: dict[int, OutcomeView] = {}
    if not ids:
        return found
    with access.transaction() as s:
        for row in s.scalars(select(ReferralOutcome)
                             .where(ReferralOutcome.referral_id.in_(ids))
                             .order_by(ReferralOutcome.id)):
            found[row.referral_id] = _view(row, row.referral_id in receivers)
    return found
