"""The operator's page: the order lines served on the user's network, and per pending line
a form to record what was done with it.

Read and answered through :mod:`cellwatch.tro.service.operator`, which decides (an operator's
liaison users, the served lines of their own network only) and audits; an answer is
recorded as an ingested response file's row would be. The web only renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access.service import Access
from cellwatch.access.service import Page as Paging
from cellwatch.errors import CellwatchError
from cellwatch.tro.service import operator as tro_operator
from cellwatch.web.context import Page, PageContext, WebRoute

router = APIRouter(route_class=WebRoute)

# The answers an operator gives, as the radios put them (values as a response file's).
OUTCOMES = (
    ("DONE", "Done: disconnected or blocked"),
    ("ALREADY_DISCONNECTED", "Already disconnected"),
    ("NOT_FOUND", "Not found on our network"),
    ("DISPUTED", "Disputed by the account holder"),
)


def _access(ctx: PageContext) -> Access:
    return Access(ctx.store, ctx.user, ctx.web.settings)


def _render(ctx: PageContext, status: int = 200, **values: object) -> Response:
    lines = tro_operator.operator_lines(_access(ctx), page=Paging(limit=500))
    return ctx.render("operator.html", status=status, title="Orders served on your network",
                      section="operator", lines=lines, outcomes=OUTCOMES, **values)


@router.get("/operator")
def operator_page(ctx: Page) -> Response:
    """The lines served on the user's network: to action first, then those answered."""
    return _render(ctx)


@router.post("/operator/lines/{line_id}")
async def record_answer(ctx: Page,
                        line_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    """Record the operator's answer to one line (the service layer decides and audits)."""
    fields = await ctx.form()
    outcome = fields.get("outcome", "")
    message, status = "Choose what was done with the line", 422
    if outcome:
        try:
            line = await run_in_threadpool(
                tro_operator.record_response, _access(ctx), line_id, outcome,
                fields.get("operator_ref", "").strip() or None,
                fields.get("note", "").strip() or None)
            return ctx.redirect("/operator", done="operator_answer", ref=line.order_ref,
                                line=line.line_no, status=line.status)
        except CellwatchError as exc:
            # Refused (403) or a line not served on the network (404, as an unknown one)
            # stay the error page; an answer the line cannot take shows the lines again.
            if exc.http_status not in (409, 422):
                raise
            message, status = exc.message, exc.http_status
    return await run_in_threadpool(
        lambda: _render(ctx, status, error_line=line_id, values=fields, error=message,
                        error_summary=[(f"#outcome-{line_id}-{OUTCOMES[0][0]}", message)]))
