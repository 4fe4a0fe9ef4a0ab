"""How statements are worded: identifier nouns, dates and periods, hedging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

NOUNS = {"IMEI": "handset", "IMSI": "SIM", "ICCID": "SIM card", "MSISDN": "number",
         "ACCOUNT": "account"}


class Span(Protocol):
    """Anything with a first and last evidence day."""

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date: ...


def describe(identifier_type: str, identifier: str) -> str:
    """``handset (IMEI 356...)``, ``SIM (IMSI 234...)``, ``account x:handle``."""
    noun = NOUNS.get(identifier_type, identifier_type.lower())
    if identifier_type == "ACCOUNT":
        return f"account {identifier}"
    return f"{noun} ({identifier_type} {identifier})"


def day(d: date) -> str:
    """A date as written in statements (ISO: sortable and unambiguous)."""
    return d.isoformat()


def span(s: Span) -> str:
    """``on 2026-09-15`` or ``from 2026-09-15 to 2026-09-20``."""
    if s.valid_from == s.valid_to:
        return f"on {day(s.valid_from)}"
    return f"from {day(s.valid_from)} to {day(s.valid_to)}"


def spans(periods: Sequence[Span], limit: int = 4) -> str:
    """Periods as a list; beyond ``limit`` the rest are counted, not listed."""
    shown = [span(p) for p in periods[:limit]]
    more = len(periods) - len(shown)
    text = "; ".join(shown)
    return f"{text}; and {more} more period(s)" if more > 0 else text


def nights(n: int) -> str:
    """``1 night``, ``3 nights``."""
    return f"{n} night" if n == 1 else f"{n} nights"


def possibly(text: str) -> str:
    """Hedge a statement: ``possibly`` before it, its first word lower-cased only when it is
    an ordinary word (``SIM`` and ``IMEI`` keep their capitals)."""
    first, _, rest = text.partition(" ")
    if len(first) > 1 and first[1:].islower():
        first = first.lower()
    return f"possibly {first}{' ' if rest else ''}{rest}"
