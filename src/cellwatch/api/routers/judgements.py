"""Analysts' judgements: confirm, reject or mark unsure an attribution or a link, undo one,
and list those about an identifier or a prisoner.

A thin shell over :mod:`cellwatch.attribution.service.attributions`, the door
``cellwatch judge`` and
the web's device page use: it decides (attribution update, in the prisoner's or either
end's geography), records under the caller and audits. Identifiers are read as their
type and stored in normal form, so ``07700 900123`` judges the number the run attributed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, field_validator

from cellwatch.api.deps import AccessDep, PageDep, ReasonDep
from cellwatch.api.problems import PROBLEM_JSON
from cellwatch.api.schemas import Orm, PrisonNumber, Text
from cellwatch.attribution.service import attributions
from cellwatch.errors import InvalidData, InvalidIdentifier
from cellwatch.identifiers import IdentifierType, classify

router = APIRouter(prefix="/judgements", tags=["judgements"])
JudgementId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Verdict = Literal["CONFIRMED", "REJECTED", "UNSURE"]
Identifier = Text(64, 1)
ALREADY_UNDONE: dict[int | str, dict[str, Any]] = {409: {
    "description": "Already undone",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}


class _VerdictIn(BaseModel):
    """A verdict and why: the fields of every judgement."""

    verdict: Verdict
    reason: Text(2000, 1)  # type: ignore[valid-type]

    @field_validator("reason")
    @classmethod
    def _stated(cls, reason: str) -> str:
        # Required, and more than blanks: a verdict without a reason cannot be weighed later.
        if not reason.strip():
            raise ValueError("a reason is required")
        return reason


class AttributionJudgementIn(_VerdictIn):
    """A verdict on the attribution of an identifier to a prisoner, and why."""

    identifier_type: IdentifierType
    identifier: Identifier  # type: ignore[valid-type]
    prison_number: PrisonNumber


class LinkJudgementIn(_VerdictIn):
    """A verdict on the link between two identifiers (a SIM in a handset...), and why."""

    a_type: IdentifierType
    a: Identifier  # type: ignore[valid-type]
    b_type: IdentifierType
    b: Identifier  # type: ignore[valid-type]


class JudgementOut(Orm):
    """A judgement with who made it and when; an undone one says who undid it."""

    id: int
    target: str
    subject_type: str
    subject: str
    object_type: str
    object: str
    verdict: str
    reason: str
    by: str
    at: datetime
    undone_at: datetime | None
    undone_by: str | None


def _normal(kind: IdentifierType, text: str, field: str) -> str:
    try:
        return classify(text, kind).value
    except InvalidIdentifier as exc:
        raise InvalidData(f"not a valid {kind}", {field: [exc.message]}) from exc


@router.get("", response_model=list[JudgementOut])
def list_judgements(
    access: AccessDep, page: PageDep, reason: ReasonDep,
    identifier: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    prison_number: Annotated[str | None, Query(
        pattern=r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")] = None,
) -> list[JudgementOut]:
    """Judgements about one identifier or one prisoner (name exactly one), newest first,
    undone ones included; an attribution's only when its prisoner is visible to the caller.
    The record is opened as ``GET /prisoners/{number}`` opens it (send ``Cellwatch-Reason``
    outside your organisation)."""
    rows = attributions.list_judgements(access, page, identifier=identifier,
                                        prison_number=prison_number, reason=reason)
    return [JudgementOut.model_validate(j) for j in rows]


@router.post("/attributions", response_model=JudgementOut, status_code=201)
def judge_attribution(access: AccessDep, body: AttributionJudgementIn) -> JudgementOut:
    """Confirm, reject or mark unsure an identifier's attribution to a prisoner (needs the
    attribution update permission where the prisoner is); the next run takes it in."""
    judgement = attributions.judge_attribution(
        access, body.identifier_type.value,
        _normal(body.identifier_type, body.identifier, "identifier"),
        body.prison_number, body.verdict, body.reason)
    return JudgementOut.model_validate(judgement)


@router.post("/links", response_model=JudgementOut, status_code=201)
def judge_link(access: AccessDep, body: LinkJudgementIn) -> JudgementOut:
    """Confirm, reject or mark unsure a link (needs the attribution update permission where
    either end is known); the link's status follows at once."""
    judgement = attributions.judge_link(
        access, body.a_type.value, _normal(body.a_type, body.a, "a"),
        body.b_type.value, _normal(body.b_type, body.b, "b"), body.verdict, body.reason)
    return JudgementOut.model_validate(judgement)


@router.post("/{judgement_id}/undo", response_model=JudgementOut, responses=ALREADY_UNDONE)
def undo_judgement(access: AccessDep, judgement_id: JudgementId) -> JudgementOut:
    """Undo a judgement: kept on record, marked undone by the caller (decided as judging
    it was; 409 when it was already undone)."""
    return JudgementOut.model_validate(attributions.undo_judgement(access, judgement_id))
