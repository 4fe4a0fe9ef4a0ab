"""Parole intelligence summaries through the policy: the one entry point the shells call.

Opening a summary opens the prisoner's record first
(:func:`cellwatch.estate.service.get_prisoner`): the policy decides, outside the reader's
own organisation a stated reason is required, and an unknown prisoner and one out of
scope answer alike (not found). The summary's own rule of audience (the prison service
within its scope, the Parole Board's case managers; :mod:`cellwatch.parole.summary`)
then applies; a refusal by it is audited as a denial, and a summary given is audited
with the run and audience it was written for.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.errors import AccessDenied, ConfigError, Denied
from cellwatch.estate.service import get_prisoner
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.summary import Summary, build_summary

# The value type the shells present (re-exported: the shells import only this module).
__all__ = ["Summary", "open_summary", "render_html", "render_pdf", "write_summary"]


def open_summary(access: Access, prison_number: str, as_of: date | None = None,
                 reason: str | None = None) -> Summary:
    """``prison_number``'s summary for the principal's audience, dated ``as_of`` (today).

    Raises :class:`~cellwatch.access.service.ReasonRequired` when a reason is needed and
    not given, :class:`~cellwatch.errors.NotFound` for an unknown or hidden prisoner and
    :class:`~cellwatch.access.service.Denied` for a reader the summary is not for.
    """
    if access.settings is None:
        raise ConfigError("a parole summary reads the lake: the Access needs settings")
    prisoner = get_prisoner(access, prison_number, reason=reason)
    target = Target(Resource.PRISONER, prisoner.prison_number,
                    establishment=prisoner.establishment)
    rules = RuleContext(access.settings, access.store, as_of or date.today())
    try:
        summary = build_summary(rules, access.principal, prisoner.prison_number)
    except AccessDenied as exc:
        with access.transaction():  # audits the denial
            raise Denied(exc.message, Action.READ, target, reason) from None
    finally:
        rules.close()
    with access.transaction() as s:
        access.audit(s, "parole_summary", target, reason=reason, detail={
            "audience": summary.audience, "as_of": summary.generated.isoformat(),
            "run": summary.run_id, "items": len(summary.items)})
    return summary


# Rendering loads Jinja2 (and WeasyPrint for a PDF): paid for only when a summary is shown.
def render_html(summary: Summary) -> str:
    """The summary as a standalone HTML page (what the web shows and the PDF prints)."""
    from cellwatch.parole import render

    return render.render_html(summary)


def render_pdf(summary: Summary) -> bytes:
    """The summary's HTML as a tagged A4 PDF (PDF/UA-1)."""
    from cellwatch.parole import render

    return render.render_pdf(summary)


def write_summary(summary: Summary, folder: Path) -> tuple[Path, Path]:
    """Write ``parole-<number>-<date>.html`` and ``.pdf`` into ``folder``."""
    from cellwatch.parole import render

    return render.write_summary(summary, folder)
