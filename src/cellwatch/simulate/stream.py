"""Streaming one establishment's detections to its own part files, truth alongside.

Each establishment's detection system delivers its own files (``detections/HEI-00000.csv``,
a new part after ``run.rows_per_part`` rows) with its own event ids, as real vendors do.
That also lets establishments be generated in parallel: a task needs nothing from any
other, so the bytes do not depend on how many workers ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from cellwatch.simulate.corruption import Corruptor
from cellwatch.simulate.detections import DETECTION_COLUMNS, KINDS, block_detections, coverage
from cellwatch.simulate.devices import Contraband
from cellwatch.simulate.estate import Establishment
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.staff import StaffPhone
from cellwatch.simulate.writer import FileEntry, StreamedCsv, write_parquet

# Corruption stream parts for detection chunks: one range per establishment.
_CORRUPTION_PART = 3_000_000
_CHUNKS_PER_EST = 10_000


@dataclass
class DetectionContext:
    """Everything the detection tasks read (inherited by forked workers, never pickled)."""

    sc: Scenario
    estate: list[Establishment]
    cbs: list[Contraband]
    staff: list[list[StaffPhone]]
    midnights: np.ndarray
    seed: int
    out: Path
    calls: list[dict[str, np.ndarray]]  # per establishment: call transmissions (usage row, t)


@dataclass
class EstateDetections:
    """What one establishment's task wrote."""

    entries: list[FileEntry] = field(default_factory=list)
    truths: list[FileEntry] = field(default_factory=list)
    corruption: list[tuple[str, int, str, str]] = field(default_factory=list)
    rows: int = 0


def write_establishment(ctx: DetectionContext, i: int) -> EstateDetections:
    """Generate and write every detection of establishment ``i``, block by block."""
    sc, e, out = ctx.sc, ctx.estate[i], ctx.out
    corr = Corruptor(sc, ctx.seed)
    res = EstateDetections()
    cov = coverage(e, sc.detection.miss_rate)
    kinds = pa.array(KINDS)
    part: StreamedCsv | None = None
    truth_chunks: list[pa.Table] = []

    def finish() -> None:
        nonlocal part, truth_chunks
        if part is None:
            return
        res.entries.append(part.close())
        name = part.rel.rsplit("/", 1)[1].removesuffix(".csv")
        t = pa.concat_tables(truth_chunks) if truth_chunks else pa.table({})
        res.truths.append(
            write_parquet(
                out, f"truth/detections_truth/{name}.parquet", "truth:detections_truth", t
            )
        )
        part, truth_chunks = None, []

    event_base = 0
    for chunk_no, d0 in enumerate(range(0, sc.run.days, sc.run.chunk_days)):
        d1 = min(sc.run.days, d0 + sc.run.chunk_days)
        ch = block_detections(
            sc,
            e,
            ctx.cbs[i],
            ctx.staff[i],
            cov,
            ctx.midnights,
            d0,
            d1,
            ctx.seed,
            event_base,
            ctx.calls[i],
        )
        event_base += ch.table.num_rows
        if part is None:
            rel = f"detections/{e.code}-{len(res.entries):05d}.csv"
            part = StreamedCsv(out, rel, "detections", DETECTION_COLUMNS)
        line0 = part.rows + 2
        key = _CORRUPTION_PART + e.idx * _CHUNKS_PER_EST + chunk_no
        table = corr.apply_table(part.rel, "detections", ch.table, line0, key)
        part.write(table)
        n = ch.table.num_rows
        truth_chunks.append(
            pa.table(
                {
                    "file": pa.DictionaryArray.from_arrays(
                        pa.array(np.zeros(n, np.int32)), pa.array([part.rel])
                    ),
                    "line": pa.array(np.arange(line0, line0 + n, dtype=np.int64)),
                    "kind": pa.DictionaryArray.from_arrays(
                        pa.array(ch.kind.astype(np.int32)), kinds
                    ),
                    "device_id": ch.device,
                }
            )
        )
        if part.rows >= sc.run.rows_per_part:
            finish()
    finish()
    res.rows = sum(x.rows for x in res.entries)
    res.corruption = corr.records
    return res
