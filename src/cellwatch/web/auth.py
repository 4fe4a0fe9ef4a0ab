"""Sign-in and sign-out pages, over the same users and password check as the API."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cellwatch.errors import AuthenticationFailed
from cellwatch.web.context import AnyPage, WebRoute
from cellwatch.web.credentials import check_password, last_sign_in

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
        check_password(ctx.store, username, fields.get("password", ""))
    except AuthenticationFailed:
        # One message for a wrong name or a wrong password: do not confirm who has an account.
        message = "Enter a correct user name and password"
        return ctx.render(
            "signin.html", status=401, title="Sign in", next_url=target, username=username,
            error=message, error_summary=[("#username", message)],
        )
    previous = last_sign_in(ctx.store, username)
    # A first sign-in has no last visit: everything counts as new.
    ctx.new_session = ctx.session.signed_in(username, previous.timestamp() if previous else 0.0)
    return ctx.redirect(target)


@router.post("/signout")
async def signout(ctx: AnyPage) -> Response:
    """End the session and go back to the sign-in page."""
    await ctx.form()
    ctx.new_session = type(ctx.session)()
    return ctx.redirect("/signin", done="You have signed out")
