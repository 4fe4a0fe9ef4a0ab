"""Statements about a person: evidence turned into claims that hold, written once.

Every summary, alert, page and export that says something about a prisoner builds it
here. The rules (docs/statements.md):

* An item about an identifier rests on an attribution of that identifier to that
  prisoner in the latest run (at or above the floor, or CONFIRMED by an analyst; a
  REJECTED verdict removes it at once) and names that attribution's periods and top
  probability.
* Evidence about an identifier (detections, a seizure, an order) counts only when it is
  dated inside one of those periods (by evidence day, 08:00 to 08:00 UK time, as the
  attribution itself); counts are counts of exactly that evidence.
* A record naming the prisoner himself (a seizure recorded as taken from him, a
  referral, intelligence on him) is a record, stated as recorded.
* A seizure is described as recorded: where, from whom, and how its identifier ties to
  this prisoner; never as a fact about him when the record names someone else.
* A prisoner who held an identifier only briefly while another held it for longer is
  said to have borrowed or shared it.

Exports (STIX, MISP, FollowTheMoney, a user's attributions CSV) state the same claims,
one per period with the evidence inside it: :mod:`cellwatch.statements.shared`, through
:func:`cellwatch.statements.service.export_claims`.
"""

from cellwatch.statements.gather import Evidence, about, collect
from cellwatch.statements.model import Basis, Statement
from cellwatch.statements.periods import (
    BORROW_MAX_NIGHTS,
    Holding,
    Period,
    evidence_day,
    holdings,
)
from cellwatch.statements.shared import Claim, Stretch, claims
from cellwatch.statements.wording import describe, possibly

__all__ = [
    "BORROW_MAX_NIGHTS",
    "Basis",
    "Claim",
    "Evidence",
    "Holding",
    "Period",
    "Statement",
    "Stretch",
    "about",
    "claims",
    "collect",
    "describe",
    "evidence_day",
    "holdings",
    "possibly",
]
