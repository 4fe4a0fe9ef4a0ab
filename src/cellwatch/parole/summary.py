"""The parole intelligence summary: a prisoner's chronology redacted for its audience.

Who may have one: the prison service within its scope, and the Parole Board's case
managers; police and operators may not (they get nothing of a prisoner's protected
persons). Redaction, whoever reads it: handling code C intelligence not released to the
reader's organisation is withheld (its existence and date are shown); items inferred
below the probability threshold are labelled UNCONFIRMED and worded as possibilities;
protected persons appear only as "a protected person" (no reference, number, account or
location, which :mod:`cellwatch.statements` never reads). The Parole Board's copy also
leaves out handling codes and intelligence gradings (which describe sources), and says so.

A summary is reproducible: the same store and lake give the same text. It is dated with
the run date it was asked for (not the clock) and carries the attribution run and the
data cut-off (the newest ingest) it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from cellwatch.access.principal import Principal
from cellwatch.access.roles import PRISON_SERVICE, OrgKind, Role
from cellwatch.attribution.models import AttributionRun
from cellwatch.errors import AccessDenied, NotFound
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.evidence import gather
from cellwatch.statements import Statement, possibly
from cellwatch.statements.periods import latest_run
from cellwatch.store import IngestBatch, Prisoner

PAROLE_BOARD = "Parole Board"
LEFT_OUT = ("Handling codes and intelligence gradings (which describe sources) are left "
            "out of this copy.")


@dataclass(frozen=True)
class Item:
    """One line of the summary as shown."""

    when: date
    kind: str
    text: str
    strength: str
    confirmed: bool
    withheld: bool = False
    borrowed: bool = False


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
    floor: float = 0.5
    run_id: int | None = None
    run_finished: datetime | None = None
    data_cutoff: datetime | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def parole_board(self) -> bool:
        """The Parole Board's copy (handling codes and gradings left out)."""
        return self.audience == PAROLE_BOARD

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


def redact(entry: Statement, principal: Principal, threshold: float,
           parole_board: bool = False) -> Item:
    """One statement as ``principal``'s audience may see it."""
    if entry.handling_code == "C" and (principal.org_code is None
                                       or principal.org_code not in entry.release_to):
        return Item(entry.when, entry.kind, "Intelligence item withheld: handling code C "
                    "(not released to this audience)" if not parole_board else
                    "Intelligence item withheld (not released to this audience)",
                    "withheld", confirmed=False, withheld=True)
    strength = entry.strength
    if parole_board and entry.kind == "INTELLIGENCE":
        strength = "graded intelligence (grading left out of this copy)"
    p = entry.probability
    if p is not None and p < threshold:
        return Item(entry.when, entry.kind, f"UNCONFIRMED: {possibly(entry.text)}", strength,
                    confirmed=False, borrowed=entry.borrowed)
    return Item(entry.when, entry.kind, entry.text, strength, confirmed=True,
                borrowed=entry.borrowed)


def build_summary(ctx: RuleContext, principal: Principal, prison_number: str) -> Summary:
    """The summary of ``prison_number`` for ``principal``; raises AccessDenied or NotFound."""
    with ctx.store.session() as s:
        prisoner = s.scalars(select(Prisoner).where(
            Prisoner.prison_number == prison_number.upper())).first()
        if prisoner is None:
            raise NotFound(f"prisoner {prison_number} not found")
        run_id = latest_run(s)
        run = s.get(AttributionRun, run_id) if run_id is not None else None
        cutoff = s.scalar(select(func.max(IngestBatch.finished_at)))
    if not _allowed(principal, prisoner.establishment):
        raise AccessDenied(f"{principal.username} may not read the parole summary of "
                           f"{prisoner.prison_number}")
    threshold = ctx.settings.parole_probability_threshold
    audience = PAROLE_BOARD if principal.org_kind in (OrgKind.PAROLE_BOARD, None) \
        else (principal.org_code or "system")
    # The name exactly as recorded (no case folding: "Wiśniewski, Łukasz Şerban").
    summary = Summary(prisoner.prison_number, f"{prisoner.surname}, {prisoner.forenames}",
                      prisoner.establishment, prisoner.next_parole_review_date, ctx.as_of,
                      threshold, audience, ctx.settings.parole_probability_floor, run_id,
                      run.finished_at if run else None, cutoff)
    summary.items = [redact(e, principal, threshold, summary.parole_board)
                     for e in gather(ctx, prisoner.prison_number)]
    return summary
