"""Ingest of ``intelligence_reports``: graded intelligence (3x5x2) into the access tables.

Each row is checked with the framework's :func:`check_row` (source evaluation 1-3,
assessment A-E, handling P or C), then prepared in bulk: a C code must say its
conditions; the establishment and every ``;``-separated subject must be a known
prisoner (the row waits in quarantine until they arrive); every ``;``-separated
identifier is normalised by :func:`cellwatch.identifiers.classify`, and one that does
not parse is a problem of the row (never silently dropped: a mistyped number would
otherwise vanish from an intelligence picture).

A row naming an establishment outside the scope of the user who runs the ingest is a
problem of the row too (kept in quarantine with the reason; :mod:`cellwatch.ingest.scope`),
whether it came through the API, the web or the CLI. Stored reports are owned by the
organisation of the user who ran the ingest (none for the ``system`` principal); subjects
go to ``intelligence_subjects`` and the organisations a C code names to
``intelligence_releases``, both kept in step with the latest version of the report.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cellwatch.access.models import IntelligenceRelease, IntelligenceReport, IntelligenceSubject
from cellwatch.access.roles import Resource
from cellwatch.errors import InvalidIdentifier
from cellwatch.identifiers import classify
from cellwatch.ingest.batches import CHUNK, IngestContext
from cellwatch.ingest.model import IngestSummary, Problem
from cellwatch.ingest.protected import StoreKind, field, known
from cellwatch.ingest.scope import WriteScope, writer_of
from cellwatch.ingest.specs import KindSpec
from cellwatch.ingest.validate import Checked
from cellwatch.ingest.values import PRISON_NUMBER
from cellwatch.intelligence.handling import named_organisations
from cellwatch.store import Establishment, Prisoner

SPEC = KindSpec(
    name="intelligence_reports", model="IntelligenceReport", key=("report_ref",),
    fields=(field("report_ref", "str", True, max_length=64),
            field("ts", "timestamp", True),
            field("establishment", "establishment"),
            field("source_evaluation", "enum", True, values=("1", "2", "3")),
            field("intelligence_assessment", "enum", True, values=("A", "B", "C", "D", "E")),
            field("handling_code", "enum", True, values=("P", "C")),
            field("handling_conditions", "str", max_length=2000),
            field("subjects", "str", max_length=5000),
            field("identifiers", "str", max_length=5000),
            field("text", "str", max_length=50_000)),
)
# The policy's own rule for creating intelligence decides where a writer may write it.
SCOPE = WriteScope("intelligence", Resource.INTELLIGENCE)
# Working keys carried on a checked row between preparing and storing; not columns.
_SUBJECTS = "_subjects"
_RELEASES = "_releases"


def split_list(text: object) -> list[str]:
    """``"a; b;;c"`` -> ``["a", "b", "c"]`` (empty parts dropped)."""
    if text is None:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def read_subjects(text: object) -> tuple[list[str], list[str]]:
    """The prison numbers of a ``subjects`` value, and the parts that are not one."""
    good: list[str] = []
    bad: list[str] = []
    for part in split_list(text):
        number = "".join(part.split()).upper()
        if PRISON_NUMBER.fullmatch(number):
            good.append(number)
        else:
            bad.append(part)
    return list(dict.fromkeys(good)), bad


def read_identifiers(text: object) -> tuple[list[str], list[str]]:
    """Normal forms of an ``identifiers`` value, and a reason for each part that fails."""
    values, problems, _ = read_identifiers_flagged(text)
    return values, problems


def read_identifiers_flagged(text: object) -> tuple[list[str], list[str], list[str]]:
    """:func:`read_identifiers` with the verdicts' flags (``unallocated_number``)."""
    values: list[str] = []
    problems: list[str] = []
    flags: list[str] = []
    for part in split_list(text):
        try:
            info = classify(part)
        except InvalidIdentifier as exc:
            problems.append(f"{part!r}: {exc.message}")
            continue
        values.append(info.value)
        flags.extend(info.flags)
    return list(dict.fromkeys(values)), problems, list(dict.fromkeys(flags))


def _prepare(ctx: IngestContext, session: Session, rows: list[Checked]) -> None:
    parsed = {id(r): read_subjects(r.values.get("subjects")) for r in rows}
    people = known(session, Prisoner.prison_number,
                   {n for good, _ in parsed.values() for n in good})
    ests = known(session, Establishment.code,
                 {r.values["establishment"] for r in rows if r.values.get("establishment")})
    writer = writer_of(ctx, session)
    owner = None if writer is None else writer.org_code
    for row in rows:
        v = row.values
        if v.get("handling_code") == "C" and not v.get("handling_conditions"):
            row.problems.append(Problem("handling_conditions", "required when handling_code is C"))
        if v.get("establishment") and v["establishment"] not in ests:
            row.problems.append(Problem("establishment", "unknown establishment"))
        elif v.get("establishment"):
            refused = SCOPE.refusal(ctx, writer, v["establishment"])
            if refused is not None:
                row.problems.append(Problem("establishment", refused))
        subjects, bad = parsed[id(row)]
        for part in bad:
            row.problems.append(Problem("subjects", f"{part!r} is not a prison number"))
        for number in subjects:
            if number not in people:
                row.problems.append(Problem("subjects", f"unknown prisoner {number}"))
        identifiers, reasons, flags = read_identifiers_flagged(v.get("identifiers"))
        for reason in reasons:
            row.problems.append(Problem("identifiers", reason))
        if flags:
            row.flags.extend(f"identifiers: {flag}" for flag in flags)
            v["extra"] = {**(v.get("extra") or {}), "_flags": [*row.flags]}
        v["identifiers"] = identifiers
        v[_SUBJECTS] = subjects
        v[_RELEASES] = named_organisations(session, v.get("handling_conditions")) \
            if v.get("handling_code") == "C" else []
        v["owner_org"] = owner


class IntelligenceKind(StoreKind):
    """A :class:`StoreKind` that also keeps a report's subjects and releases in step."""

    def _load(self, ctx: IngestContext, session: Session, batch_id: int,
              checked: list[Checked], summary: IngestSummary) -> None:
        super()._load(ctx, session, batch_id, checked, summary)
        stored = [r for r in checked if r.ok]
        if not stored:
            return
        session.flush()
        refs = [r.values["report_ref"] for r in stored]
        ids: dict[str, int] = {}
        for start in range(0, len(refs), CHUNK):  # within every engine's parameter limit
            query = select(IntelligenceReport.report_ref, IntelligenceReport.id).where(
                IntelligenceReport.report_ref.in_(refs[start:start + CHUNK]))
            ids.update({ref: report_id for ref, report_id in session.execute(query)})
        for row in stored:
            report_id = ids[row.values["report_ref"]]
            # The latest version of a report says who it is about and who may see it.
            session.execute(delete(IntelligenceSubject)
                            .where(IntelligenceSubject.report_id == report_id))
            session.execute(delete(IntelligenceRelease)
                            .where(IntelligenceRelease.report_id == report_id))
            session.add_all(IntelligenceSubject(report_id=report_id, prison_number=n)
                            for n in row.values[_SUBJECTS])
            session.add_all(IntelligenceRelease(report_id=report_id, org_code=o)
                            for o in row.values[_RELEASES])
        session.flush()


def handler() -> IntelligenceKind:
    """The ``intelligence_reports`` kind."""
    return IntelligenceKind(SPEC, IntelligenceReport, _prepare)
