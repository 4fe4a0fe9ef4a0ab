"""Running a scenario end to end: model, stream the sources, write truth and the manifest."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from cellwatch.simulate import reference
from cellwatch.simulate.calls import call_tables
from cellwatch.simulate.campaigns import plan_campaigns
from cellwatch.simulate.clock import local_midnights
from cellwatch.simulate.contacts import build_contacts
from cellwatch.simulate.corruption import Corruptor
from cellwatch.simulate.detections import DETECTION_COLUMNS, KINDS, block_detections, coverage
from cellwatch.simulate.devices import Contraband, simulate_contraband
from cellwatch.simulate.estate import Establishment, build_estate
from cellwatch.simulate.population import cell_matrix, simulate_population
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.seizures import seizure_tables
from cellwatch.simulate.social import social_tables
from cellwatch.simulate.staff import StaffPhone, staff_phones
from cellwatch.simulate.truth import truth_tables
from cellwatch.simulate.writer import (
    FileEntry,
    StreamedCsv,
    write_parquet,
    write_small,
    write_table,
)

REFERENCE_ORDER = (
    "establishments",
    "locations",
    "prisoners",
    "occupancy",
    "sensors",
    "allow_list",
    "pin_contacts",
)
EVENT_ORDER = (
    "seizures",
    "call_records",
    "protected_persons",
    "protected_identifiers",
    "contact_reports",
    "social_observations",
    "intelligence_reports",
)


@dataclass
class SimulationResult:
    """What a run wrote: rows per file (relative path), detection rows and timings."""

    out_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    detections: int = 0
    seconds: float = 0.0
    detection_seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        """Detection rows written per second of the detection phase."""
        return self.detections / self.detection_seconds if self.detection_seconds else 0.0


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _msg: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("simulating", total=total)
        yield lambda msg: bar.update(task, advance=1, description=msg)


def _clean(out: Path) -> None:
    """Remove what a previous run wrote, so stale parts never linger."""
    for sub in ("detections", "truth"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    for name in [*REFERENCE_ORDER, *EVENT_ORDER]:
        (out / f"{name}.csv").unlink(missing_ok=True)


def simulate(
    scenario: Scenario, seed: int, out_dir: Path, progress: bool = True
) -> SimulationResult:
    """Run ``scenario`` with ``seed``; write every source, truth/ and manifest.json to ``out_dir``.

    The same scenario and seed give byte-identical files.
    """
    t0 = time.perf_counter()
    sc, out = scenario, Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    issued: set[str] = set()
    estate = build_estate(sc, seed)
    pop = simulate_population(sc, estate, seed)
    contacts = build_contacts(sc, estate, pop, seed, issued)
    midnights = local_midnights(sc.run.start_date, sc.run.days)
    blocks = list(range(0, sc.run.days, sc.run.chunk_days))
    corr = Corruptor(sc, seed)
    entries: list[FileEntry] = []
    res = SimulationResult(out)
    with _progress(progress, len(estate) * (1 + len(blocks)) + 2) as tick:
        cbs: list[Contraband] = []
        propensity = np.array(pop.prisoners.propensity)
        staff = [staff_phones(sc, e, seed, issued) for e in estate]
        for e in estate:
            people, cells = cell_matrix(pop, e, sc.run.days)
            cbs.append(simulate_contraband(sc, e, people, cells, propensity[people], seed, issued))
            tick(f"contraband {e.code}")
        small = {
            "establishments": reference.establishments(estate),
            "locations": reference.locations(estate),
            "prisoners": reference.prisoners(sc, estate, pop),
            "occupancy": reference.occupancy(sc, estate, pop),
            "sensors": reference.sensors(sc, estate),
            "allow_list": reference.allow_list(sc, estate, staff, contacts, seed),
            "pin_contacts": reference.pin_contacts(sc, pop, contacts, seed),
        }
        for k, name in enumerate(REFERENCE_ORDER):
            rel = f"{name}.csv"
            corr.apply_lists(rel, name, small[name], 1_000_000 + k)
            entries.append(write_small(out, rel, name, small[name]))
        td = time.perf_counter()
        det_entries, truth_parts = _detections(
            sc, estate, cbs, staff, midnights, seed, corr, out, tick
        )
        res.detection_seconds = time.perf_counter() - td
        entries += det_entries
        seiz, seiz_truth = seizure_tables(sc, estate, cbs, pop, midnights, seed)
        campaigns = plan_campaigns(sc, cbs, pop, seed, issued)
        calls, call_truth = call_tables(sc, estate, cbs, pop, contacts, campaigns, midnights, seed)
        social, social_truth = social_tables(sc, estate, cbs, pop, campaigns, midnights, seed)
        events = {"seizures": seiz, "call_records": calls, **social}
        for k, name in enumerate(EVENT_ORDER):
            rel = f"{name}.csv"
            corr.apply_lists(rel, name, events[name], 2_000_000 + k)
            entries.append(write_small(out, rel, name, events[name]))
        tick("truth")
        truth = truth_tables(
            sc, estate, cbs, staff, pop, contacts, campaigns, social_truth, corr.records
        )
        truth["seizures"] = pa.table(seiz_truth)
        truth["call_records"] = pa.table(call_truth)
        for name in sorted(truth):
            entries.append(write_table(out, f"truth/{name}.csv", f"truth:{name}", truth[name]))
        entries += truth_parts
        tick("manifest")
    res.files = {e.path: e.rows for e in entries}
    res.detections = sum(e.rows for e in entries if e.kind == "detections")
    manifest = {
        "generator": "cellwatch.simulate",
        "scenario": sc.model_dump(mode="json"),
        "seed": seed,
        "files": [
            {"path": e.path, "kind": e.kind, "rows": e.rows, "sha256": e.sha256}
            for e in entries
            if not e.kind.startswith("truth")
        ],
        "truth": [
            {
                "path": e.path,
                "kind": e.kind.removeprefix("truth:"),
                "rows": e.rows,
                "sha256": e.sha256,
            }
            for e in entries
            if e.kind.startswith("truth")
        ],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    res.seconds = time.perf_counter() - t0
    return res


def _detections(
    sc: Scenario,
    estate: list[Establishment],
    cbs: list[Contraband],
    staff: list[list[StaffPhone]],
    midnights: np.ndarray,
    seed: int,
    corr: Corruptor,
    out: Path,
    tick: Callable[[str], None],
) -> tuple[list[FileEntry], list[FileEntry]]:
    """Stream detections into parts of about ``rows_per_part`` rows, truth alongside as Parquet."""
    entries: list[FileEntry] = []
    truths: list[FileEntry] = []
    part_no, part, truth_chunks, chunk_no = 0, None, [], 0
    kinds = pa.array(KINDS)

    def finish() -> None:
        nonlocal part, truth_chunks, part_no
        if part is None:
            return
        entries.append(part.close())
        t = pa.concat_tables(truth_chunks) if truth_chunks else pa.table({})
        truths.append(
            write_parquet(
                out,
                f"truth/detections_truth/part-{part_no:05d}.parquet",
                "truth:detections_truth",
                t,
            )
        )
        part, truth_chunks, part_no = None, [], part_no + 1

    event_base = 0
    for e, cb, st in zip(estate, cbs, staff, strict=True):
        cov = coverage(e, sc.detection.miss_rate)
        for d0 in range(0, sc.run.days, sc.run.chunk_days):
            d1 = min(sc.run.days, d0 + sc.run.chunk_days)
            ch = block_detections(sc, e, cb, st, cov, midnights, d0, d1, seed, event_base)
            event_base += ch.table.num_rows
            if part is None:
                part = StreamedCsv(
                    out, f"detections/part-{part_no:05d}.csv", "detections", DETECTION_COLUMNS
                )
            rel = part.rel
            line0 = part.rows + 2
            table = corr.apply_table(rel, "detections", ch.table, line0, 3_000_000 + chunk_no)
            chunk_no += 1
            part.write(table)
            n = ch.table.num_rows
            truth_chunks.append(
                pa.table(
                    {
                        "file": pa.DictionaryArray.from_arrays(
                            pa.array(np.zeros(n, np.int32)), pa.array([rel])
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
            tick(f"detections {e.code}")
    if part is None:
        part = StreamedCsv(
            out, f"detections/part-{part_no:05d}.csv", "detections", DETECTION_COLUMNS
        )
    finish()
    return entries, truths
