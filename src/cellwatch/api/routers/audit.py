"""The audit log: reading it (itself audited) and verifying its hash chain."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cellwatch.access import directory
from cellwatch.api.deps import AccessDep, PageDep
from cellwatch.api.schemas import AuditOut, VerificationOut

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditOut])
def list_audit(access: AccessDep, page: PageDep,
               outcome: Literal["allowed", "denied"] | None = None,
               principal: Annotated[str | None, Query(max_length=100)] = None,
               action: Annotated[str | None, Query(max_length=40)] = None) -> list[AuditOut]:
    """Audit entries of the caller's organisation, newest first."""
    return [AuditOut.model_validate(e) for e in directory.list_audit(access, page, outcome,
                                                                principal, action)]


@router.get("/verify", response_model=VerificationOut)
def verify(access: AccessDep) -> VerificationOut:
    """Walk the hash chain and report the first broken row."""
    return VerificationOut(**directory.verify_audit(access).as_dict())
