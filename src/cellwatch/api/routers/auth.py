"""Sign-in: the OAuth2 password flow, giving a short-lived bearer token; and who am I.

Token requests go through the same lockout, rate limit and audit as the web's sign-in
(:mod:`cellwatch.access.signin`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from cellwatch.access.signin import API, Limits, sign_in
from cellwatch.access.tokens import issue_token
from cellwatch.api.deps import AccessDep, SettingsDep, StoreDep
from cellwatch.api.problems import PROBLEM_JSON
from cellwatch.api.schemas import MeOut, TokenOut

router = APIRouter(prefix="/auth", tags=["auth"])
_LIMITED = {429: {"description": "Too many failed sign-ins (user name locked out, or the "
                                 "address rate limited)",
                  "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}


@router.post("/token", response_model=TokenOut, responses=_LIMITED)  # type: ignore[arg-type]
def token(request: Request, settings: SettingsDep, store: StoreDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange a user name and password for a bearer token (OIDC sign-in is planned)."""
    user = sign_in(store, form.username, form.password, action=API, limits=Limits.of(settings),
                   throttle=getattr(request.app.state, "signin_throttle", None),
                   address=request.client.host if request.client else None)
    return TokenOut(access_token=issue_token(settings, user.username, user.token_version),
                    expires_in=settings.token_ttl_minutes * 60)


@router.get("/me", response_model=MeOut)
def me(access: AccessDep) -> MeOut:
    """The principal the token stands for."""
    p = access.principal
    return MeOut(username=p.username, org=p.org_code,
                 org_kind=p.org_kind.value if p.org_kind else None,
                 roles=sorted(r.value for r in p.roles),
                 establishments=sorted(p.establishments) if p.establishments is not None
                 else None)
