"""Judging from the device and prisoner pages: confirm, reject or mark unsure an attribution
or a link, with a reason, and undo a judgement.

The forms post here and go to :mod:`cellwatch.attribution.service.attributions`, the door of
``cellwatch judge`` and ``/api/v1/judgements``: the same decision (attribution update in
the prisoner's, or either end's, geography), the same record under the user and the same
audit entries, refusals included. Then back to the page the form was on with a banner
(POST-redirect-GET); a missing reason shows that page again with the error by its box, and
a refusal shows it with the reason in the error summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access.roles import Action, permitted
from cellwatch.access.service import Access
from cellwatch.attribution.service.attributions import (
    judge_attribution,
    judge_link,
    require_judging,
    undo_judgement,
)
from cellwatch.attribution.service.records import parse_identifier
from cellwatch.errors import Denied, InvalidData
from cellwatch.web.context import Page, PageContext, WebRoute
from cellwatch.web.profiles import PRISON_NUMBER, show_identifier, show_prisoner

router = APIRouter(route_class=WebRoute)
# The button pressed gives the verdict; the banner says what was done.
DONE = {"CONFIRMED": "Confirmed", "REJECTED": "Rejected", "UNSURE": "Marked unsure"}
REASON_MAX = 2000  # as the API's
# A form's key names its boxes (reason-KEY): echoed back into the page only if plain.
FORM_KEY = re.compile(r"^[A-Za-z0-9-]{1,80}$")
# A form says which page it is on by name (``back``), never by URL: the way back is built
# here, so no post can send the user off the site. Anything else goes to the identifier.
BACK_TO_PRISONER = "prisoner"


@dataclass(frozen=True)
class _Back:
    """The page a form was on: the identifier's (``kind``/``value`` as in its URL), or the
    prisoner's when ``prisoner`` is set; ``url`` is where a success goes."""

    kind: str
    value: str
    url: str
    prisoner: str | None = None

    async def show(self, ctx: PageContext, status: int, **extra: Any) -> Response:
        """The page again, with what the post needs to say shown on it."""
        if self.prisoner is not None:
            return await run_in_threadpool(show_prisoner, ctx, self.prisoner, status, **extra)
        return await run_in_threadpool(show_identifier, ctx, self.kind, self.value, status,
                                       **extra)


def _back(fields: dict[str, str], kind: str, value: str) -> _Back:
    """Where the posted form was: the prisoner page only when it says so and names a well
    formed prisoner (the page itself decides, again, whether the user may see it)."""
    info = parse_identifier(kind, value)
    prisoner = fields.get("prison_number", "").upper()
    if fields.get("back") == BACK_TO_PRISONER and PRISON_NUMBER.match(prisoner):
        return _Back(kind, value, f"/prisoners/{prisoner}", prisoner)
    return _Back(kind, value, f"/identifiers/{info.type}/{quote(info.value, safe='')}")


def _problem(reason: str) -> str | None:
    """What is wrong with a stated reason (the API's rules for one), or None."""
    if not reason:
        return "Enter the reason for your judgement"
    if len(reason) > REASON_MAX:
        return f"The reason must be {REASON_MAX} characters or fewer"
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in reason):
        return "The reason must be plain text"
    return None


def _why(ctx: PageContext, exc: Denied, on: str | None) -> str:
    """The refusal in words that name nothing the page does not show.

    The policy's own reason names the establishment it looked at, which for a prisoner or
    identifier the user cannot see would tell them where it is; so only which rule refused
    is said: the role, or the scope. ``on`` is ``attribution``, ``link`` or unknown (undo).
    """
    if not permitted(ctx.user.roles, exc.target.type, Action(exc.action)):
        return "your role does not allow judging attributions"
    if on == "attribution":
        return "the prisoner is not held in an establishment you cover"
    if on == "link":
        return "neither identifier is seen in an establishment you cover"
    return "it is about a prisoner or identifier outside the establishments you cover"


async def _refused(ctx: PageContext, back: _Back, message: str) -> Response:
    # Shown in the summary alone: the form is offered only where the policy allows, so
    # after a refusal there is no box on the page to show it by.
    page = await back.show(ctx, 403, error_summary=[(None, message)])
    if page.status_code == 403:
        return page
    # The page itself asks for a reason to open it: a refusal is not an invitation to
    # give one, so it is said on its own.
    return ctx.render("error.html", status=403, title="You cannot do that", message=message,
                      status_code=403)


@router.post("/identifiers/{kind}/{value}/judgements")
async def judge(ctx: Page, kind: str, value: str) -> Response:
    """Record a verdict on the attribution to a prisoner, or on a link to another identifier."""
    fields = await ctx.form()
    info = parse_identifier(kind, value)
    back = _back(fields, kind, value)
    verdict = fields.get("verdict", "")
    if verdict not in DONE:
        raise InvalidData("choose to confirm, reject or mark it unsure")
    on = "link" if fields.get("target") == "link" else "attribution"
    other_type, other = fields.get("other_type", ""), fields.get("other", "")
    prisoner = fields.get("prison_number", "").upper()
    if on == "link":
        what, other_end = f"the link to {other_type} {other}", f"{other_type.upper()} {other}"
    elif not PRISON_NUMBER.match(prisoner):
        raise InvalidData(f"{prisoner!r} is not a prison number")
    else:  # on the prisoner's page "to A1234BC" alone would not say which of their cards
        what = f"the attribution to {prisoner}" if back.prisoner is None else \
            f"the attribution of {info.type} {info.value} to {prisoner}"
        other_end = f"PRISONER {prisoner}"
    access = Access(ctx.store, ctx.user)
    try:  # a role that may not judge is refused before it is asked for a reason
        # named as the service names its target, so the audited refusal says what it was
        await run_in_threadpool(require_judging, access,
                                f"{info.type.name} {info.value} {other_end}")
    except Denied as exc:
        return await _refused(ctx, back, f"You cannot record a judgement on {what}: "
                              f"{_why(ctx, exc, on)}")
    reason = fields.get("reason", "").strip()
    problem = _problem(reason)
    if problem:
        key = fields.get("form", "")
        if not FORM_KEY.match(key):  # not one of the page's forms: no box to show it by
            raise InvalidData(problem)
        return await back.show(ctx, 422, judge_error={
            "key": key, "message": problem, "reason": reason},
            error_summary=[(f"#reason-{key}", problem)])
    try:
        if on == "link":
            await run_in_threadpool(judge_link, access, info.type.name, info.value,
                                    other_type, other, verdict, reason)
        else:
            await run_in_threadpool(judge_attribution, access, info.type.name, info.value,
                                    prisoner, verdict, reason)
    except Denied as exc:  # audited by the access layer as it refused
        return await _refused(ctx, back, f"You cannot record a judgement on {what}: "
                              f"{_why(ctx, exc, on)}")
    return ctx.redirect(back.url, done="judged", verdict=DONE[verdict], what=what)


@router.post("/identifiers/{kind}/{value}/judgements/{judgement_id}/undo")
async def undo(ctx: Page, kind: str, value: str, judgement_id: int) -> Response:
    """Undo a judgement (it stays on record, marked undone by the user)."""
    back = _back(await ctx.form(), kind, value)
    try:
        await run_in_threadpool(undo_judgement, Access(ctx.store, ctx.user), judgement_id)
    except Denied as exc:  # audited by the access layer as it refused
        return await _refused(ctx, back, f"You cannot undo judgement {judgement_id}: "
                              f"{_why(ctx, exc, None)}")
    return ctx.redirect(back.url, done="judgement_undone", id=judgement_id)
