"""On a simulated estate whose allow list covers half the staff phones: no staff phone
among the disconnection candidates once the guard holds them, and every contraband
handset that was a candidate still is."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake.engine_choice import engine_for
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store
from cellwatch.tro.candidates import evidence_candidates
from cellwatch.tro.materialise import candidate_set, refresh

SCENARIO = {
    "run": {"days": 28, "chunk_days": 7, "rows_per_part": 20000},
    "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.2},
    "detection": {"staff_allow_listed_fraction": 0.5, "staff_phones_per_establishment": 15},
}


def _ingest(settings: Settings, store: Store, out: Path) -> None:
    ctx = IngestContext(store, settings, "system")
    load_prisons(ctx)
    for f in json.loads((out / "manifest.json").read_text())["files"]:
        ingest_file(ctx, f["kind"], out / f["path"])


def test_no_staff_phone_is_a_candidate_and_contraband_stays(
        settings: Settings, store: Store, tmp_path: Path) -> None:
    out = simulate(scenario_from_mapping(SCENARIO), 11, tmp_path / "sim", progress=False).out_dir
    _ingest(settings, store, out)
    with (out / "truth" / "staff_identifiers.csv").open() as fh:
        staff = {r["identifier"]: r["allow_listed"] for r in csv.DictReader(fh)}
    with (out / "truth" / "devices.csv").open() as fh:
        handsets = {r["imei"] for r in csv.DictReader(fh)}
    engine = engine_for(settings)
    try:
        before = {c.identifier for c in evidence_candidates(engine, store)}
    finally:
        engine.close()
    refresh(settings, store)
    after = {c.identifier for c in candidate_set(settings, store).candidates}
    # Without the guard, staff phones missing from the allow list are candidates ...
    assert before & set(staff), "the estate should put unlisted staff phones among candidates"
    assert all(staff[i] == "false" for i in before & set(staff))
    # ... with it, none is, and every contraband handset that was a candidate still is.
    assert not after & set(staff)
    assert before & handsets
    assert before & handsets <= after


@pytest.mark.slow
def test_an_attribution_run_after_a_bare_ingest_names_no_staff_phone(
        settings: Settings, store: Store, tmp_path: Path) -> None:
    # Ingested through the library, with no refresh of the candidates or the queue after
    # it (as the evaluation matrix ingests): before issue 14's fix the run read an empty
    # queue and named prisoners on 22 staff identifiers here, up to p = 0.93.
    from cellwatch.access.principal import SYSTEM
    from cellwatch.access.service import Access
    from cellwatch.attribution.export import attribution_rows
    from cellwatch.attribution.params import RunParams
    from cellwatch.attribution.service.runs import run_attribution

    out = simulate(scenario_from_mapping(SCENARIO), 11, tmp_path / "sim", progress=False).out_dir
    _ingest(settings, store, out)
    with (out / "truth" / "staff_identifiers.csv").open() as fh:
        staff = {r["identifier"] for r in csv.DictReader(fh)}
    run_attribution(Access(store, SYSTEM, settings), RunParams())
    rows = attribution_rows(store)
    assert rows, "the estate's contraband phones should be attributed"
    assert not {r["identifier"] for r in rows} & staff
