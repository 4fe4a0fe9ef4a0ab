"""The parole intelligence summary: a prisoner's chronology redacted for its audience.

Who may have one: the prison service within its scope, and the Parole Board's case
managers; police and operators may not (they get nothing of a prisoner's protected
persons). Redaction, whoever reads it: handling code C intelligence not released to the
reader's organisation is withheld (its existence and date are shown); items inferred
below the probability threshold are labelled UNCONFIRMED and worded as possibilities;
protected persons appear only as "a protected person" (no reference, number, account or
location, which :mod:`cellwatch.parole.evidence` never reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE, OrgKind, Role
from cellwatch.alerts.context import RuleContext
from cellwatch.errors import AccessDenied, NotFound
from cellwatch.parole.evidence import Entry, gather
from cellwatch.store import Prisoner


@dataclass(frozen=True)
class Item:
    """One line of the summary as shown."""

    when: date
    kind: str
    text: str
    strength: str
    confirmed: bool
    withheld: bool = False


@dataclass
class Summary:
    """A prisoner's parole intelligence summary, ready to render."""

    prison_number: str
    name: str
    establishment: str | None
    review_date: date | None
    generated: date
    threshold: float
    audience: str
    items: list[Item] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many items of each kind."""
        out: dict[str, int] = {}
        for item in self.items:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out


def _allowed(principal: Principal, establishment: str | None) -> bool:
    if principal.is_system:
        return True
    if principal.org_kind is OrgKind.PAROLE_BOARD:
        return Role.PAROLE_CASE_MANAGER in principal.roles
    return principal.org_kind in PRISON_SERVICE and principal.covers(establishment)


def redact(entry: Entry, principal: Principal, threshold: float) -> Item:
    """One entry as ``principal``'s audience may see it."""
    if entry.handling_code == "C" and (principal.org_code is None
                                       or principal.org_code not in entry.release_to):
        return Item(entry.when, entry.kind, "Intelligence item withheld: handling code C "
                    "(not released to this audience)", "withheld", confirmed=False,
                    withheld=True)
    if entry.probability is not None and entry.probability < threshold:
        return Item(entry.when, entry.kind, f"UNCONFIRMED: possibly {entry.text[0].lower()}"
                    f"{entry.text[1:]}", entry.strength, confirmed=False)
    return Item(entry.when, entry.kind, entry.text, entry.strength, confirmed=True)


def build_summary(ctx: RuleContext, principal: Principal, prison_number: str) -> Summary:
    """The summary of ``prison_number`` for ``principal``; raises AccessDenied or NotFound."""
    with ctx.store.session() as s:
        prisoner = s.scalars(select(Prisoner).where(
            Prisoner.prison_number == prison_number.upper())).first()
        if prisoner is None:
            raise NotFound(f"prisoner {prison_number} not found")
    if not _allowed(principal, prisoner.establishment):
        raise AccessDenied(f"{principal.username} may not read the parole summary of "
                           f"{prisoner.prison_number}")
    threshold = ctx.settings.parole_probability_threshold
    audience = "Parole Board" if principal.org_kind in (OrgKind.PAROLE_BOARD, None) \
        else (principal.org_code or "system")
    summary = Summary(prisoner.prison_number, f"{prisoner.surname.upper()}, {prisoner.forenames}",
                      prisoner.establishment, prisoner.next_parole_review_date, ctx.as_of,
                      threshold, audience)
    summary.items = [redact(e, principal, threshold) for e in gather(ctx, prisoner.prison_number)]
    return summary
