"""Sign-in: the OAuth2 password flow, giving a short-lived bearer token; and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from cellwatch.access.passwords import authenticate
from cellwatch.access.tokens import issue_token
from cellwatch.api.deps import AccessDep, SettingsDep, StoreDep
from cellwatch.api.schemas import MeOut, TokenOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenOut)
def token(settings: SettingsDep, store: StoreDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange a user name and password for a bearer token (OIDC sign-in is planned)."""
    with store.session() as session:
        user = authenticate(session, form.username, form.password)
        username, version = user.username, user.token_version
    return TokenOut(access_token=issue_token(settings, username, version),
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
