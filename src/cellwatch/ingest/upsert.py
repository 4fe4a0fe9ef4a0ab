"""Resolving references and writing validated rows: batched, on SQLite and PostgreSQL alike.

Rows are matched to what is stored by their natural key. Lookups select by the key's
first column (``IN`` over chunks) and compare the whole key in Python, because a key may
hold NULLs (an allow-list entry without ``valid_from``), which SQL equality never matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.orm import Session

from cellwatch.ingest.batches import CHUNK
from cellwatch.ingest.model import IngestSummary, Problem
from cellwatch.ingest.specs import KindSpec
from cellwatch.ingest.validate import Checked
from cellwatch.store import (
    AllowListEntry,
    Base,
    Establishment,
    Location,
    Occupancy,
    PinContact,
    Prisoner,
    SeizureItem,
    Sensor,
)

MODELS: dict[str, type[Base]] = {
    model.__name__: model
    for model in (
        Establishment,
        Location,
        Prisoner,
        Occupancy,
        Sensor,
        SeizureItem,
        AllowListEntry,
        PinContact,
    )
}
# Each reference kind: the table column it resolves against, and the kind that defines it.
REFERENCES: dict[str, tuple[Any, str]] = {
    "establishment": (Establishment.code, "establishments"),
    "location": (Location.code, "locations"),
    "prisoner": (Prisoner.prison_number, "prisoners"),
    "sensor": (Sensor.sensor_id, "sensors"),
}
PROVENANCE = ("batch_id", "source_line")

Key = tuple[Any, ...]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_checked(
    session: Session,
    spec: KindSpec,
    batch_id: int,
    checked: list[Checked],
    summary: IngestSummary,
) -> list[Checked]:
    """Resolve references, then insert new rows and update changed ones; return the rejects."""
    _resolve(session, spec, checked)
    model = MODELS[spec.model]
    pending: dict[Key, dict[str, Any]] = {}
    for row in checked:
        if row.ok:
            _stage(spec, batch_id, row, pending, summary)
    existing = _existing(session, model, spec, list(pending))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, values in pending.items():
        stored = existing.get(key)
        if stored is None:
            inserts.append(values)
        elif _content(stored) == _content(values):
            summary.duplicates += 1
        else:
            updates.append({**_primary_key(model, stored), **values})
            summary.updated += 1
    summary.accepted += len(inserts)
    for chunk in chunks(_parents_first(spec, inserts)):
        session.execute(insert(model), list(chunk))
    for chunk in chunks(updates):
        session.execute(update(model), list(chunk))
    return [row for row in checked if not row.ok]


def _stage(
    spec: KindSpec,
    batch_id: int,
    row: Checked,
    pending: dict[Key, dict[str, Any]],
    summary: IngestSummary,
) -> None:
    values = {**row.values, "batch_id": batch_id, "source_line": row.line}
    key = tuple(values[name] for name in spec.key)
    for flag in row.flags:
        summary.flag(flag)
    earlier = pending.get(key)
    if earlier is not None:
        # The same key twice in one file: the later row wins.
        if _content(earlier) == _content(values):
            summary.duplicates += 1
            return
        summary.updated += 1
    pending[key] = values


def _content(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in PROVENANCE and k != "id"}


def _primary_key(model: type[Base], stored: dict[str, Any]) -> dict[str, Any]:
    return {str(column.key): stored[str(column.key)] for column in inspect(model).primary_key}


def _existing(
    session: Session, model: type[Base], spec: KindSpec, keys: list[Key]
) -> dict[Key, dict[str, Any]]:
    table = inspect(model).local_table
    lead = table.c[spec.key[0]]
    wanted = set(keys)
    found: dict[Key, dict[str, Any]] = {}
    firsts = sorted({key[0] for key in keys})
    for chunk in chunks(firsts):
        for row in session.execute(select(table).where(lead.in_(chunk))).mappings():
            key = tuple(row[name] for name in spec.key)
            if key in wanted:
                found[key] = dict(row)
    return found


def _resolve(session: Session, spec: KindSpec, checked: list[Checked]) -> None:
    """Reject rows whose references are unknown; repeat while rows of this file drop out.

    A row may refer to one defined earlier or later in the same file (a landing's wing);
    if that one is rejected, so is the row referring to it.
    """
    wanted: dict[str, set[str]] = {}
    for row in checked:
        for _field, ref, code in row.refs:
            wanted.setdefault(ref, set()).add(code)
    stored = {ref: _known(session, ref, codes) for ref, codes in wanted.items()}
    in_file = _defined_here(spec, checked)
    for row in checked:
        _reject_unresolved(row, stored, in_file)
    while True:
        now_defined = _defined_here(spec, checked)
        if now_defined == in_file:
            return
        in_file = now_defined
        for row in checked:
            if row.ok:
                _reject_unresolved(row, stored, in_file)


def _reject_unresolved(
    row: Checked, stored: dict[str, set[str]], in_file: dict[str, set[str]]
) -> None:
    for field, ref, code in row.refs:
        if code not in stored.get(ref, set()) and code not in in_file.get(ref, set()):
            row.problems.append(Problem(field, f"unknown {ref}"))


def _defined_here(spec: KindSpec, checked: list[Checked]) -> dict[str, set[str]]:
    for ref, (column, kind) in REFERENCES.items():
        if kind == spec.name:
            return {ref: {row.values[column.key] for row in checked if row.ok}}
    return {}


def _known(session: Session, ref: str, codes: set[str]) -> set[str]:
    column, _kind = REFERENCES[ref]
    known: set[str] = set()
    for chunk in chunks(sorted(codes)):
        known.update(session.scalars(select(column).where(column.in_(chunk))))
    return known


def _parents_first(spec: KindSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order new locations so that each comes after its parent when both are new."""
    if spec.name != "locations":
        return rows
    by_code = {row["code"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(code: str, trail: frozenset[str]) -> None:
        if code in placed or code in trail:
            return  # placed already, or a cycle (the store's foreign key will refuse it)
        parent = by_code[code].get("parent_code")
        if isinstance(parent, str) and parent in by_code:
            place(parent, trail | {code})
        placed.add(code)
        ordered.append(by_code[code])

    for code in by_code:
        place(code, frozenset())
    return ordered
