"""Organisations and their users."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cellwatch.access import directory
from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import OrganisationIn, OrganisationOut, UserIn, UserOut

router = APIRouter(tags=["organisations"])

Kind = Literal["NATIONAL", "REGIONAL", "ESTABLISHMENT", "POLICE", "PAROLE_BOARD", "OPERATOR"]


@router.get("/organisations", response_model=list[OrganisationOut])
def list_orgs(access: AccessDep, page: PageDep, kind: Kind | None = None
              ) -> list[OrganisationOut]:
    """Every organisation taking part."""
    return [OrganisationOut.model_validate(o) for o in directory.list_orgs(access, page, kind)]


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_org(access: AccessDep, body: OrganisationIn) -> OrganisationOut:
    """Add an organisation (national administrators)."""
    org = directory.create_org(access, body.code, body.name, body.kind, body.establishment,
                               body.region, body.network)
    return OrganisationOut.model_validate(org)


@router.get("/users", response_model=list[UserOut])
def list_users(access: AccessDep, page: PageDep,
               org: Annotated[str | None, Query(max_length=32)] = None) -> list[UserOut]:
    """Users of the caller's organisation (all for a national administrator)."""
    return [UserOut.model_validate(u) for u in directory.list_users(access, page, org)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(access: AccessDep, body: UserIn) -> UserOut:
    """Add a user (administrators, for their own organisation)."""
    user = directory.create_user(access, body.username, body.org, body.roles, body.password)
    return UserOut.model_validate(user)
