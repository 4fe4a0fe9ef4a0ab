"""CSV cells a spreadsheet would run as a formula are neutralised; numbers are not."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.csvsafe import (
    FORMULA_START,
    SafeDictWriter,
    is_formula,
    safe_arrow_table,
    safe_cell,
    table_schema,
    writer,
)

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "+1+1", "\t=1", "\r=1", "=1"]


def _read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_owasp_examples_are_neutralised_and_numbers_kept() -> None:
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    for number in ("+447700900123", "-3.5", "+1", "-0.25e3", "447700900123",
                   "+44 7700 900123", "+44 (0)7700-900.123"):
        assert safe_cell(number) == number
    assert safe_cell(-5) == -5
    assert safe_cell(None) is None


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False),
                          st.sampled_from(HOSTILE)), min_size=1, max_size=6))
def test_no_written_cell_can_start_a_formula(row: list[object]) -> None:
    buffer = io.StringIO()
    writer(buffer).writerow(row)
    dict_buffer = io.StringIO()
    names = [f"c{i}" for i in range(len(row))]
    SafeDictWriter(dict_buffer, fieldnames=names).writerow(dict(zip(names, row, strict=True)))
    for text in (buffer.getvalue(), dict_buffer.getvalue()):
        for cells in _read_back(text):
            for cell in cells:
                assert not is_formula(cell), cell
                # What is kept starting with a formula character is a number or a
                # telephone number: digits and the signs numbers are written with only.
                if cell.startswith(FORMULA_START):
                    assert set(cell) <= set("0123456789+-.() eE"), cell


@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(HOSTILE)), max_size=20))
def test_arrow_tables_are_neutralised_like_cells(values: list[str | None]) -> None:
    table = safe_arrow_table(pa.table({"text": pa.array(values, pa.string()),
                                       "n": pa.array(range(len(values)), pa.int64())}))
    assert table.column("text").to_pylist() == [safe_cell(v) for v in values]
    assert table.column("n").to_pylist() == list(range(len(values)))


def test_table_schema_types_every_column_and_rejects_unknown_names() -> None:
    schema = table_schema(("identifier", "probability"), {"probability": "number"})
    assert schema["fields"] == [{"name": "identifier", "type": "string"},
                                {"name": "probability", "type": "number"}]
    with pytest.raises(ValueError, match="unknown columns"):
        table_schema(("a",), {"b": "string"})


def test_every_csv_writer_goes_through_the_helper() -> None:
    """No module writes CSV around :mod:`cellwatch.csvsafe` (a guard for new writers)."""
    import re
    from pathlib import Path

    import cellwatch

    src = Path(cellwatch.__file__).parent
    raw = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(|write_csv\(|CSVWriter\(")
    # The simulator writes the interchange contract's source files verbatim (ingest reads
    # them; a quote before '@handle' would change the data); the bench writes numeric
    # throughput input. Neither is an export a person opens in a spreadsheet.
    allowed = {"csvsafe.py", "simulate/writer.py", "bench/gen_detections.py"}
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py")
                 if str(p.relative_to(src)) not in allowed and raw.search(p.read_text())]
    assert offenders == []
