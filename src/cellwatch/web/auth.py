"""Sign-in and sign-out pages, over the same users, password check and lockout as the API."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from cellwatch.access import audit
from cellwatch.access.signin import WEB, Limits, sign_in
from cellwatch.errors import AuthenticationFailed, TooManyAttempts
from cellwatch.web import session as cookie
from cellwatch.web.context import AnyPage, PageContext, WebRoute
from cellwatch.web.credentials import last_sign_in
from cellwatch.web.session import WebSession

router = APIRouter(route_class=WebRoute)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: "//evil.example" or "https://..." would make an open redirect.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/signin")
def signin_page(ctx: AnyPage, next: str = "/") -> Response:
    """The sign-in form."""
    if ctx.principal is not None:
        return ctx.redirect(_safe_next(next))
    return ctx.render("signin.html", title="Sign in", next_url=_safe_next(next))


@router.post("/signin")
async def signin(ctx: AnyPage) -> Response:
    """Check the password; on success start a fresh session, else show the form again."""
    fields = await ctx.form()
    username = fields.get("username", "").strip()
    target = _safe_next(fields.get("next"))
    try:
        # argon2 and the store take tens of milliseconds: off the event loop, or every
        # other request waits behind them.
        ctx.new_session = await run_in_threadpool(_start, ctx, username,
                                                  fields.get("password", ""))
    except AuthenticationFailed as exc:
        # One message for a wrong name or a wrong password: do not confirm who has an account.
        limited = isinstance(exc, TooManyAttempts)
        message = exc.message if limited else "Enter a correct user name and password"
        return ctx.render(
            "signin.html", status=429 if limited else 401, title="Sign in", next_url=target,
            username=username, error=message, error_summary=[("#username", message)],
        )
    return ctx.redirect(target)


def _start(ctx: PageContext, username: str, password: str) -> WebSession:
    """Check the password (lockout, rate limit, audit) and open a session on the server."""
    request = ctx.request
    sign_in(ctx.store, username, password, action=WEB, limits=Limits.of(ctx.web.settings),
            throttle=getattr(request.app.state, "signin_throttle", None),
            address=request.client.host if request.client else None)
    previous = last_sign_in(ctx.store, username)
    token = cookie.start(ctx.store, username)
    # A first sign-in has no last visit: everything counts as new.
    return ctx.session.signed_in(username, previous.timestamp() if previous else 0.0, token)


def _end(ctx: PageContext) -> None:
    cookie.end(ctx.store, ctx.session, "signed out")
    if ctx.principal is not None:
        audit.append_now(ctx.store, audit.AuditEvent(
            principal=ctx.principal.username, org=ctx.principal.org_code,
            action="web.sign_out", resource_type="user", resource_id=ctx.principal.username,
            outcome="allowed"))


@router.post("/signout")
async def signout(ctx: AnyPage) -> Response:
    """End the session on the server and go back to the sign-in page."""
    await ctx.form()
    await run_in_threadpool(_end, ctx)
    ctx.new_session = type(ctx.session)()
    return ctx.redirect("/signin", done="signed_out")
