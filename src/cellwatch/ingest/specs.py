"""Kind specifications as data: ``kinds.yaml`` loaded into typed, validated dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from cellwatch.errors import ConfigError

SPEC_FILE = Path(__file__).with_name("kinds.yaml")

FIELD_TYPES = frozenset(
    {
        "str",
        "code",
        "establishment",
        "int",
        "float",
        "bool",
        "date",
        "timestamp",
        "enum",
        "prison_number",
        "imei",
        "imsi",
        "iccid",
        "msisdn",
        "identifier",
    }
)
REFERENCES = frozenset({"establishment", "location", "prisoner", "sensor"})


@dataclass(frozen=True)
class FieldSpec:
    """One column of a kind: how to read it and where it goes."""

    name: str
    type: str
    required: bool = False
    column: str = ""
    ref: str | None = None
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    default: Any = None
    type_column: str | None = None

    @property
    def target(self) -> str:
        """The table column this field is stored in."""
        return self.column or self.name


@dataclass(frozen=True)
class KindSpec:
    """A row-wise kind: its table, natural key, fields and ordering rules."""

    name: str
    model: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    after: tuple[tuple[str, str], ...] = ()

    @cached_property
    def field_names(self) -> frozenset[str]:
        """The column names a file of this kind may carry."""
        return frozenset(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns that must be in the header."""
        return tuple(f.name for f in self.fields if f.required)


def _field(kind: str, name: str, data: dict[str, Any]) -> FieldSpec:
    unknown = set(data) - set(FieldSpec.__dataclass_fields__)
    if unknown or data.get("type") not in FIELD_TYPES:
        raise ConfigError(f"kinds.yaml: {kind}.{name}: bad field spec {data!r}")
    if data.get("ref") is not None and data["ref"] not in REFERENCES:
        raise ConfigError(f"kinds.yaml: {kind}.{name}: unknown reference {data['ref']!r}")
    values = tuple(str(v).upper() for v in data.get("values", ()))
    if data["type"] == "enum" and not values:
        raise ConfigError(f"kinds.yaml: {kind}.{name}: an enum needs values")
    return FieldSpec(name=name, **{**data, "values": values})


def _kind(name: str, data: dict[str, Any]) -> KindSpec:
    fields = tuple(_field(name, fname, fdata) for fname, fdata in data["fields"].items())
    targets = {f.target for f in fields}
    key = tuple(data["key"])
    if not set(key) <= targets:
        raise ConfigError(f"kinds.yaml: {name}: key {key} is not among its columns")
    after = tuple((str(a), str(b)) for a, b in data.get("after", ()))
    names = {f.name for f in fields}
    if any(a not in names or b not in names for a, b in after):
        raise ConfigError(f"kinds.yaml: {name}: 'after' names an unknown field")
    return KindSpec(name=name, model=str(data["model"]), key=key, fields=fields, after=after)


@cache
def kind_specs() -> Mapping[str, KindSpec]:
    """Every row-wise kind's specification, by name (read once, validated, read-only)."""
    raw = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    return MappingProxyType({name: _kind(name, data) for name, data in raw.items()})
