"""CSV exports: a Table Schema beside each, read by pandas with its types; hostile
intelligence text neutralised; identifiers and E.164 numbers kept as written."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cellwatch.access.models import IntelligenceReport
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.csvsafe import is_formula, schema_path
from cellwatch.exchange.service.exports import (
    COLUMNS,
    export_attributions_csv,
    write_intelligence_csv,
)
from cellwatch.store import Store

PANDAS = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}


def read_with_schema(path: Path) -> pd.DataFrame:
    """Read a CSV as a partner would: with the types its Table Schema declares."""
    schema: dict[str, Any] = json.loads(schema_path(path).read_text(encoding="utf-8"))
    fields = schema["fields"]
    dtypes = {f["name"]: PANDAS[f["type"]] for f in fields if f["type"] in PANDAS}
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False,
                        na_values=schema["missingValues"])
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    assert list(frame.columns) == [f["name"] for f in fields]
    return frame


def test_attributions_csv_has_a_schema_pandas_reads_typed(exchange_estate: Store,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "attributions.csv"
    n = export_attributions_csv(Access(exchange_estate, SYSTEM), out)
    frame = read_with_schema(out)
    assert len(frame) == n == 6
    assert frame["probability"].dtype == "float64"
    assert str(frame["identifier"].dtype) == "string"
    # An E.164 number keeps its +; an IMSI is not turned into an integer.
    assert "+447911123456" in set(frame["identifier"])
    assert "234150123456789" in set(frame["identifier"])
    assert str(frame["valid_from"].dtype).startswith("datetime64")


def test_intelligence_csv_neutralises_formulas(exchange_estate: Store) -> None:
    hostile = ["=HYPERLINK(\"http://evil.example\",\"click\")", "@SUM(1+1)",
               "-2+3+cmd|' /C calc'!A0"]
    with exchange_estate.session() as s:
        for i, text in enumerate(hostile):
            s.add(IntelligenceReport(
                report_ref=f"IR-X-{i}", ts=datetime(2026, 5, 2, tzinfo=UTC),
                establishment="HEI", source_evaluation="1", intelligence_assessment="A",
                handling_code="P", identifiers=["+447700900123"], text=text))
    buffer = io.StringIO()
    write_intelligence_csv(Access(exchange_estate, SYSTEM), "review", buffer)
    frame = pd.read_csv(io.StringIO(buffer.getvalue()), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    texts = dict(zip(frame["report_ref"], frame["text"], strict=True))
    assert [texts[f"IR-X-{i}"] for i in range(3)] == ["'" + t for t in hostile]
    assert not any(is_formula(cell) for cell in frame.to_numpy().ravel())
    assert "+447700900123" in set(frame["identifiers"])
