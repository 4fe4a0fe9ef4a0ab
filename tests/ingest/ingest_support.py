"""Helpers shared by the ingest tests: contexts, files and generated reference rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.store import Base, Store


def context(store: Store, settings: Settings) -> IngestContext:
    """An ingest context acting as a named analyst."""
    return IngestContext(store, settings, "analyst.one")


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]], header: list[str]) -> Path:
    """Write ``rows`` as RFC 4180 CSV with ``header``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``rows`` as JSON Lines."""
    path.write_text("".join(json.dumps(dict(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def count(store: Store, model: type[Base]) -> int:
    """Rows in ``model``'s table."""
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def load(ctx: IngestContext, kind: str, path: Path) -> IngestSummary:
    """Ingest one file and check the counting invariant every summary must keep."""
    summary = ingest_file(ctx, kind, path)
    parts = summary.accepted + summary.updated + summary.duplicates + summary.quarantined
    assert summary.read == parts, summary
    return summary


def estate(ctx: IngestContext, tmp: Path, codes: tuple[str, ...] = ("HEI", "LEI")) -> None:
    """Two establishments with a wing and a cell each."""
    rows = [{"code": c, "name": f"{c} (HMP)"} for c in codes]
    load(ctx, "establishments", write_csv(tmp / "est.csv", rows, ["code", "name"]))
    locations = []
    for c in codes:
        locations.append({"location_code": f"{c}-A", "establishment": c, "type": "WING"})
        locations.append(
            {
                "location_code": f"{c}-A-1-001",
                "establishment": c,
                "type": "CELL",
                "parent_code": f"{c}-A",
            }
        )
    header = ["location_code", "establishment", "type", "parent_code"]
    load(ctx, "locations", write_csv(tmp / "loc.csv", locations, header))
