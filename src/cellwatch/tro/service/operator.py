"""The operators' own view of TRO orders: the lines served on their network, and their answers.

A mobile network operator's organisation names its network (``organisations.network``,
spelt as :attr:`~cellwatch.tro.models.TroLine.operator` spells a line's home network); its
``operator_liaison`` users see the lines addressed to that network on orders that have been
served on it (SERVED, ACKNOWLEDGED, DISCONNECTED, VERIFIED: never a draft, an application or
an order not yet served), and record what they did about each one.

They see only what actioning a line takes: the order's reference, the line, the identifier
and the action, the day of service, the compliance deadline, the status and their own
reference. Never the establishment, a prisoner, the evidence or anything else on the order.

* Role (data, :data:`cellwatch.access.roles.ROLE_PERMISSIONS`): ``operator_liaison`` reads
  and answers lines (``tro_line``: read, update); no other role does.
* Scope (:func:`cellwatch.access.policy.can`): a served line is released to the operator
  organisations of its network, so only a user of one of them may read or answer it; a
  liaison officer in a prison's own team holds the role but answers for no network. The
  list is narrowed to the principal's network in SQL; the local ``system`` sees every
  served line.

An answer is recorded exactly as a line of an ingested response file is
(:func:`cellwatch.tro.responses.clean_response` then
:func:`~cellwatch.tro.responses.apply_responses`), so the line's status, the order's moves
(ACKNOWLEDGED, DISCONNECTED), deadlines, escalation and verification behave the same.
Every decision is audited through :class:`~cellwatch.access.service.Access`; a line of
another network, or of an order not served, answers exactly as a missing one does
(:class:`~cellwatch.errors.NotFound`, the same message), its refusal audited all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from cellwatch.access.models import Organisation
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, OrgKind, Resource
from cellwatch.access.service import Access, Page
from cellwatch.errors import Concealed, Conflict, Denied, InvalidData, NotFound
from cellwatch.store import utcnow
from cellwatch.tro.calendar import working_days_between
from cellwatch.tro.models import TroApplication, TroLine
from cellwatch.tro.responses import ANSWERABLE, OUTCOMES, apply_responses, clean_response
from cellwatch.tro.service.orders import lake_settings

STATUSES = ("PENDING", *OUTCOMES)


@dataclass(frozen=True)
class OperatorLine:
    """One line as its operator sees it: what to action, by when, and how it stands."""

    order_ref: str
    line_id: int
    line_no: int  # as the order's batch file numbers it
    identifier_type: str
    identifier: str
    action: str
    served_date: date | None
    compliance_due: date | None
    status: str
    operator_ref: str | None
    actioned_ts: datetime | None
    # Working days past the deadline while still PENDING (0 otherwise), as overdue.py counts.
    working_days_late: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for the API."""
        return asdict(self)


def _missing(line_id: int) -> NotFound:
    return NotFound(f"no order line {line_id} served on your network")


# Only these columns are ever read: nothing else on the order can reach an operator.
# (Select is generative: each use adds its WHERE to a copy.)
_LINES = select(
    TroLine.id, TroLine.line_no, TroApplication.ref, TroApplication.state,
    TroApplication.served_date, TroLine.identifier_type, TroLine.identifier, TroLine.operator,
    TroLine.action, TroLine.status, TroLine.compliance_due, TroLine.operator_ref,
    TroLine.actioned_ts,
).join(TroApplication, TroApplication.id == TroLine.application_id)


def _line(row: Row[*tuple[Any, ...]], today: date) -> OperatorLine:
    late = (working_days_between(row.compliance_due, today)
            if row.status == "PENDING" and row.compliance_due is not None else 0)
    return OperatorLine(
        order_ref=row.ref, line_id=row.id, line_no=row.line_no, identifier_type=row.identifier_type,
        identifier=row.identifier, action=row.action, served_date=row.served_date,
        compliance_due=row.compliance_due, status=row.status, operator_ref=row.operator_ref,
        actioned_ts=row.actioned_ts, working_days_late=late)


def _network_of(access: Access) -> str | None:
    """The network of the principal's organisation (None: not an operator, or none recorded)."""
    if access.principal.org_code is None:
        return None
    with access.facts() as s:
        return s.scalar(select(Organisation.network).where(
            Organisation.code == access.principal.org_code,
            Organisation.kind == OrgKind.OPERATOR.value))


def _own_network(access: Access, network: str | None) -> Target:
    """The lines of the principal's own network, as one target: released to its organisation."""
    org = access.principal.org_code
    return Target(Resource.TRO_LINE, release_to=frozenset({org}) if network and org else
                  frozenset())


def _released_to(session: Session, operator: str | None, state: str) -> frozenset[str]:
    """The organisations a line is served on: the operators of its network, once served."""
    if operator is None or state not in ANSWERABLE:
        return frozenset()
    return frozenset(session.scalars(select(Organisation.code).where(
        Organisation.kind == OrgKind.OPERATOR.value, Organisation.network == operator)))


def _check(access: Access, action: Action, audit_action: str, target: Target,
           unknown: str | None = None) -> None:
    """:meth:`Access.check`, its denial re-raised under ``audit_action`` (and, given
    ``unknown``, the message of a missing record, concealed as one)."""
    try:
        access.check(action, target)
    except Denied as exc:
        if unknown is not None:
            raise Concealed(exc.message, audit_action, target, None, unknown) from exc
        raise Denied(exc.message, audit_action, target, None) from exc


def _status(status: str | None) -> str | None:
    if status is None:
        return None
    wanted = status.strip().upper()
    if wanted not in STATUSES:
        raise InvalidData("unknown status", {"status": [f"one of {', '.join(STATUSES)}"]})
    return wanted


def operator_lines(access: Access, status: str | None = None, page: Page = Page(),
                   as_of: date | None = None) -> list[OperatorLine]:
    """The served lines of the principal's network (``status`` only, if given), the
    earliest deadline first; late days are counted to ``as_of`` (default today)."""
    wanted = _status(status)
    network = _network_of(access)
    query = (_LINES.where(TroApplication.state.in_(ANSWERABLE))
             .order_by(TroLine.compliance_due.nulls_last(), TroLine.id)
             .limit(page.limit).offset(page.offset))
    if not access.principal.is_system:
        query = query.where(TroLine.operator == network)
    if wanted:
        query = query.where(TroLine.status == wanted)
    today = as_of or utcnow().date()
    with access.transaction() as s:
        # Before the read: a principal refused here (403) learns nothing of the lines.
        _check(access, Action.READ, "tro.operator.lines", _own_network(access, network))
        lines = [_line(row, today) for row in s.execute(query)]
        access.audit(s, "tro.operator.lines", Target(Resource.TRO_LINE), detail={
            "network": network, "status": wanted, "returned": [x.line_id for x in lines]})
    return lines


def _decide_line(access: Access, action: Action, audit_action: str, line_id: int,
                 detail: dict[str, Any]) -> OperatorLine:
    """Decide (and audit) ``action`` on one line: 403 for a principal who answers no line at
    all, NotFound for a line missing or not served on the principal's network."""
    network = _network_of(access)
    with access.transaction() as s:
        # The role and the principal's own network first: no probing without them.
        _check(access, action, audit_action, _own_network(access, network))
        row = s.execute(_LINES.where(TroLine.id == line_id)).first()
        if row is None:
            raise _missing(line_id)
        target = Target(Resource.TRO_LINE, str(line_id),
                        release_to=_released_to(s, row.operator, row.state))
        # Audited as denied by Access.transaction; answered as a missing line.
        _check(access, action, audit_action, target, _missing(line_id).message)
        access.audit(s, audit_action, target, detail=detail)
        return _line(row, utcnow().date())


def _problems(problems: Sequence[tuple[str | None, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, why in problems:
        found.setdefault(name or "line", []).append(why)
    return found


def record_response(access: Access, line_id: int, outcome: str, operator_ref: str | None = None,
                    note: str | None = None, actioned_ts: datetime | None = None,
                    ) -> OperatorLine:
    """Record the operator's answer to one line (``actioned_ts`` default now), as an
    ingested response; returns the line as it stands after."""
    line = _decide_line(access, Action.UPDATE, "tro.operator.response", line_id,
                        {"outcome": outcome, "operator_ref": operator_ref})
    when, today = actioned_ts or utcnow(), utcnow().date()
    # Nothing is done to a line before it is served (verification looks for the identifier
    # after this time). Checked on the day first: a year far out of range would overflow
    # on the way to UTC; the exact time is checked once parsed.
    if not (line.served_date or today) <= when.date() <= today + timedelta(days=1):
        raise InvalidData("response refused", {"actioned_ts": [
            "between the day the order was served and now"]})
    # The same validation as a row of a response file (outcome, timestamp, identifier).
    response, problems = clean_response({
        "order_ref": line.order_ref, "identifier": line.identifier, "outcome": outcome,
        "actioned_ts": when.isoformat(), "operator_ref": operator_ref, "notes": note})
    if response is None:
        raise InvalidData("response refused", _problems(problems))
    if response.actioned_ts > utcnow():
        raise InvalidData("response refused", {"actioned_ts": ["must not be in the future"]})
    result = apply_responses(access.store, lake_settings(access), access.principal.username,
                             [response])
    if result.rejected:
        raise Conflict(f"response refused: {'; '.join(why for _, why in result.rejected[0])}")
    if result.duplicates:
        raise Conflict(f"line {line_id} already has this answer at {when.isoformat()}")
    with access.transaction() as s:
        row = s.execute(_LINES.where(TroLine.id == line_id)).one()
        return _line(row, utcnow().date())
