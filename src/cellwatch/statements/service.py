"""Statements for one principal: the entry point exports call for what they may say.

:func:`export_claims` gives, per prisoner the principal may see, the claims an export
may state (:mod:`cellwatch.statements.shared`): attributions at or above the floor (or
confirmed), period by period, with the detections, call records, evidence items and
seizures dated inside each period. STIX, MISP, FollowTheMoney and the attributions CSV
map from it (:mod:`cellwatch.exchange.service.collect`,
:mod:`cellwatch.exchange.service.exports`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.lake.rule_context import RuleContext
from cellwatch.settings import Settings
from cellwatch.statements.shared import Claim, claims
from cellwatch.store.reference import Prisoner

_CHUNK = 2000


def floor_for(settings: Settings | None, requested: float | None = None) -> float:
    """The lowest attribution probability an export may state: the statement floor
    (``CELLWATCH_PAROLE_PROBABILITY_FLOOR``, 0.5), or a higher one asked for. A lower one
    asked for is raised to the floor: below it an attribution is a lead, not a statement.

    >>> floor_for(None, 0.1), floor_for(None, 0.9)
    (0.5, 0.9)
    """
    base = settings.parole_probability_floor if settings is not None else float(
        Settings.model_fields["parole_probability_floor"].default)
    return max(base, requested if requested is not None else 0.0)


def export_claims(access: Access, prison_numbers: Iterable[str] | None = None,
                  requested_floor: float | None = None,
                  identifiers: Iterable[str] | None = None) -> list[Claim]:
    """The claims an export by ``access.principal`` may state about ``prison_numbers``
    (or about the holders of ``identifiers``), only of prisoners it may see, at or above
    :func:`floor_for`. With settings (a lake), each period counts its detections and call
    records; without, the counts are None (not read), never a guess."""
    floor = floor_for(access.settings, requested_floor)
    with access.transaction() as s:
        access.check(Action.READ, Target(Resource.PRISONER), role_only=True)
        access.check(Action.READ, Target(Resource.IDENTIFIER), role_only=True)
    lake = RuleContext(access.settings, access.store, date.today()) \
        if access.settings is not None else None
    try:
        with access.transaction() as s:
            found = claims(s, prison_numbers, floor, lake, identifiers)
            if access.principal.is_system:
                return found
            numbers = sorted({c.prison_number for c in found})
            seen: set[str] = set()
            for i in range(0, len(numbers), _CHUNK):
                seen.update(s.scalars(select(Prisoner.prison_number).where(
                    visible_prisoners(access.principal),
                    Prisoner.prison_number.in_(numbers[i:i + _CHUNK]))))
            return [c for c in found if c.prison_number in seen]
    finally:
        if lake is not None:
            lake.close()
