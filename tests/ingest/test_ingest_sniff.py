"""Sniffing files as a whole: formats, encodings, headers and every malformed case."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellwatch.errors import MalformedFile
from cellwatch.ingest.sniff import read_rows, sniff


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_with_bom_mixed_case_header_and_whitespace(tmp_path: Path) -> None:
    path = _file(
        tmp_path, "a.csv", "\ufeff Sensor_ID ,KIND\r\n S1 , rf_detector \r\n,,\r\nS2,\r\n".encode()
    )
    source = sniff(path)
    assert source.format == "csv"
    assert source.bom
    assert source.header == ("sensor_id", "kind")
    assert source.size == path.stat().st_size
    assert len(source.sha256) == 64
    rows = list(read_rows(source))
    assert rows[0].line == 2
    assert rows[0].values == {"sensor_id": "S1", "kind": "rf_detector"}
    # A row of nothing but separators is a blank line; an empty field is a missing value.
    assert rows[1].line == 4
    assert rows[1].values == {"sensor_id": "S2", "kind": None}


def test_quoted_fields_with_newlines_keep_the_starting_line(tmp_path: Path) -> None:
    text = 'a,b\n1,"two\nlines"\n3,"say ""hi"""\n'
    source = sniff(_file(tmp_path, "q.csv", text.encode()))
    rows = list(read_rows(source))
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].values["b"] == "two\nlines"
    assert rows[1].values["b"] == 'say "hi"'


def test_wrong_field_count_is_a_row_problem_not_a_file_error(tmp_path: Path) -> None:
    source = sniff(_file(tmp_path, "w.csv", b"a,b\n1,2,3\n4\n"))
    first, second = read_rows(source)
    assert first.problems
    assert first.values["_overflow"] == ["3"]
    assert second.problems
    assert second.values == {"a": "4", "b": None}


def test_jsonl_by_extension_and_by_content(tmp_path: Path) -> None:
    lines = b'{"Sensor_ID": "S1", "kind": "HANDHELD", "n": 3}\n\n{"sensor_id": "S2"}\n'
    for name in ("d.jsonl", "d.ndjson", "d.txt"):
        source = sniff(_file(tmp_path, name, lines))
        assert source.format == "jsonl"
        assert source.header == ("sensor_id", "kind", "n")
        assert source.rows == 2
        rows = list(read_rows(source))
        assert [r.line for r in rows] == [1, 3]
        assert rows[0].values["n"] == 3


def test_parquet_by_magic(tmp_path: Path) -> None:
    path = tmp_path / "d.bin"
    pq.write_table(pa.table({"TS": ["2024-01-01T00:00:00Z"], "sensor_id": ["S1"]}), path)
    source = sniff(path)
    assert source.format == "parquet"
    assert source.header == ("ts", "sensor_id")
    assert source.rows == 1


MALFORMED = [
    ("empty.csv", b"", "empty file", None),
    ("nul.csv", b"a,b\n1,2\n\x00\x01\x02\n", "NUL", 3),
    ("latin1.csv", "a,b\n1,2\n3,caf\u00e9\n".encode("latin-1"), "not UTF-8", 3),
    ("nohead.csv", b"\n\n", "no header", None),
    ("dup.csv", b"a, A ,b\n1,2,3\n", "twice", 1),
    ("blankcol.csv", b"a,,b\n1,2,3\n", "empty column name", 1),
    ("trunc.csv", b'a,b\n1,2\n3,"unterminated\n', "unterminated", 3),
    ("array.jsonl", b'{"a": 1}\n[1, 2]\n', "not a JSON object", 2),
    ("scalar.jsonl", b'{"a": 1}\n"text"\n', "not a JSON object", 2),
    ("broken.jsonl", b'{"a": 1}\n{"a": \n{"a": 2}\n', "invalid JSON", 2),
    ("cut.jsonl", b'{"a": 1}\n{"a": 2, "b', "truncated", 2),
    ("dupkey.jsonl", b'{"a": 1, "A": 2}\n', "twice", 1),
    ("bad.parquet", b"PAR1 this is not really parquet", "Parquet", None),
    ("binary.csv", bytes(range(256)) * 4, "NUL", 1),
]


@pytest.mark.parametrize(("name", "data", "reason", "line"), MALFORMED)
def test_malformed_files(
    tmp_path: Path, name: str, data: bytes, reason: str, line: int | None
) -> None:
    with pytest.raises(MalformedFile, match=reason) as info:
        sniff(_file(tmp_path, name, data))
    assert info.value.line == line
    assert str(tmp_path) in info.value.path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="no such file"):
        sniff(tmp_path / "absent.csv")


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    max_size=20,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=20), st.booleans())
def test_any_rfc4180_file_reads_back(tmp_path: Path, rows: list[list[str]], bom: bool) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["A", "b", "C"])
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + buffer.getvalue()
    source = sniff(_file(tmp_path, "h.csv", data.encode("utf-8")))
    read = [r.values for r in read_rows(source)]
    # Rows of nothing but whitespace are blank lines; every other row comes back stripped.
    expected = [
        {k: (v.strip() or None) for k, v in zip(("a", "b", "c"), row, strict=True)}
        for row in rows
        if any(v.strip() for v in row)
    ]
    assert read == expected


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers() | cells), max_size=10)
)
def test_any_jsonl_objects_read_back(tmp_path: Path, objects: list[dict[str, object]]) -> None:
    data = "".join(json.dumps(o) + "\n" for o in [{"a": 0}, *objects])
    source = sniff(_file(tmp_path, "h.jsonl", data.encode()))
    assert source.rows == len(objects) + 1
    assert len(list(read_rows(source))) == len(objects) + 1
