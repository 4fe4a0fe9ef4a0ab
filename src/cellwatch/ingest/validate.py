"""Validating one raw row against its kind's specification, collecting every problem.

References are not resolved here (that needs the store, and is done for a whole file at
once by :mod:`cellwatch.ingest.rowwise`); this returns what each row refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cellwatch.bidi import FLAG as BIDI_FLAG
from cellwatch.bidi import has_bidi
from cellwatch.errors import InvalidData
from cellwatch.ingest.model import Problem
from cellwatch.ingest.specs import KindSpec
from cellwatch.ingest.values import AMBIGUOUS_TIME, as_text, read_identifier_flagged, read_value

__all__ = ["AMBIGUOUS_TIME", "Checked", "check_row"]


@dataclass
class Checked:
    """A row after validation: the table values, what it refers to, and what went wrong."""

    line: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # (field, ref kind, code)
    problems: list[Problem] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the row may be stored."""
        return not self.problems


def check_row(
    spec: KindSpec, line: int, raw: dict[str, Any], problems: tuple[Problem, ...] = ()
) -> Checked:
    """Read every field of ``raw``; unknown columns go to ``extra``; all problems are kept."""
    checked = Checked(line=line, raw=raw, problems=list(problems))
    parsed: dict[str, Any] = {}
    for fspec in spec.fields:
        text = as_text(raw.get(fspec.name))
        if text is None:
            if fspec.required:
                checked.problems.append(Problem(fspec.name, "required value missing"))
            parsed[fspec.name] = fspec.default
            continue
        try:
            if fspec.type == "identifier" and fspec.type_column:
                id_type, value, flags = read_identifier_flagged(text)
                checked.values[fspec.type_column] = id_type
            else:
                value, flags = read_value(fspec, text)
        except InvalidData as exc:
            checked.problems.append(Problem(fspec.name, exc.message))
            parsed[fspec.name] = None
            continue
        if isinstance(value, str) and has_bidi(value):
            flags = (*flags, BIDI_FLAG)  # stored as sent, flagged, neutralised on pages
        checked.flags.extend(f"{fspec.name}: {flag}" for flag in flags)
        if fspec.ref is not None:
            checked.refs.append((fspec.name, fspec.ref, value))
        parsed[fspec.name] = value
    _check_order(spec, parsed, checked)
    for fspec in spec.fields:
        checked.values[fspec.target] = parsed[fspec.name]
    checked.values["extra"] = _extra(spec, raw, checked.flags)
    return checked


def _check_order(spec: KindSpec, parsed: dict[str, Any], checked: Checked) -> None:
    for earlier, later in spec.after:
        first, second = parsed.get(earlier), parsed.get(later)
        if first is not None and second is not None and second < first:
            checked.problems.append(Problem(later, f"before {earlier}"))


def _extra(spec: KindSpec, raw: dict[str, Any], flags: list[str]) -> dict[str, Any] | None:
    # Unknown columns are kept with the record; flags (e.g. an ambiguous time) too.
    known = spec.field_names
    extra = {k: v for k, v in raw.items() if k not in known and v is not None}
    if flags:
        extra["_flags"] = list(flags)
    return extra or None
