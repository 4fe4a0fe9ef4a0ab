"""Search targeting through the policy: the one entry point the CLI and the API call.

A ranking names where occupants' phones are, so it needs prisoner read in the
establishment ranked (``None``, the whole estate, only for a principal covering it, as
evaluating usually is). An establishment is no secret: one outside the principal's scope
is refused (403, audited by :meth:`Access.transaction`), not hidden. An allowed ranking
or evaluation is audited with what was asked.
"""

from __future__ import annotations

from datetime import date

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.errors import ConfigError, Denied
from cellwatch.settings import Settings
from cellwatch.targeting.evaluate import Evaluation, evaluate_ranking
from cellwatch.targeting.rank import Level, Ranking, rank_locations

# The value types the shells present (re-exported: the shells import only this module).
__all__ = ["Evaluation", "Level", "Ranking", "check", "evaluate", "rank"]


def _settings(access: Access) -> Settings:
    if access.settings is None:
        raise ConfigError("targeting reads the lake: the Access needs settings")
    return access.settings


def _target(establishment: str | None) -> Target:
    return Target(Resource.PRISONER, establishment=establishment)


def check(access: Access, establishment: str | None, action: str = "rank",
          detail: dict[str, object] | None = None) -> None:
    """Decide ranking (or evaluating) cells to search in ``establishment`` and audit it:
    prisoner read there; ``None`` is the whole estate."""
    p, target = access.principal, _target(establishment)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        if establishment is None and p.establishments is not None:
            # The policy would say "no establishment is outside the scope": say what to do.
            raise Denied(f"{p.username} may not rank the whole estate: name one of your "
                         "establishments", Action.READ, target, None)
        access.check(Action.READ, target)
        access.audit(s, f"targeting_{action}", target,
                     detail={"establishment": establishment, **(detail or {})})


def rank(access: Access, establishment: str, day: date, level: Level = "CELL",
         top: int | None = None) -> Ranking:
    """Cells (or landings) of ``establishment`` in order of expected finds on ``day``."""
    code = establishment.strip().upper()
    check(access, code, "rank", {"day": day.isoformat(), "level": level, "top": top})
    return rank_locations(_settings(access), access.store, code, day, level, top)


def evaluate(access: Access, start: date, end: date, top: int = 10, every_days: int = 7,
             establishment: str | None = None) -> Evaluation:
    """The ranking's hit rate against random cells over ``start``..``end`` (inclusive)."""
    code = establishment.strip().upper() if establishment else None
    check(access, code, "evaluate", {"start": start.isoformat(), "end": end.isoformat(),
                                     "top": top, "every_days": every_days})
    return evaluate_ranking(_settings(access), access.store, start, end, top, every_days, code)
