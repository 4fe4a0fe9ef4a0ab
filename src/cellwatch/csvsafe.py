"""CSV that a spreadsheet cannot turn into a formula, and the schema that types it.

Every CSV cellwatch writes goes through :func:`safe_cell` (the writers here, or the
Arrow helper :func:`safe_arrow_table`). OWASP's rule for CSV injection: a cell starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read by Excel, LibreOffice and
Google Sheets as a formula, so it is prefixed with a single quote and thereby shown as
text. One exception, chosen so identifiers survive: a cell made only of digits and the
signs that numbers are written with is kept, i.e. a plain number (``-3.5``, ``1e5``) or
a telephone number as people write it (``+447700900123``, ``+44 7700 900123``,
``+44 (0)7700-900123``). Such a cell can at most be arithmetic on digits: it cannot call
a function (``HYPERLINK``, ``WEBSERVICE``, DDE's ``cmd|``), reference a cell or reach
anything, which is what OWASP guards against; prefixing it would corrupt the number for
every reader. OWASP leaves this trade-off to the implementer; docs/exchange.md records it.

Each export also gets a Frictionless Table Schema beside it (``NAME.schema.json``) that
types identifiers as strings, so pandas or a database does not turn an IMSI into an
integer or drop a number's ``+``.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number, or a telephone number as written (+, digits, spaces, ( ) . -).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\+\d[\d ().-]*\d")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula.

    >>> is_formula("=HYPERLINK(1)"), is_formula("+44 7700 900123"), is_formula("-2+3")
    (True, False, True)
    """
    return text.startswith(FORMULA_START) and _NUMBER.fullmatch(text) is None


def safe_cell(value: Any) -> Any:
    """``value`` with a formula neutralised (a ``'`` put before it); others unchanged."""
    if isinstance(value, float) and not math.isfinite(value):
        # Written as '-inf' or 'nan', which a spreadsheet reads as a formula name.
        value = str(value)
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, fh: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row."""
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows."""
        for row in rows:
            self.writerow(row)


def writer(fh: TextIO, **kwargs: Any) -> SafeWriter:
    """A safe ``csv.writer``."""
    return SafeWriter(fh, **kwargs)


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # not subscriptable at run time before Python 3.12
    _DictWriter = csv.DictWriter


class SafeDictWriter(_DictWriter):
    """``csv.DictWriter`` whose every cell passes through :func:`safe_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        """Write one row."""
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        """Write rows."""
        for row in rowdicts:
            self.writerow(row)


def safe_arrow_table(table: Any) -> Any:
    """An Arrow table with formulas in its string columns neutralised (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        column = table.column(i)
        risky = pc.and_(pc.match_substring_regex(column, r"^[=+\-@\t\r]"),
                        pc.invert(pc.match_substring_regex(column, f"^(?:{_NUMBER.pattern})$")))
        if pc.any(risky).as_py():
            fixed = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
            table = table.set_column(i, field, fixed)
    return table


# Frictionless Table Schema field types used by the exports.
TYPES = frozenset({"string", "integer", "number", "boolean", "date", "datetime"})


def schema_path(csv_path: Path) -> Path:
    """Where the schema of ``csv_path`` goes: ``NAME.schema.json`` beside it."""
    return csv_path.with_name(f"{csv_path.stem}.schema.json")


def table_schema(columns: Sequence[str], types: Mapping[str, str] | None = None,
                 descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema: every column ``string`` unless ``types`` says else."""
    types = types or {}
    unknown = set(types) - set(columns)
    bad = {t for t in types.values() if t not in TYPES}
    if unknown or bad:
        raise ValueError(f"schema types for unknown columns {sorted(unknown)} "
                         f"or unknown types {sorted(bad)}")
    fields = []
    for name in columns:
        entry: dict[str, Any] = {"name": name, "type": types.get(name, "string")}
        if descriptions and name in descriptions:
            entry["description"] = descriptions[name]
        fields.append(entry)
    return {"fields": fields, "missingValues": [""]}


def write_table_schema(csv_path: Path, schema: Mapping[str, Any]) -> Path:
    """Write a Table Schema (from :func:`table_schema`) beside ``csv_path``."""
    path = schema_path(csv_path)
    doc = {**schema, "description": f"Frictionless Table Schema of {csv_path.name}. Cells "
                                    "a spreadsheet would read as a formula start with a ' "
                                    "(OWASP's rule; numbers and telephone numbers excepted)."}
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def write_schema(csv_path: Path, columns: Sequence[str],
                 types: Mapping[str, str] | None = None,
                 descriptions: Mapping[str, str] | None = None) -> Path:
    """Write the Table Schema of ``csv_path`` beside it; return its path."""
    return write_table_schema(csv_path, table_schema(columns, types, descriptions))
