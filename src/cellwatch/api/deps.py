"""Dependencies: settings, the store, and the acting principal from the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import OAuth2PasswordBearer

from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access, Page
from cellwatch.access.tokens import read_token
from cellwatch.errors import AuthenticationFailed, InvalidData, NotFound
from cellwatch.settings import Settings
from cellwatch.store import Store

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


def get_access(settings: SettingsDep, store: StoreDep,
               token: Annotated[str | None, Depends(_bearer)]) -> Access:
    """The caller as a principal: a valid, current token of an active user."""
    if not token:
        raise AuthenticationFailed("a bearer token is required")
    claims = read_token(settings, token)
    # Read afresh on every request (one statement, no transaction): a disabled user or a
    # bumped token version is refused from the very next request.
    with store.read() as session:
        principal = principal_for(session, claims.username)
    if principal.is_system or principal.token_version != claims.token_version:
        raise AuthenticationFailed("token revoked")
    return Access(store, principal, settings)


AccessDep = Annotated[Access, Depends(get_access)]


def get_page(limit: Annotated[int, Query(ge=1, le=500)] = 50,
             offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> Page:
    """Pagination parameters: ``limit`` (1-500) and ``offset``."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(get_page)]


def get_reason(reason: Annotated[str | None, Header(
        alias="Cellwatch-Reason", max_length=1000,
        description="Why the record is opened; required outside your organisation")] = None,
               ) -> str | None:
    """The stated reason for opening a record, from the ``Cellwatch-Reason`` header."""
    return reason


ReasonDep = Annotated[str | None, Depends(get_reason)]


# Every numbered record (alert, referral, batch, row...) has a 32-bit id: a bigger number
# in a path names nothing, and must not reach the store (SQLite overflows a C long,
# PostgreSQL an integer).
MAX_ID = 2**31 - 1


def check_text(request: Request) -> None:
    """Refuse NUL and other control characters in the path and query (no engine stores them),
    and answer a number in the path too large for any id as not found, on every route."""
    values = [request.url.path, *request.query_params.values()]
    for value in values:
        if any(ord(ch) < 32 for ch in value):
            raise InvalidData("control characters are not allowed", {"request": [
                "remove control characters from the path and query"]})
    for name, value in request.path_params.items():
        # Ids only (``alert_id``, ``row_id``...): an IMEI or a number in a path is text.
        if name.endswith("_id") and isinstance(value, str) and value.isdigit() \
                and int(value) > MAX_ID:
            raise NotFound(f"no {name.removesuffix('_id')} {value}")
