"""PAROLE_REVIEW_NEW_EVIDENCE: new evidence on a prisoner whose parole review is near.

For every prisoner whose next review falls within ``parole_window_weeks`` of the run
date, the chronology (:mod:`cellwatch.statements`, as the summary shows it) makes one
alert per prisoner and review (``key = prisoner|review``), listing its items and updated
in place when new ones arrive. When a prisoner gets new items, the summary (HTML and
PDF) is written again to the reports folder: the automatic summary N weeks before a
review. Alerts name only the kind and date of C-coded intelligence, never its text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from cellwatch.access.principal import SYSTEM
from cellwatch.alerts.models import Alert
from cellwatch.alerts.raising import AlertDraft, Raised, priority, upsert_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.lake.rule_context import RuleContext
from cellwatch.statements import Statement
from cellwatch.store import Prisoner

RULE = "PAROLE_REVIEW_NEW_EVIDENCE"


def _line(e: Statement) -> str:
    text = e.kind.replace("_", " ").lower() if e.handling_code == "C" else e.text
    return f"{e.when} {text} [{e.strength}]"


def parole_review_new_evidence(ctx: RuleContext) -> list[Raised]:
    """One alert per prisoner within the parole window and review, kept up to date."""
    from cellwatch.parole.evidence import collect_for, gather
    from cellwatch.parole.render import write_summary
    from cellwatch.parole.summary import build_summary

    until = ctx.as_of + timedelta(weeks=ctx.settings.parole_window_weeks)
    with ctx.store.session() as s:
        due = s.execute(select(Prisoner.prison_number, Prisoner.establishment,
                               Prisoner.next_parole_review_date)
                        .where(Prisoner.next_parole_review_date >= ctx.as_of,
                               Prisoner.next_parole_review_date <= until)
                        .order_by(Prisoner.prison_number)).all()
    evidence = collect_for(ctx, [pn for pn, _est, _review in due])
    severity = load_rules()[RULE].severity
    out: list[Raised] = []
    for pn, est, review in due:
        entries = gather(ctx, pn, evidence)
        if not entries:
            continue
        refs = [e.ref for e in entries]
        key = f"{pn}|review {review}"
        with ctx.store.session() as s:
            before = s.scalars(select(Alert.details).where(
                Alert.rule == RULE, Alert.dedupe_key == key)).first() or {}
            fresh = [e for e in entries if e.ref not in set(before.get("items", []))]
            newest = sorted(entries, key=lambda e: (e.when, e.ref))
            run = next((e.basis.holding.run_id for e in entries if e.basis.holding), None)
            summary = (f"{len(entries)} item(s) of evidence on {pn} (parole review {review}). "
                       "Newest: " + "; ".join(_line(e) for e in newest[-3:])
                       + f". As of {ctx.as_of} (attribution run {run}).")
            last = max(e.when for e in entries)
            raised = upsert_alert(s, AlertDraft(
                RULE, key, summary[:2000], prison_number=pn, establishment=est,
                details={"items": refs, "review": str(review)},
                priority=priority(severity), evidence_count=len(entries),
                first_seen=datetime.combine(min(e.when for e in entries), time(), UTC),
                last_seen=datetime.combine(last, time(), UTC), as_of=ctx.as_of,
                attribution_run=run))
        if fresh:
            write_summary(build_summary(ctx, SYSTEM, pn), ctx.settings.reports_dir)
        out.append(raised)
    return out
