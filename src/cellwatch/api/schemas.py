"""Request and response bodies of the API (pydantic), separate from the ORM on purpose."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _clean(value: str) -> str:
    # No engine stores NUL, and lone surrogates cannot be encoded: refuse both up front.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("not valid Unicode text") from exc
    return value


def Text(max_length: int, min_length: int = 0) -> Any:  # a type factory, named like one
    """A string type with length bounds and no control characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length),
                     AfterValidator(_clean)]


Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
PrisonNumber = Annotated[str, Field(pattern=r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")]


class Orm(BaseModel):
    """Read from ORM attributes."""

    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An RFC 9457 problem-details body."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: dict[str, list[str]] | None = None


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (the OAuth2 scheme name)
    expires_in: int


class MeOut(BaseModel):
    """The signed-in principal."""

    username: str
    org: str | None
    org_kind: str | None
    roles: list[str]
    establishments: list[str] | None


class OrganisationIn(BaseModel):
    """A new organisation."""

    code: Code
    name: Text(200, 1)  # type: ignore[valid-type]
    kind: Literal["NATIONAL", "REGIONAL", "ESTABLISHMENT", "POLICE", "PAROLE_BOARD",
                  "OPERATOR"]
    establishment: Code | None = None
    region: Text(100, 1) | None = None  # type: ignore[valid-type]
    # An operator's home network as order lines name it (``EE``, ``Vodafone UK``, ...).
    network: Text(100, 1) | None = None  # type: ignore[valid-type]


class OrganisationOut(Orm):
    """An organisation."""

    code: str
    name: str
    kind: str
    establishment: str | None
    region: str | None
    network: str | None = None
    active: bool


class UserIn(BaseModel):
    """A new user."""

    username: Text(100, 1)  # type: ignore[valid-type]
    org: Code
    roles: list[Literal["analyst", "supervisor", "investigator", "parole_case_manager",
                        "operator_liaison", "administrator"]] = Field(min_length=1, max_length=6)
    password: Text(1024, 12)  # type: ignore[valid-type]


class UserOut(Orm):
    """A user (never the hash)."""

    username: str
    org_code: str
    roles: list[str]
    active: bool


class EstablishmentOut(Orm):
    """An establishment of the estate."""

    code: str
    name: str
    region: str | None
    category: str | None
    active: bool


class PrisonerOut(Orm):
    """A prisoner's record."""

    prison_number: str
    surname: str
    forenames: str
    date_of_birth: date | None
    establishment: str | None
    reception_date: date | None
    release_date: date | None
    parole_eligibility_date: date | None
    next_parole_review_date: date | None


class IntelligenceOut(Orm):
    """A graded intelligence item (3x5x2)."""

    report_ref: str
    ts: datetime
    establishment: str | None
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str | None
    owner_org: str | None
    identifiers: list[str]
    text: str | None
    subjects: list[str] = []


class CaseIn(BaseModel):
    """A new case or operation."""

    ref: Text(64, 1)  # type: ignore[valid-type]
    title: Text(300, 1)  # type: ignore[valid-type]
    kind: Literal["CASE", "OPERATION", "INVESTIGATION"] = "CASE"
    description: Text(10_000) | None = None  # type: ignore[valid-type]
    establishment: Code | None = None
    subjects: list[PrisonNumber] = Field(default_factory=list, max_length=500)


class CaseOut(Orm):
    """A case or operation."""

    ref: str
    kind: str
    title: str
    description: str | None
    owner_org: str
    establishment: str | None
    status: str
    created_by: str
    created_at: datetime
    subjects: list[str] = []
    shares: dict[str, str] = {}


class ShareIn(BaseModel):
    """Share a case with an organisation."""

    org: Code
    level: Literal["READ", "CONTRIBUTE", "MANAGE"] = "READ"


class SubjectsIn(BaseModel):
    """Prisoners to add to a case."""

    subjects: list[PrisonNumber] = Field(min_length=1, max_length=500)


class ReferralIn(BaseModel):
    """Refer a crime committed from prison to one or more organisations."""

    to_orgs: list[Code] = Field(min_length=1, max_length=20)
    summary: Text(10_000, 1)  # type: ignore[valid-type]
    prison_number: PrisonNumber | None = None
    crime_reference: Text(64) | None = None  # type: ignore[valid-type]
    case_ref: Text(64) | None = None  # type: ignore[valid-type]


class ReferralOut(Orm):
    """A referral and where it stands (``to_org`` and ``acknowledged_by`` empty for the
    force that sent a crime referral: it is not told who holds the prisoner)."""

    id: int
    from_org: str
    to_org: str | None
    prison_number: str | None
    crime_reference: str | None
    summary: str
    status: str
    created_by: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class BatchOut(Orm):
    """An ingest batch."""

    id: int
    kind: str
    file_name: str
    file_sha256: str
    run_by: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int


class QuarantineOut(Orm):
    """A quarantined row."""

    id: int
    batch_id: int
    kind: str
    file_name: str
    line: int
    field: str | None
    reason: str
    problems: list[dict[str, str]]
    raw: dict[str, Any]
    status: str


class AuditOut(Orm):
    """An audit entry."""

    id: int
    ts: datetime
    principal: str
    org: str | None
    action: str
    resource_type: str
    resource_id: str | None
    reason: str | None
    outcome: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class VerificationOut(BaseModel):
    """The result of verifying the audit chain."""

    ok: bool
    rows: int
    first_bad_id: int | None
    problem: str | None
    checkpoints: int = 0  # signed checkpoints (outside the database) matched


class IdentifierOut(BaseModel):
    """What an identifier is."""

    type: str
    value: str
    display: str
    details: dict[str, str]
    notes: list[str]


class IngestSummaryOut(BaseModel):
    """What an ingest did with a file."""

    kind: str
    file: str
    batch_id: int | None
    read: int
    accepted: int
    updated: int
    duplicates: int
    quarantined: int
    reasons: dict[str, int]
    unknown_columns: list[str]
    flagged: dict[str, int]
    already_ingested: bool


class RetryOut(BaseModel):
    """A quarantined row after a retry, and the retry batch's summary."""

    row: QuarantineOut
    summary: IngestSummaryOut
