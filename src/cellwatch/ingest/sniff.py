"""Checking a file as a whole before anything is stored, and reading its rows.

:func:`sniff` reads the whole file once (hash, encoding, CSV structure, JSON objects)
so that a file that is unusable fails with one clear :class:`MalformedFile` before a
single row is written. :func:`read_rows` then yields its records.

With ``parse_rows=False`` (kinds whose handler reads CSV in DuckDB, which checks every
row itself) a CSV file is only hashed in a streaming pass that also refuses NUL bytes,
and its header and a bounded sample are checked here; ``rows`` is then -1 (not counted).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cellwatch.errors import MalformedFile
from cellwatch.ingest.model import FileFormat, Problem, RawRow, SourceFile

_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_BOM = codecs.BOM_UTF8
_PARQUET_MAGIC = b"PAR1"
# The sample of a CSV file checked in Python when the handler checks the rest itself.
_SAMPLE_BYTES = 1 << 20
# Large enough for any vendor's field; csv's default (128 KiB) rejects long free text.
csv.field_size_limit(16 * 1024 * 1024)


def sniff(path: str | Path, *, parse_rows: bool = True) -> SourceFile:
    """Check ``path`` and describe it; raise :class:`MalformedFile` if it is unusable.

    Catches: 0 bytes, NUL bytes, text that is not UTF-8 (with the line), a missing,
    empty or duplicate column name, an unterminated quote, a JSON line that is not an object.
    With ``parse_rows=False`` a CSV file's rows after a bounded sample are left to the
    handler (bad UTF-8 and unterminated quotes there are its to report).
    """
    file = Path(path)
    if not file.is_file():
        raise MalformedFile(str(file), "no such file")
    size = file.stat().st_size
    if size == 0:
        raise MalformedFile(str(file), "empty file (0 bytes)")
    digest, bom, fmt, nul_at = _hash_and_detect(file)
    if nul_at is not None:
        line = _line_of(file, nul_at)
        raise MalformedFile(str(file), "binary content (NUL byte), not a text file", line)
    if fmt == "csv" and not parse_rows:
        return SourceFile(file, fmt, digest, size, _csv_sample_header(file), -1, bom)
    if fmt == "parquet":
        header, rows = _parquet_shape(file)
    elif fmt == "jsonl":
        header, rows = _jsonl_shape(file)
    else:
        header, rows = _csv_shape(file)
    return SourceFile(file, fmt, digest, size, header, rows, bom)


def read_rows(source: SourceFile) -> Iterator[RawRow]:
    """Yield every record of a sniffed CSV or JSON Lines file (Parquet is for the lake)."""
    if source.format == "csv":
        yield from _csv_rows(source)
    elif source.format == "jsonl":
        yield from _jsonl_rows(source)
    else:
        raise MalformedFile(source.name, "Parquet is only taken for detections and call records")


def normalise_column(name: str) -> str:
    """Column names are matched case-insensitively with surrounding whitespace ignored."""
    return name.strip().lower()


def _hash_and_detect(file: Path) -> tuple[str, bool, FileFormat, int | None]:
    """(sha256, BOM, format, offset of the first NUL byte in a text file or None).

    Streaming over 1 MiB blocks: I/O-bound, and the NUL search is a memchr per block.
    """
    digest = hashlib.sha256()
    nul_at: int | None = None
    offset = 0
    with file.open("rb") as handle:
        head = handle.read(1 << 16)
        parquet = head.startswith(_PARQUET_MAGIC)
        for chunk in _blocks(head, handle):
            digest.update(chunk)
            if nul_at is None and not parquet:
                found = chunk.find(b"\x00")
                if found >= 0:
                    nul_at = offset + found
            offset += len(chunk)
    bom = head.startswith(_BOM)
    if parquet:
        return digest.hexdigest(), False, "parquet", None
    fmt = _EXTENSIONS.get(file.suffix.lower())
    if fmt is None or fmt == "parquet":
        # No telling extension (or a Parquet name on a text file): look at the content.
        first = head.removeprefix(_BOM).lstrip()[:1]
        fmt = "jsonl" if first == b"{" else "csv"
    return digest.hexdigest(), bom, fmt, nul_at


def _blocks(head: bytes, handle: BinaryIO) -> Iterator[bytes]:
    yield head
    yield from iter(lambda: handle.read(1 << 20), b"")


def _line_of(file: Path, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (a second pass, only for a bad file)."""
    newlines = 0
    with file.open("rb") as handle:
        while offset > 0:
            block = handle.read(min(offset, 1 << 20))
            if not block:
                break
            newlines += block.count(b"\n")
            offset -= len(block)
    return newlines + 1


def _csv_sample_header(file: Path) -> tuple[str, ...]:
    """The checked header of a CSV file, after checking the records of its first MiB."""
    with file.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
        complete = not handle.read(1)
    if not complete:
        # Cut at the last line end; a quoted value spanning it just ends the sample early.
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    records = _csv_records(file, sample if not complete else None)
    first = next(records, None)
    if first is None:
        raise MalformedFile(str(file), "no header row (file has no content)")
    header = _check_header(file, first[1])
    try:
        for _ in records:
            pass
    except MalformedFile as exc:
        # Only the end of the file proves a quote unterminated; a cut sample cannot.
        if complete or "unterminated" not in exc.reason:
            raise
    return header


def _text_lines(file: Path, sample: bytes | None = None) -> Iterator[tuple[int, str]]:
    """Decode line by line so that a bad byte is reported with its line number."""
    with file.open("rb") if sample is None else io.BytesIO(sample) as handle:
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                raise MalformedFile(str(file), "binary content (NUL byte), not a text file", number)
            if number == 1:
                raw = raw.removeprefix(_BOM)
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = raw[exc.start]
                reason = f"not UTF-8 text (byte 0x{byte:02x} at column {exc.start + 1})"
                raise MalformedFile(str(file), reason, number) from exc


def _csv_records(file: Path, sample: bytes | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line the record starts on, fields), skipping blank lines.

    ``sample``: read these bytes (the start of ``file``) instead of the whole file.
    """
    position = {"line": 0}

    def lines() -> Iterator[str]:
        for number, text in _text_lines(file, sample):
            position["line"] = number
            yield text

    # strict: an unterminated quote at the end of the file is an error, not a field to EOF.
    reader = csv.reader(lines(), strict=True)
    start = 1
    try:
        for record in reader:
            if record and any(value.strip() for value in record):
                yield start, record
            start = position["line"] + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            reason = "unterminated quoted field (truncated last line?)"
        else:
            reason = f"not valid CSV: {exc}"
        raise MalformedFile(str(file), reason, start) from exc


def _check_header(file: Path, names: list[str]) -> tuple[str, ...]:
    header = [normalise_column(name) for name in names]
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            raise MalformedFile(str(file), f"header has an empty column name (column {index})", 1)
        if name in seen:
            raise MalformedFile(str(file), f"header names column {name!r} twice", 1)
        seen.add(name)
    return tuple(header)


def _csv_shape(file: Path) -> tuple[tuple[str, ...], int]:
    records = _csv_records(file)
    first = next(records, None)
    if first is None:
        raise MalformedFile(str(file), "no header row (file has no content)")
    header = _check_header(file, first[1])
    return header, sum(1 for _ in records)


def _csv_rows(source: SourceFile) -> Iterator[RawRow]:
    records = _csv_records(source.path)
    next(records, None)
    width = len(source.header)
    for line, fields in records:
        values: dict[str, Any] = {
            name: _clean(value) for name, value in zip(source.header, fields, strict=False)
        }
        problems: tuple[Problem, ...] = ()
        if len(fields) != width:
            problems = (Problem(None, "wrong number of fields for the header"),)
            for name in source.header[len(fields) :]:
                values[name] = None
            if len(fields) > width:
                values["_overflow"] = fields[width:]
        yield RawRow(line, values, problems)


def _clean(value: str) -> str | None:
    stripped = value.strip()
    return stripped or None


def _json_objects(file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in _text_lines(file):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg}"
            if not text.endswith("\n"):
                reason = "truncated last line (incomplete JSON)"
            raise MalformedFile(str(file), reason, number) from exc
        except RecursionError:
            # Thousands of nested brackets exhaust the parser's stack: no record is that deep.
            raise MalformedFile(str(file), "JSON nested too deeply", number) from None
        if not isinstance(data, dict):
            raise MalformedFile(str(file), "line is not a JSON object", number)
        yield number, data


def _normalise_object(file: Path, line: int, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = normalise_column(str(key))
        if name in values:
            raise MalformedFile(str(file), f"field {name!r} appears twice in one object", line)
        if not name:
            raise MalformedFile(str(file), "object has an empty field name", line)
        values[name] = _clean(value) if isinstance(value, str) else value
    return values


def _jsonl_shape(file: Path) -> tuple[tuple[str, ...], int]:
    header: dict[str, None] = {}
    rows = 0
    for line, data in _json_objects(file):
        rows += 1
        for name in _normalise_object(file, line, data):
            header.setdefault(name, None)
    if rows == 0:
        raise MalformedFile(str(file), "no JSON objects in file")
    return tuple(header), rows


def _jsonl_rows(source: SourceFile) -> Iterator[RawRow]:
    for line, data in _json_objects(source.path):
        values = _normalise_object(source.path, line, data)
        problems = tuple(
            Problem(name, "nested value where a single value is expected")
            for name, value in values.items()
            if isinstance(value, dict | list)
        )
        yield RawRow(line, values, problems)


def _parquet_shape(file: Path) -> tuple[tuple[str, ...], int]:
    import pyarrow.parquet as pq  # only Parquet needs pyarrow loaded

    with file.open("rb") as handle:
        handle.seek(-4, 2)
        if handle.read(4) != _PARQUET_MAGIC:
            raise MalformedFile(str(file), "truncated Parquet file (no footer)")
    try:
        meta = pq.ParquetFile(file)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise MalformedFile(str(file), f"not a readable Parquet file: {exc}") from exc
    header = _check_header(file, list(meta.schema_arrow.names))
    return header, int(meta.metadata.num_rows)
