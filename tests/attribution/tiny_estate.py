"""A small simulated estate, ingested: three weeks, two prisons, for tests that need the
simulator's variety (shared phones, cellmates, calls) at a few seconds' cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store, open_store

TINY: dict[str, Any] = {
    "run": {"days": 21, "chunk_days": 7, "rows_per_part": 1000},
    "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15}}
# Half the users run a campaign against someone protected, most of them reported.
CAMPAIGNS = {"campaigns": {"campaign_fraction_of_users": 0.5, "report_probability": 0.8}}


@contextmanager
def tiny_estate(settings: Settings, seed: int, sim_dir: Path,
                campaigns: bool = False) -> Iterator[tuple[Path, Store]]:
    """Simulate the estate into ``sim_dir`` and ingest all of it; yields the simulator's
    output folder (truth included) and the open store, disposed afterwards."""
    scenario = scenario_from_mapping(TINY | (CAMPAIGNS if campaigns else {}))
    out = simulate(scenario, seed, sim_dir, progress=False).out_dir
    store = open_store(settings)
    try:
        ctx = IngestContext(store, settings, "system")
        load_prisons(ctx)
        for f in json.loads((out / "manifest.json").read_text())["files"]:
            ingest_file(ctx, f["kind"], out / f["path"])
        yield out, store
    finally:
        store.dispose()
