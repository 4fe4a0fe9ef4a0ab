"""A prisoner's evidence for his parole summary: the statements of
:mod:`cellwatch.statements`, which scopes every item to what supports it.

Sources: attributed devices and accounts (latest run, verdicts applied), their detections
inside the periods he held them (counted in the lake), seizures, disconnection orders,
resolved reports of contact, crime-in-prison referrals and graded intelligence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cellwatch.lake.rule_context import RuleContext
from cellwatch.statements import Evidence, Statement, about, collect

# The chronology's items are statements; the name stays for readers of the summary code.
Entry = Statement


def collect_for(ctx: RuleContext, prison_numbers: Iterable[str]) -> Evidence:
    """Holdings and detections of many prisoners in one scan of the lake."""
    with ctx.store.session() as s:
        return collect(s, ctx, prison_numbers, ctx.settings.parole_probability_floor)


def gather(ctx: RuleContext, prison_number: str,
           evidence: Evidence | None = None) -> list[Statement]:
    """Every item of evidence on ``prison_number``, oldest first (``evidence`` collected
    ahead for many prisoners, else read now)."""
    ev = evidence if evidence is not None else collect_for(ctx, [prison_number])
    with ctx.store.session() as s:
        return about(s, ev, prison_number, ctx.settings.parole_probability_threshold)


def as_dicts(entries: list[Statement]) -> list[dict[str, Any]]:
    """Entries as plain dicts (for templates and JSON)."""
    return [{"when": e.when, "kind": e.kind, "ref": e.ref, "text": e.text,
             "strength": e.strength, "probability": e.probability,
             "handling_code": e.handling_code, "release_to": sorted(e.release_to),
             "count": e.count, "borrowed": e.borrowed} for e in entries]
