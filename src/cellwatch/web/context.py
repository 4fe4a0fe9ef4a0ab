"""What every page handler gets: the request, settings, store, session and the principal.

Pages declare ``ctx: Page`` (signed in required) or ``ctx: AnyPage`` (sign-in page).
Errors from the library are turned into HTML pages once, by :class:`WebRoute`, so page
handlers never build HTTP errors themselves (house style: errors know how to be shown).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cellwatch.access.principal import Principal, principal_for
from cellwatch.access.roles import Action, OrgKind, Resource, permitted
from cellwatch.bidi import neutralise
from cellwatch.errors import AuthenticationFailed, CellwatchError, InvalidData, SignInRequired
from cellwatch.lake import KINDS
from cellwatch.lake.analytic_engine import AnalyticEngine, DuckDBEngine
from cellwatch.lake.layout import data_files
from cellwatch.lake.shared import SharedLake
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.web import flash
from cellwatch.web import session as cookie
from cellwatch.web.session import WebSession

log = logging.getLogger(__name__)
T = TypeVar("T")
LONDON = ZoneInfo("Europe/London")
TEMPLATES = Path(__file__).parent / "templates"

# (href, label, section key): the service navigation, in the order an analyst works.
NAV = (
    ("/work", "Your work", "work"),
    ("/protected-persons", "Protected persons", "protect"),
    ("/intelligence", "Intelligence", "intelligence"),
    ("/", "Overview", "overview"),
    ("/queues/alerts", "Work queues", "queues"),
    ("/ingest", "Ingest", "ingest"),
    ("/statistics", "Statistics", "statistics"),
)
# The paths under each section: the tab of the page's own path is the one highlighted
# (a prisoner's or a device's page belongs to no tab; "/" only to the overview).
SECTION_PATHS = {
    "work": ("/work", "/reviews/", "/cases"),
    "protect": ("/protected-persons", "/contact-reports/"),
    "intelligence": ("/intelligence",),
    "overview": ("/",),
    "queues": ("/queues/", "/alerts/", "/orders/", "/referrals/"),
    "ingest": ("/ingest",),
    "statistics": ("/statistics",),
    "operator": ("/operator",),
}
# What a role needs for a tab or a work queue to be shown: the permission its page asks
# (a tab that would answer 403 is not offered). Absent: every signed-in user.
NEEDS: dict[str, tuple[Resource, Action]] = {
    "ingest": (Resource.INGEST_BATCH, Action.READ),
    "statistics": (Resource.ESTABLISHMENT, Action.READ),
    "candidates": (Resource.TRO_ORDER, Action.READ),
    "guard": (Resource.TRO_ORDER, Action.READ),
    "orders": (Resource.TRO_ORDER, Action.READ),
    "referrals": (Resource.REFERRAL, Action.READ),
    "protect": (Resource.PROTECTED_PERSON, Action.READ),
    "intelligence": (Resource.INTELLIGENCE, Action.READ),
    "quarantine": (Resource.QUARANTINE, Action.READ),
}


def section_of(path: str) -> str | None:
    """The navigation section ``path`` belongs to, if any."""
    for key, prefixes in SECTION_PATHS.items():
        if any(path == p.rstrip("/") or (p != "/" and path.startswith(p)) or path == p
               for p in prefixes):
            return key
    return None


def may_use(principal: Principal | None, key: str) -> bool:
    """Whether ``principal``'s roles open the tab or queue ``key`` (scope aside)."""
    if principal is None:
        return False
    need = NEEDS.get(key)
    if need is None or principal.is_system:
        return True
    if principal.org_kind is OrgKind.OPERATOR:
        return False
    return permitted(principal.roles, *need)


def _uk_time(value: datetime | None) -> str:
    # Stored times are UTC; officers read UK wall-clock time.
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def _shown(value: object) -> object:
    # A macro's or chart's Markup stays Markup (re.sub hands back a plain str, which
    # autoescape would then print as text).
    if isinstance(value, Markup):
        return Markup(neutralise(str(value)))  # noqa: S704  (only [U+XXXX] text is added)
    return neutralise(value) if isinstance(value, str) else value


@dataclass
class WebApp:
    """The web UI's long-lived parts, built once by :func:`cellwatch.web.mount`."""

    settings: Settings
    store: Store
    # The process's one lake connection (shared with the API): a cursor per request.
    shared_lake: SharedLake
    env: Environment = field(init=False)
    # Lake aggregates by key, with the lake's file list they were computed over.
    _memo: dict[tuple[Hashable, ...], tuple[tuple[str, ...], Any]] = field(
        default_factory=dict, init=False, repr=False)

    def lake_files(self) -> tuple[str, ...]:
        """The lake's data files: the lake is append-only, so the same files, the same rows."""
        root = self.settings.lake_dir
        return tuple(str(p) for kind in KINDS for p in data_files(root, kind))

    def memo(self, key: tuple[Hashable, ...],
             compute: Callable[[AnalyticEngine], T]) -> T:
        """``compute(engine)``, kept until a batch lands in (or leaves) the lake.

        Estate-wide aggregates (detections per day, the heat map) cost a scan of every
        file; every user's overview reads the same ones, filtered to their scope after.
        """
        files = self.lake_files()
        kept = self._memo.get(key)
        if kept is not None and kept[0] == files:
            value: T = kept[1]
            return value
        with self.engine() as engine:
            value = compute(engine)
        if len(self._memo) > 64:
            self._memo.clear()  # keys carry dates: keep the memo from growing without end
        self._memo[key] = (files, value)
        return value

    @contextmanager
    def engine(self) -> Iterator[DuckDBEngine]:
        """The page analytics' engine: DuckDB over a cursor of the shared lake connection
        (the latency path: its views and its cached footers)."""
        with self.shared_lake.engine() as engine:
            yield engine

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "svg"]),
            trim_blocks=True,
            lstrip_blocks=True,
            # Every value a page prints: bidirectional controls shown, never obeyed.
            finalize=_shown,
        )
        self.env.globals["static"] = lambda path: f"/static/{path}"
        self.env.filters["zip"] = lambda a, b: zip(a, b, strict=True)
        self.env.filters["uk_time"] = _uk_time

    @property
    def key(self) -> str:
        """The key signing session cookies (the API token key)."""
        return self.settings.signing_key()


@dataclass
class PageContext:
    """One request's view of the web app."""

    request: Request
    web: WebApp
    session: WebSession
    principal: Principal | None
    # Set by handlers that change the session (sign-in, reasons); written on the response.
    new_session: WebSession | None = None

    @property
    def store(self) -> Store:
        return self.web.store

    @property
    def user(self) -> Principal:
        """The signed-in principal (pages behind :data:`Page` always have one)."""
        if self.principal is None:
            raise SignInRequired("sign in to see this page")
        return self.principal

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """Render ``template`` inside the layout with the user, CSRF token and navigation."""
        current = self.new_session or self.session
        html = self.web.env.get_template(template).render(
            user=self.principal,
            csrf=current.csrf,
            nav=tuple(n for n in NAV if may_use(self.principal, n[2])),
            active=section_of(self.request.url.path),
            may_use=lambda key: may_use(self.principal, key),
            flash=flash.read(self.web.key, current.csrf, self.request.query_params),
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        # Pages show protected data: never keep them in a shared or back-button cache.
        response.headers["Cache-Control"] = "no-store"
        self.finish(response)
        return response

    def redirect(self, url: str, done: str | None = None, **values: object) -> RedirectResponse:
        """A see-other redirect (after a form post), optionally with a success message.

        ``done`` is a key of :data:`cellwatch.web.flash.MESSAGES`; ``values`` fill it in.
        """
        if done:
            current = self.new_session or self.session
            signed = flash.query(self.web.key, current.csrf, done, values)
            url = f"{url}{'&' if '?' in url else '?'}{signed}"
        response = RedirectResponse(url, status_code=303)
        self.finish(response)
        return response

    def finish(self, response: Response) -> None:
        """Write the (possibly refreshed) session cookie."""
        cookie.write(response, self.request, self.web.key, self.new_session or self.session)

    async def form(self) -> dict[str, str]:
        """The posted form's text fields, after checking its CSRF token."""
        data = await self.request.form()
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        if fields.get("csrf_token") != self.session.csrf:
            raise InvalidData("the form has expired; go back, reload the page and try again")
        return fields

    async def chosen(self, name: str) -> list[int]:
        """The ticked boxes called ``name`` (record ids) of a form already checked by form()."""
        data = await self.request.form()
        try:
            return sorted({int(v) for v in data.getlist(name) if isinstance(v, str)})
        except ValueError as exc:
            raise InvalidData(f"the {name} values must be numbers") from exc


def _web(request: Request) -> WebApp:
    web: WebApp = request.app.state.cellwatch_web
    return web


def _context(request: Request, web: Annotated[WebApp, Depends(_web)]) -> PageContext:
    found = cookie.load(web.store, web.settings, web.key, request.cookies.get(cookie.COOKIE))
    session = found or WebSession()
    principal = None
    if session.user:
        try:
            with web.store.session() as db:
                principal = principal_for(db, session.user)
        except AuthenticationFailed:
            # A disabled user or organisation is signed out at their next click.
            session = WebSession()
    return PageContext(request, web, session, principal)


def _signed_in(ctx: Annotated[PageContext, Depends(_context)]) -> PageContext:
    if ctx.principal is None:
        raise SignInRequired("sign in to see this page")
    return ctx


AnyPage = Annotated[PageContext, Depends(_context)]
Page = Annotated[PageContext, Depends(_signed_in)]


def _error_page(request: Request, exc: CellwatchError) -> Response:
    web = _web(request)
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
        return response
    found = cookie.load(web.store, web.settings, web.key, request.cookies.get(cookie.COOKIE))
    ctx = _context(request, web) if found else PageContext(request, web, WebSession(), None)
    titles = {400: "There is a problem with what you sent", 403: "You cannot see this page",
              404: "Page not found", 409: "That cannot be done now",
              413: "The file is too large", 422: "There is a problem with what you entered"}
    status = exc.http_status if exc.http_status in titles else 500
    return ctx.render(
        "error.html", status=status, title=titles.get(status, "Sorry, there is a problem"),
        message=exc.message, status_code=status,
    )


class WebRoute(APIRoute):
    """A route whose cellwatch errors render as HTML pages (the API renders problem JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except CellwatchError as exc:
                if exc.http_status >= 500:
                    log.exception("web page failed")
                return _error_page(request, exc)

        return run
