"""Judging from the device page: confirm, reject or mark unsure an attribution or a link,
with a reason, and undo a judgement.

The forms post here and go to :mod:`cellwatch.access.attributions`, the door of
``cellwatch judge`` and ``/api/v1/judgements``: the same decision (attribution update in
the prisoner's, or either end's, geography), the same record under the user and the same
audit entries, refusals included. Then back to the page with a banner
(POST-redirect-GET); a missing reason shows the page again with the error by its box.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access.attributions import judge_attribution, judge_link, undo_judgement
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData
from cellwatch.identifiers import IdentifierInfo
from cellwatch.web.context import Page, PageContext, WebRoute
from cellwatch.web.profiles import PRISON_NUMBER, show_identifier
from cellwatch.web.records import parse_identifier

router = APIRouter(route_class=WebRoute)
# The button pressed gives the verdict; the banner says what was done.
DONE = {"CONFIRMED": "Confirmed", "REJECTED": "Rejected", "UNSURE": "Marked unsure"}
REASON_MAX = 2000  # as the API's
# A form's key names its boxes (reason-KEY): echoed back into the page only if plain.
FORM_KEY = re.compile(r"^[A-Za-z0-9-]{1,80}$")


def _page(info: IdentifierInfo) -> str:
    return f"/identifiers/{info.type}/{quote(info.value, safe='')}"


def _problem(reason: str) -> str | None:
    """What is wrong with a stated reason (the API's rules for one), or None."""
    if not reason:
        return "Enter the reason for your judgement"
    if len(reason) > REASON_MAX:
        return f"The reason must be {REASON_MAX} characters or fewer"
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in reason):
        return "The reason must be plain text"
    return None


async def _refill(ctx: PageContext, kind: str, value: str, key: str, message: str,
                  reason: str) -> Response:
    """The page again, the posted form showing why nothing was recorded (and what was typed)."""
    error = {"key": key, "message": message, "reason": reason}
    return await run_in_threadpool(show_identifier, ctx, kind, value, 422, judge_error=error,
                                   error_summary=[(f"#reason-{key}", message)])


@router.post("/identifiers/{kind}/{value}/judgements")
async def judge(ctx: Page, kind: str, value: str) -> Response:
    """Record a verdict on the attribution to a prisoner, or on a link to another identifier."""
    fields = await ctx.form()
    info = parse_identifier(kind, value)
    verdict = fields.get("verdict", "")
    if verdict not in DONE:
        raise InvalidData("choose to confirm, reject or mark it unsure")
    reason = fields.get("reason", "").strip()
    problem = _problem(reason)
    if problem:
        key = fields.get("form", "")
        if not FORM_KEY.match(key):  # not one of the page's forms: no box to show it by
            raise InvalidData(problem)
        return await _refill(ctx, kind, value, key, problem, reason)
    access = Access(ctx.store, ctx.user)
    if fields.get("target") == "link":
        other_type, other = fields.get("other_type", ""), fields.get("other", "")
        await run_in_threadpool(judge_link, access, info.type.name, info.value, other_type,
                                other, verdict, reason)
        what = f"the link to {other_type} {other}"
    else:
        prisoner = fields.get("prison_number", "").upper()
        if not PRISON_NUMBER.match(prisoner):
            raise InvalidData(f"{prisoner!r} is not a prison number")
        await run_in_threadpool(judge_attribution, access, info.type.name, info.value,
                                prisoner, verdict, reason)
        what = f"the attribution to {prisoner}"
    return ctx.redirect(_page(info), done=f"{DONE[verdict]} {what}")


@router.post("/identifiers/{kind}/{value}/judgements/{judgement_id}/undo")
async def undo(ctx: Page, kind: str, value: str, judgement_id: int) -> Response:
    """Undo a judgement (it stays on record, marked undone by the user)."""
    await ctx.form()
    info = parse_identifier(kind, value)
    await run_in_threadpool(undo_judgement, Access(ctx.store, ctx.user), judgement_id)
    return ctx.redirect(_page(info), done=f"Undid judgement {judgement_id}")
