"""A statement: one claim about a prisoner, with what it rests on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cellwatch.statements.periods import Holding


@dataclass(frozen=True)
class Basis:
    """Why a statement is about this prisoner.

    ``holding``: the attribution (periods, top probability, status) it rests on; None when
    the record names the prisoner himself (``recorded``).
    """

    recorded: bool
    holding: Holding | None = None

    @property
    def probability(self) -> float | None:
        """The attribution's top probability; None for a record naming him (a fact)."""
        if self.holding is None:
            return None
        return 1.0 if self.holding.confirmed else self.holding.probability


@dataclass(frozen=True)
class Statement:
    """One claim: what it says, when, and exactly which evidence it counts.

    ``first``/``last``: the first and last evidence counted (UTC) when it is a count;
    ``count``: how many records the claim counts (detections, calls), else None.
    """

    when: date
    kind: str
    ref: str
    prison_number: str
    text: str
    strength: str
    basis: Basis
    count: int | None = None
    first: datetime | None = None
    last: datetime | None = None
    handling_code: str | None = None
    release_to: frozenset[str] = field(default_factory=frozenset)
    # Whose probability a reader weighs: an attribution's, or a resolution's (contact).
    probability_override: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def probability(self) -> float | None:
        """How likely the claim is true of the prisoner; None for a record naming him."""
        if self.probability_override is not None:
            return self.probability_override
        return self.basis.probability

    @property
    def borrowed(self) -> bool:
        """Whether it rests on an identifier the prisoner only borrowed or shared."""
        return self.basis.holding is not None and self.basis.holding.borrowed
