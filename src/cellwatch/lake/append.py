"""Atomic appends: a batch is written whole to staging, then renamed into the lake.

DuckDB writes the partitioned files (``COPY ... PARTITION_BY``) into a staging
directory on the same filesystem; only when that succeeded are the files renamed
into their partitions. A failure before that leaves nothing in the lake; a failure
while renaming takes back the files already moved.

Deduplication against the lake and the append that follows must not interleave with
another writer's, or two ingests of overlapping files (a CLI load beside an API upload)
would each find the other's events absent and both append them. :func:`writer_lock`
serialises them per kind across processes (an advisory ``flock`` on a file under the
staging directory, released by the kernel if the holder dies).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cellwatch.lake.analytic_engine import duckdb_errors, scalar
from cellwatch.lake.layout import (
    DUCKDB_TYPES,
    FILE_SCHEMAS,
    PARTITIONS,
    STAGING_DIR,
    batch_files,
    check_kind,
    kind_dir,
)


@contextmanager
def writer_lock(lake_root: Path, kind: str) -> Iterator[None]:
    """Hold the lake's writer lock for ``kind`` (blocks while another process holds it)."""
    directory = lake_root / STAGING_DIR
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{check_kind(kind)}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_batch(
    con: duckdb.DuckDBPyConnection, lake_root: Path, kind: str, batch_id: int, select_sql: str
) -> int:
    """Write the rows of ``select_sql`` as batch ``batch_id`` of ``kind``; return the count.

    ``select_sql`` must yield the kind's partition columns and every file column.
    """
    check_kind(kind)
    staging = lake_root / STAGING_DIR / f"{kind}-batch-{int(batch_id)}"
    shutil.rmtree(staging, ignore_errors=True)
    partitions = [name for name, _ in PARTITIONS[kind]]
    # Cast to the layout's types so every file of a kind has the very same schema.
    columns = ", ".join(
        [
            *partitions,
            *(f"CAST({f.name} AS {DUCKDB_TYPES[f.type]}) AS {f.name}" for f in FILE_SCHEMAS[kind]),
        ]
    )
    # batch_id is an int and the column names come from the fixed layout.
    sql = (
        f"COPY (SELECT {columns} FROM ({select_sql})) TO '{staging}' "  # noqa: S608
        f"(FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY ({', '.join(partitions)}), "
        f"FILENAME_PATTERN 'part-{int(batch_id)}-{{i}}', OVERWRITE_OR_IGNORE)"
    )
    try:
        with duckdb_errors(sql):
            written = int(scalar(con, sql) or 0)
        if written:
            _move_into_place(staging, kind_dir(lake_root, kind))
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path) -> None:
    moved: list[Path] = []
    try:
        for source in sorted(staging.rglob("*.parquet")):
            destination = target / source.relative_to(staging)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
            moved.append(destination)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


def remove_batch(lake_root: Path, kind: str, batch_id: int) -> int:
    """Delete every file batch ``batch_id`` wrote (to undo a batch); return how many."""
    files = batch_files(lake_root, kind, batch_id)
    for path in files:
        path.unlink()
    return len(files)


def batch_rows(lake_root: Path, kind: str, batch_id: int) -> int:
    """How many rows the files of batch ``batch_id`` hold (from their footers)."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in batch_files(lake_root, kind, batch_id))


def remove_stale_staging(lake_root: Path) -> list[str]:
    """Delete batches' staging folders left by a process that died; return their names.

    Call only while no ingest runs (:func:`cellwatch.ingest.recovery.recover` holds the
    ingest lock exclusively): a live batch's folder looks the same. DuckDB's spill folder
    is left alone, since queries outside any ingest (the web, analytics) use it too.
    """
    staging = lake_root / STAGING_DIR
    if not staging.is_dir():
        return []
    removed = []
    for folder in sorted(staging.iterdir()):
        kind, _, batch = folder.name.partition("-batch-")
        if folder.is_dir() and kind in FILE_SCHEMAS and batch.isdigit():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
