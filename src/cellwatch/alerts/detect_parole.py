"""PAROLE_REVIEW_NEW_EVIDENCE: new evidence on a prisoner whose parole review is near.

For every prisoner whose next review falls within ``parole_window_weeks`` of the run
date, each item of the chronology (:func:`cellwatch.parole.evidence.gather`) raises one
alert (``key = prisoner|item``), so an item alerts once however often the rule runs. When
a prisoner gets new items, the summary (HTML and PDF) is written again to the reports
folder: the automatic summary N weeks before a review. Summaries name only the kind and
date of C-coded intelligence, never its text.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cellwatch.access.principal import SYSTEM
from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.lifecycle import raise_alert
from cellwatch.alerts.models import Alert
from cellwatch.store import Prisoner

RULE = "PAROLE_REVIEW_NEW_EVIDENCE"


def parole_review_new_evidence(ctx: RuleContext) -> list[Alert]:
    """One alert per new item on each prisoner within the parole window."""
    from cellwatch.parole.evidence import count_detections_ahead, gather
    from cellwatch.parole.render import write_summary
    from cellwatch.parole.summary import build_summary

    until = ctx.as_of + timedelta(weeks=ctx.settings.parole_window_weeks)
    with ctx.store.session() as s:
        due = s.execute(select(Prisoner.prison_number, Prisoner.establishment,
                               Prisoner.next_parole_review_date)
                        .where(Prisoner.next_parole_review_date >= ctx.as_of,
                               Prisoner.next_parole_review_date <= until)
                        .order_by(Prisoner.prison_number)).all()
    raised: list[Alert] = []
    count_detections_ahead(ctx, [pn for pn, _est, _review in due])
    for pn, est, review in due:
        entries = gather(ctx, pn)
        fresh = []
        with ctx.store.session() as s:
            for e in entries:
                text = e.kind.replace("_", " ").lower() if e.handling_code == "C" else e.text
                alert = raise_alert(
                    s, RULE, f"{pn}|{e.ref}", prison_number=pn, establishment=est,
                    identifier=e.ref.split(":", 2)[-1] if e.kind == "ATTRIBUTION" else None,
                    summary=(f"New evidence on {pn} (parole review {review}): {e.when} "
                             f"{text} [{e.strength}]")[:2000],
                    details={"item": e.ref, "kind": e.kind, "review": str(review)})
                if alert is not None:
                    fresh.append(alert)
        if fresh:
            write_summary(build_summary(ctx, SYSTEM, pn), ctx.settings.reports_dir)
        raised += fresh
    return raised
