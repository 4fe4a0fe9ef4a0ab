"""A run's write: each interval's evidence is stored against that interval.

Intervals go in by batch and their ids come back from RETURNING; pairing them with
the rows by position is only right if the ids come back in the rows' order. Every
evidence item names the prisoner it weighs, so a mispairing shows as an item naming
another man than its interval's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.attribution import run
from cellwatch.attribution.models import Attribution, EvidenceItem
from cellwatch.attribution.run import attribute
from cellwatch.ingest.framework import IngestContext, ingest_file
from cellwatch.ingest.prisons import load_prisons
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import open_store

TINY = {"run": {"days": 21, "chunk_days": 7, "rows_per_part": 1000},
        "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15}}


def test_every_evidence_item_names_its_intervals_prisoner(
        sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "WRITE_BATCH_ROWS", 100)  # several batches on a small estate
    out = simulate(scenario_from_mapping(TINY), 3, tmp_path / "sim", progress=False).out_dir
    store = open_store(sqlite_settings)
    try:
        ctx = IngestContext(store, sqlite_settings, "system")
        load_prisons(ctx)
        for f in json.loads((out / "manifest.json").read_text())["files"]:
            ingest_file(ctx, f["kind"], out / f["path"])
        report = attribute(sqlite_settings, store)
        with store.session() as s:
            pairs = s.execute(select(Attribution.prison_number, EvidenceItem.description).join(
                EvidenceItem, EvidenceItem.attribution_id == Attribution.id)).all()
    finally:
        store.dispose()
    assert report.attributions > 500
    assert len(pairs) > 500
    assert [(who, text) for who, text in pairs if who not in text] == []
