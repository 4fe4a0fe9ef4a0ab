"""Ingest of ``protected_persons`` and ``protected_identifiers`` (interchange.md), and
:class:`StoreKind`, the small handler the victim-protection kinds share.

A StoreKind validates rows with the framework's :func:`check_row` against a
:class:`KindSpec` built here (these kinds are not in ``kinds.yaml``: their tables live
in :mod:`cellwatch.protect.models`), lets the kind ``prepare`` them (normalise senders,
resolve references, in bulk), stores them by natural key (insert, update or duplicate)
and quarantines the rest. Files of these kinds are small (hundreds of rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from cellwatch.errors import InvalidData, MalformedFile
from cellwatch.ingest.batches import IngestContext, begin_batch, finish_batch, quarantine_rows
from cellwatch.ingest.model import IngestSummary, Problem, QuarantineItem, RetryResult, SourceFile
from cellwatch.ingest.sniff import read_rows
from cellwatch.ingest.specs import FieldSpec, KindSpec
from cellwatch.ingest.validate import Checked, check_row
from cellwatch.protect.models import ProtectedIdentifier, ProtectedPerson
from cellwatch.protect.parties import read_party
from cellwatch.store import Base, Prisoner

Prepare = Callable[[IngestContext, Session, list[Checked]], None]
AfterHook = Callable[[IngestContext], None]
CONDITIONS = ("RESTRAINING_ORDER", "NON_MOLESTATION_ORDER", "LICENCE_CONDITION",
              "NO_CONTACT_REQUEST", "OTHER")


def field(name: str, type_: str, required: bool = False, **more: Any) -> FieldSpec:
    """A field spec, written compactly."""
    values = tuple(str(v).upper() for v in more.pop("values", ()))
    return FieldSpec(name=name, type=type_, required=required, values=values, **more)


def known(session: Session, column: Any, codes: set[str]) -> set[str]:
    """Which of ``codes`` exist in ``column``."""
    if not codes:
        return set()
    return set(session.scalars(select(column).where(column.in_(sorted(codes)))))


def read_identifier_into(row: Checked, text_field: str, platform: str | None,
                         type_column: str, value_column: str) -> None:
    """Normalise ``row.values[text_field]`` as a number or account, or add a problem."""
    text = row.values.get(text_field)
    if text is None:
        return
    try:
        party = read_party(str(text), platform)
    except InvalidData as exc:
        row.problems.append(Problem(text_field, exc.message))
        return
    row.values[type_column], row.values[value_column] = party.type, party.value
    flags = [*(("lenient_handle",) if party.lenient else ()), *party.flags]
    if flags:
        row.flags.extend(f"{text_field}: {flag}" for flag in flags)
        row.values["extra"] = {**(row.values.get("extra") or {}),
                               "_flags": [*row.flags]}


@dataclass(frozen=True)
class StoreKind:
    """A victim-protection kind: spec, table, per-file preparation, after-ingest hook."""

    spec: KindSpec
    model: type[Base]
    prepare: Prepare
    after: AfterHook | None = None

    @property
    def name(self) -> str:
        """The kind's canonical name."""
        return self.spec.name

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        """Validate and store ``source``; bad rows are quarantined, the rest go in."""
        missing = [n for n in self.spec.required if n not in source.header]
        if missing:
            raise MalformedFile(source.name, f"missing required column(s): {', '.join(missing)}", 1)
        rows = list(read_rows(source))
        summary = IngestSummary(kind=self.name, file=source.name, read=len(rows),
                                unknown_columns=[c for c in source.header
                                                 if c not in self.spec.field_names])
        summary.batch_id = batch_id = begin_batch(ctx, self.name, source)
        checked = [check_row(self.spec, r.line, r.values, r.problems) for r in rows]
        try:
            with ctx.store.session() as session:
                self._load(ctx, session, batch_id, checked, summary)
                count, reasons = quarantine_rows(
                    ctx, batch_id, self.name, source.name,
                    ((c.line, c.raw, c.problems) for c in checked if not c.ok), session=session)
                summary.quarantined += count
                for reason, n in reasons.items():
                    summary.reasons[reason] = summary.reasons.get(reason, 0) + n
                finish_batch(ctx, batch_id, summary, session=session)
        except Exception as exc:
            finish_batch(ctx, batch_id, summary, error=str(exc))
            raise
        if self.after is not None:
            self.after(ctx)
        return summary

    def retry(self, ctx: IngestContext, batch_id: int,
              rows: Sequence[QuarantineItem]) -> RetryResult:
        """Re-validate quarantined rows; those that pass are stored under ``batch_id``."""
        summary = IngestSummary(kind=self.name, file="quarantine retry", batch_id=batch_id,
                                read=len(rows))
        checked = [check_row(self.spec, r.line, dict(r.raw)) for r in rows]
        with ctx.store.session() as session:
            self._load(ctx, session, batch_id, checked, summary)
            for row in checked:
                if not row.ok:
                    summary.add_problems(row.problems)
            finish_batch(ctx, batch_id, summary, session=session)
        if self.after is not None:
            self.after(ctx)
        return RetryResult(
            summary=summary,
            resolved=[r.id for r, c in zip(rows, checked, strict=True) if c.ok],
            failed={r.id: list(c.problems) for r, c in zip(rows, checked, strict=True)
                    if not c.ok},
        )

    def _load(self, ctx: IngestContext, session: Session, batch_id: int,
              checked: list[Checked], summary: IngestSummary) -> None:
        self.prepare(ctx, session, checked)
        columns = {c.key for c in self.model.__table__.columns}
        for row in checked:
            if not row.ok:
                continue
            for flag in row.flags:
                summary.flag(flag)
            values = {k: v for k, v in row.values.items() if k in columns}
            values.update(batch_id=batch_id, source_line=row.line)
            match = and_(*(getattr(self.model, k) == values[k] for k in self.spec.key))
            stored = session.scalars(select(self.model).where(match)).first()
            if stored is None:
                session.add(self.model(**values))
                session.flush()
                summary.accepted += 1
            elif all(getattr(stored, k) == v for k, v in values.items()
                     if k not in ("batch_id", "source_line")):
                summary.duplicates += 1
            else:
                for k, v in values.items():
                    setattr(stored, k, v)
                summary.updated += 1


def _owner_org(ctx: IngestContext, session: Session) -> str | None:
    from cellwatch.access.models import User

    return session.scalars(select(User.org_code).where(User.username == ctx.principal)).first()


def _prepare_persons(ctx: IngestContext, session: Session, rows: list[Checked]) -> None:
    prisoners = known(session, Prisoner.prison_number,
                      {r.values["prison_number"] for r in rows if r.values.get("prison_number")})
    owner = _owner_org(ctx, session)
    for row in rows:
        if row.values.get("prison_number") and row.values["prison_number"] not in prisoners:
            row.problems.append(Problem("prison_number", "unknown prisoner"))
        row.values["owner_org"] = owner


def _prepare_identifiers(ctx: IngestContext, session: Session, rows: list[Checked]) -> None:
    persons = known(session, ProtectedPerson.person_ref,
                    {r.values["person_ref"] for r in rows if r.values.get("person_ref")})
    for row in rows:
        if row.values.get("person_ref") and row.values["person_ref"] not in persons:
            row.problems.append(Problem("person_ref", "unknown protected person"))
        read_identifier_into(row, "identifier", row.values.pop("platform", None),
                             "identifier_type", "identifier")


PERSONS = KindSpec(
    name="protected_persons", model="ProtectedPerson", key=("person_ref",),
    fields=(field("person_ref", "str", True, max_length=64),
            field("prison_number", "prison_number", True),
            field("condition", "enum", True, values=CONDITIONS),
            field("valid_from", "date"), field("valid_to", "date")),
    after=(("valid_from", "valid_to"),),
)
IDENTIFIERS = KindSpec(
    name="protected_identifiers", model="ProtectedIdentifier",
    key=("person_ref", "identifier"),
    fields=(field("person_ref", "str", True, max_length=64),
            field("identifier", "str", True, max_length=500),
            field("platform", "str", max_length=40)),
)


def persons_handler() -> StoreKind:
    """The ``protected_persons`` kind."""
    return StoreKind(PERSONS, ProtectedPerson, _prepare_persons)


def identifiers_handler() -> StoreKind:
    """The ``protected_identifiers`` kind (a person's numbers and accounts)."""
    return StoreKind(IDENTIFIERS, ProtectedIdentifier, _prepare_identifiers)
