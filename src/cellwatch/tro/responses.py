"""Operator responses to order lines: validated, recorded, and reflected in the order.

One response says what the operator did with one identifier of one order: DONE,
NOT_FOUND, ALREADY_DISCONNECTED or DISPUTED (by the account holder). Responses are
kept whole in ``tro_responses``; the line takes the newest one's outcome. An order
that was SERVED becomes ACKNOWLEDGED with its first response, and DISCONNECTED when
every line is done or already disconnected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cellwatch.errors import InvalidData, InvalidIdentifier
from cellwatch.identifiers import classify
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.timestamps import parse_timestamp
from cellwatch.tro.models import TroApplication, TroLine, TroResponse
from cellwatch.tro.orders import transition

OUTCOMES = ("DONE", "NOT_FOUND", "ALREADY_DISCONNECTED", "DISPUTED")
COLUMNS = ("order_ref", "identifier", "outcome", "actioned_ts", "operator_ref", "notes")
REQUIRED = ("order_ref", "identifier", "outcome", "actioned_ts")
DISCONNECTED_OUTCOMES = frozenset({"DONE", "ALREADY_DISCONNECTED"})
# Orders that can be answered: served on the operator (again, after a variation). Public:
# the operators' own view (cellwatch.tro.service.operator) shows the lines of these orders only.
ANSWERABLE = ("SERVED", "ACKNOWLEDGED", "DISCONNECTED", "VERIFIED")


@dataclass(frozen=True)
class OperatorResponse:
    """One clean response row."""

    order_ref: str
    identifier: str
    outcome: str
    actioned_ts: datetime
    operator_ref: str | None = None
    notes: str | None = None


@dataclass
class ApplyResult:
    """What applying responses did: stored, duplicates, rejected (index -> reasons), moves."""

    stored: int = 0
    duplicates: int = 0
    rejected: dict[int, list[tuple[str | None, str]]] = field(default_factory=dict)
    transitions: list[str] = field(default_factory=list)


Problems = list[tuple[str | None, str]]


def clean_response(raw: Mapping[str, Any]) -> tuple[OperatorResponse | None, Problems]:
    """The clean response, or None and every (field, reason) wrong with the row."""
    values = {k: (str(v).strip() if v is not None else "") for k, v in raw.items()}
    problems: Problems = [
        (name, "required") for name in REQUIRED if not values.get(name)
    ]
    outcome = values.get("outcome", "").upper()
    if outcome and outcome not in OUTCOMES:
        problems.append(("outcome", f"must be one of {', '.join(OUTCOMES)}"))
    identifier = values.get("identifier", "")
    if identifier:
        try:
            identifier = classify(identifier).value
        except InvalidIdentifier as exc:
            problems.append(("identifier", exc.message))
    actioned: datetime | None = None
    if values.get("actioned_ts"):
        try:
            actioned, _ambiguous = parse_timestamp(values["actioned_ts"])
        except InvalidData as exc:
            problems.append(("actioned_ts", exc.message))
    if problems or actioned is None:
        return None, problems
    return OperatorResponse(
        order_ref=values["order_ref"], identifier=identifier, outcome=outcome,
        actioned_ts=actioned, operator_ref=values.get("operator_ref") or None,
        notes=values.get("notes") or None,
    ), []


def apply_responses(
    store: Store, settings: Settings, actor: str, responses: Sequence[OperatorResponse],
    batch_id: int | None = None, lines: Sequence[int] | None = None,
) -> ApplyResult:
    """Record ``responses`` (index i came from source line ``lines[i]`` when given).

    A response for an unknown order or identifier, or for an order not yet served, is
    rejected with its reason; a repeated one is counted as a duplicate.
    """
    result = ApplyResult()
    touched: set[str] = set()
    with store.session() as s:
        for i, r in enumerate(responses):
            found = s.execute(
                select(TroLine, TroApplication.state)
                .join(TroApplication, TroApplication.id == TroLine.application_id)
                .where(TroApplication.ref == r.order_ref, TroLine.identifier == r.identifier)
            ).first()
            if found is None:
                result.rejected[i] = [(None, f"{r.identifier} is not on order {r.order_ref}")]
                continue
            line, state = found
            if state not in ANSWERABLE:
                result.rejected[i] = [("order_ref", f"order {r.order_ref} is {state}, not served")]
                continue
            seen = s.scalars(select(TroResponse.id).where(
                TroResponse.line_id == line.id, TroResponse.outcome == r.outcome,
                TroResponse.actioned_ts == r.actioned_ts)).first()
            if seen is not None:
                result.duplicates += 1
                continue
            s.add(TroResponse(line_id=line.id, outcome=r.outcome, actioned_ts=r.actioned_ts,
                              operator_ref=r.operator_ref, notes=r.notes, batch_id=batch_id,
                              source_line=lines[i] if lines else None))
            s.flush()
            # The newest response decides the line (an operator may correct itself).
            if line.actioned_ts is None or r.actioned_ts >= line.actioned_ts:
                line.status, line.actioned_ts = r.outcome, r.actioned_ts
                line.operator_ref = r.operator_ref or line.operator_ref
            result.stored += 1
            touched.add(r.order_ref)
    for ref in sorted(touched):
        result.transitions.extend(advance_order(store, settings, actor, ref))
    return result


def advance_order(store: Store, settings: Settings, actor: str, ref: str) -> list[str]:
    """Move an order on as its lines' outcomes allow; returns the moves made."""
    moves: list[str] = []
    with store.session() as s:
        app = s.scalars(select(TroApplication).where(TroApplication.ref == ref)).one()
        statuses = list(s.scalars(select(TroLine.status).where(TroLine.application_id == app.id)))
        state = app.state
    if state == "SERVED" and any(st != "PENDING" for st in statuses):
        transition(store, settings, actor, ref, "ACKNOWLEDGED", "operator response received")
        moves.append(f"{ref}: SERVED -> ACKNOWLEDGED")
        state = "ACKNOWLEDGED"
    if state == "ACKNOWLEDGED" and statuses and all(st in DISCONNECTED_OUTCOMES for st in statuses):
        transition(store, settings, actor, ref, "DISCONNECTED",
                   "every line disconnected or blocked by its operator")
        moves.append(f"{ref}: ACKNOWLEDGED -> DISCONNECTED")
    return moves
