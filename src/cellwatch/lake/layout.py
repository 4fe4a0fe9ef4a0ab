"""Where the lake keeps each kind of event, and the exact Arrow schema of its files.

Others code against this layout, so it is written down once here::

    {lake_dir}/detections/establishment=XXX/day=YYYY-MM-DD/part-{batch_id}-{n}.parquet
    {lake_dir}/call_records/day=YYYY-MM-DD/part-{batch_id}-{n}.parquet

Partition columns (``establishment``, ``day``) live in the path only, not in the files.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Final

import pyarrow as pa

DETECTIONS: Final = "detections"
CALL_RECORDS: Final = "call_records"
KINDS: Final = (DETECTIONS, CALL_RECORDS)

# Work in progress is written under here, then renamed into place: a glob over a
# kind's directory never sees it.
STAGING_DIR: Final = ".staging"

_TS = pa.timestamp("us", tz="UTC")

DETECTION_SCHEMA: Final = pa.schema(
    [
        ("ts", _TS),
        ("sensor_id", pa.string()),
        ("event_id", pa.string()),
        ("event_key", pa.string()),
        ("technology", pa.string()),
        ("band_mhz", pa.float64()),
        ("rssi_dbm", pa.float64()),
        ("duration_s", pa.float64()),
        ("imsi", pa.string()),
        ("imei", pa.string()),
        ("location_code", pa.string()),
        ("location_resolved", pa.bool_()),
        ("ts_ambiguous", pa.bool_()),
        ("batch_id", pa.int64()),
        ("source_line", pa.int64()),
        ("extra", pa.string()),
    ]
)

CALL_RECORD_SCHEMA: Final = pa.schema(
    [
        ("operator", pa.string()),
        ("operator_mccmnc", pa.string()),
        ("record_type", pa.string()),
        ("start_ts", _TS),
        ("duration_s", pa.float64()),
        ("direction", pa.string()),
        ("subject_msisdn", pa.string()),
        ("subject_imsi", pa.string()),
        ("subject_imei", pa.string()),
        ("other_party", pa.string()),
        ("other_party_raw", pa.string()),
        ("cell_id", pa.string()),
        ("cell_lat", pa.float64()),
        ("cell_lon", pa.float64()),
        ("event_key", pa.string()),
        ("ts_ambiguous", pa.bool_()),
        ("batch_id", pa.int64()),
        ("source_line", pa.int64()),
        ("extra", pa.string()),
    ]
)

FILE_SCHEMAS: Final[dict[str, pa.Schema]] = {
    DETECTIONS: DETECTION_SCHEMA,
    CALL_RECORDS: CALL_RECORD_SCHEMA,
}

# The DuckDB type of each Arrow type used above.
DUCKDB_TYPES: Final[dict[pa.DataType, str]] = {
    pa.string(): "VARCHAR",
    pa.float64(): "DOUBLE",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    _TS: "TIMESTAMPTZ",
}

# Hive partition columns per kind, in path order, with their DuckDB types.
PARTITIONS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    DETECTIONS: (("establishment", "VARCHAR"), ("day", "DATE")),
    CALL_RECORDS: (("day", "DATE"),),
}


def check_kind(kind: str) -> str:
    """Return ``kind`` if the lake holds it, else raise ValueError (a programming error)."""
    if kind not in KINDS:
        raise ValueError(f"the lake holds {', '.join(KINDS)}; not {kind!r}")
    return kind


def kind_dir(lake_dir: Path, kind: str) -> Path:
    """The directory holding every file of ``kind``."""
    return lake_dir / check_kind(kind)


def kind_glob(lake_dir: Path, kind: str) -> str:
    """A glob matching every data file of ``kind`` (one directory level per partition)."""
    levels = "/".join("*" for _ in PARTITIONS[check_kind(kind)])
    return str(kind_dir(lake_dir, kind) / levels / "*.parquet")


def data_files(lake_dir: Path, kind: str) -> list[Path]:
    """Every data file of ``kind`` now in the lake, sorted."""
    levels = "/".join("*" for _ in PARTITIONS[check_kind(kind)])
    return sorted(kind_dir(lake_dir, kind).glob(f"{levels}/*.parquet"))


def has_data_files(lake_dir: Path, kind: str) -> bool:
    """Whether ``kind`` has any data file: the first one found ends the walk. A run asks
    this of each kind several times, and listing every file each time grew with history
    (two years of 20 prisons is over 14,000 files)."""
    levels = "/".join("*" for _ in PARTITIONS[check_kind(kind)])
    return next(kind_dir(lake_dir, kind).glob(f"{levels}/*.parquet"), None) is not None


def batch_files(lake_dir: Path, kind: str, batch_id: int) -> list[Path]:
    """The files one batch wrote (``part-{batch_id}-{n}.parquet``)."""
    levels = "/".join("*" for _ in PARTITIONS[check_kind(kind)])
    return sorted(kind_dir(lake_dir, kind).glob(f"{levels}/part-{batch_id}-*.parquet"))


# A data file's name: the batch that wrote it and its number within the batch.
_PART_NAME = re.compile(r"^part-(\d+)-\d+\.parquet$")


def batch_days(lake_dir: Path, kind: str) -> list[tuple[int | None, date | None]]:
    """(batch id, ``day`` partition) of every data file of ``kind``, read off the paths.

    What an incremental attribution run asks of the lake (which batches are new since
    the last run, and the earliest day they touch) without opening a file. A file not
    named as :func:`cellwatch.lake.append_batch` names them gives ``None`` for what its
    path does not say: the caller cannot tell when it came, and must not guess.
    """
    out: list[tuple[int | None, date | None]] = []
    for path in data_files(lake_dir, kind):
        match = _PART_NAME.match(path.name)
        out.append((int(match.group(1)) if match else None, _partition_day(path.parent.name)))
    return out


def files_after(lake_dir: Path, kind: str, batch_id: int) -> tuple[int, list[Path]] | None:
    """(newest batch, files of batches newer than ``batch_id``) of ``kind``, read off the
    names; None when a file's name does not say its batch (only its rows can tell).

    What the identity graph's update reads: a scan of the whole lake for its newest
    batch and its newer rows grew with history (0.6 s of a nightly run on two years).
    """
    newest, newer = 0, []
    for path in data_files(lake_dir, kind):
        match = _PART_NAME.match(path.name)
        if match is None:
            return None
        batch = int(match.group(1))
        newest = max(newest, batch)
        if batch > batch_id:
            newer.append(path)
    return newest, newer


def _partition_day(name: str) -> date | None:
    if not name.startswith("day="):
        return None
    try:
        return date.fromisoformat(name.removeprefix("day="))
    except ValueError:
        return None
