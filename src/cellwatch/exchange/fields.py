"""Which prisoner fields each kind of organisation receives in an exchange export.

Policy as data: the prison service (national, regional, establishment teams) gets the
whole identifying record including sentence dates; partners outside it (police, Parole
Board) get what they need to identify the person, not sentence management dates. A
subject of an intelligence item whose record the principal may not otherwise see is
exported by prison number only (the item itself already names it).
"""

from __future__ import annotations

from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE

IDENTIFYING = frozenset({"prison_number", "surname", "forenames", "date_of_birth",
                         "establishment"})
SENTENCE = frozenset({"reception_date", "release_date"})
SUBJECT_ONLY = frozenset({"prison_number"})


def visible_fields(principal: Principal) -> frozenset[str]:
    """The prisoner fields ``principal`` may receive.

    >>> from cellwatch.access.principal import SYSTEM
    >>> sorted(visible_fields(SYSTEM))[:2]
    ['date_of_birth', 'establishment']
    """
    if principal.is_system or principal.org_kind in PRISON_SERVICE:
        return IDENTIFYING | SENTENCE
    return IDENTIFYING
