"""A run's write: each interval's evidence is stored against that interval.

Intervals go in by batch and their ids come back from RETURNING; pairing them with
the rows by position is only right if the ids come back in the rows' order. Every
evidence item names the prisoner it weighs, so a mispairing shows as an item naming
another man than its interval's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.attribution import run
from cellwatch.attribution.models import Attribution, EvidenceItem
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings

from .tiny_estate import tiny_estate


def test_every_evidence_item_names_its_intervals_prisoner(
        sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "WRITE_BATCH_ROWS", 100)  # several batches on a small estate
    with tiny_estate(sqlite_settings, 3, tmp_path / "sim") as (_, store):
        report = attribute(sqlite_settings, store)
        with store.session() as s:
            pairs = s.execute(select(Attribution.prison_number, EvidenceItem.description).join(
                EvidenceItem, EvidenceItem.attribution_id == Attribution.id)).all()
    assert report.attributions > 500
    assert len(pairs) > 500
    assert [(who, text) for who, text in pairs if who not in text] == []
