"""Writing the output folder: CSV files (small via csv, large streamed via pyarrow) and hashes."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

Columns = Mapping[str, Sequence[object]]


@dataclass(frozen=True)
class FileEntry:
    """One written file, as listed in manifest.json."""

    path: str  # relative to the output folder, with forward slashes
    kind: str
    rows: int
    sha256: str


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    # Source files follow the interchange contract verbatim (a handle is '@name'):
    # they are read by ingest, not opened as a spreadsheet, so nothing is neutralised.
    return str(v)


def write_small(root: Path, rel: str, kind: str, cols: Columns) -> FileEntry:
    """Write a column mapping as RFC 4180 CSV (LF line ends, minimal quoting)."""
    names = list(cols)
    n = len(cols[names[0]]) if names else 0
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    for i in range(n):
        w.writerow([_cell(cols[c][i]) for c in names])
    data = buf.getvalue().encode("utf-8")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return FileEntry(rel, kind, n, hashlib.sha256(data).hexdigest())


class StreamedCsv:
    """A CSV written chunk by chunk from Arrow tables, hashed on the way out."""

    def __init__(self, root: Path, rel: str, kind: str, columns: Sequence[str]) -> None:
        self.rel, self.kind, self.rows = rel, kind, 0
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("wb")
        self._h = hashlib.sha256()
        self._put(",".join(columns).encode() + b"\n")
        # Values never hold commas, quotes or newlines, so nothing needs quoting.
        self._opts = pcsv.WriteOptions(include_header=False, quoting_style="none")

    def _put(self, data: bytes | memoryview) -> None:
        self._h.update(data)
        self._f.write(data)

    def write(self, table: pa.Table) -> None:
        """Append a table's rows."""
        sink = pa.BufferOutputStream()
        pcsv.write_csv(table, sink, write_options=self._opts)
        # An Arrow buffer supports the buffer protocol: hash and write it without a copy.
        self._put(memoryview(sink.getvalue()))
        self.rows += table.num_rows

    def close(self) -> FileEntry:
        """Finish the file and return its manifest entry."""
        self._f.close()
        return FileEntry(self.rel, self.kind, self.rows, self._h.hexdigest())


def write_table(root: Path, rel: str, kind: str, table: pa.Table) -> FileEntry:
    """Write a whole Arrow table as a streamed CSV (for big truth tables)."""
    out = StreamedCsv(root, rel, kind, table.column_names)
    if table.num_rows:
        out.write(table)
    return out.close()


def write_parquet(root: Path, rel: str, kind: str, table: pa.Table) -> FileEntry:
    """Write an Arrow table as Parquet and hash the file."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return FileEntry(rel, kind, table.num_rows, hashlib.sha256(path.read_bytes()).hexdigest())
