"""Running a scenario end to end: model, stream the sources, write truth and the manifest."""

from __future__ import annotations

import json
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cellwatch.simulate import reference
from cellwatch.simulate.calls import call_tables
from cellwatch.simulate.campaigns import plan_campaigns
from cellwatch.simulate.clock import local_midnights
from cellwatch.simulate.contacts import build_contacts
from cellwatch.simulate.corruption import Corruptor
from cellwatch.simulate.devices import Contraband, simulate_contraband
from cellwatch.simulate.estate import Establishment, build_estate
from cellwatch.simulate.follow import carry_on_transfer
from cellwatch.simulate.parallel import default_workers, run_tasks
from cellwatch.simulate.population import Population, cell_matrix, simulate_population
from cellwatch.simulate.scenario import Scenario
from cellwatch.simulate.seizures import seizure_tables
from cellwatch.simulate.social import social_tables
from cellwatch.simulate.staff import staff_phones
from cellwatch.simulate.stream import DetectionContext, write_establishment
from cellwatch.simulate.truth import truth_tables
from cellwatch.simulate.writer import FileEntry, write_small, write_table

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
    cpu_seconds: float = 0.0  # this process and its workers
    detection_cpu_seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        """Detection rows written per second of the detection phase."""
        return self.detections / self.detection_seconds if self.detection_seconds else 0.0

    @property
    def events_per_cpu_second(self) -> float:
        """Detection rows written per CPU-second (all processes) of the detection phase."""
        return self.detections / self.detection_cpu_seconds if self.detection_cpu_seconds else 0.0


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
    scenario: Scenario,
    seed: int,
    out_dir: Path,
    progress: bool = True,
    workers: int | None = None,
    world: dict[str, Any] | None = None,
) -> SimulationResult:
    """Run ``scenario`` with ``seed``; write every source, truth/ and manifest.json to ``out_dir``.

    The same scenario and seed give byte-identical files, whatever ``workers`` (processes
    generating establishments in parallel; default: the cores available). ``world``, a
    randomised world's seed and draw (:mod:`cellwatch.simulate.worlds`), goes in the
    manifest.
    """
    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    sc, out = scenario, Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    issued: set[str] = set()
    estate = build_estate(sc, seed)
    pop = simulate_population(sc, estate, seed)
    contacts = build_contacts(sc, estate, pop, seed, issued)
    midnights = local_midnights(sc.run.start_date, sc.run.days)
    corr = Corruptor(sc, seed)
    entries: list[FileEntry] = []
    res = SimulationResult(out)
    n_workers = default_workers() if workers is None else max(1, workers)
    with _progress(progress, 2 * len(estate) + 2) as tick:
        staff = [staff_phones(sc, e, seed, issued) for e in estate]
        cctx = _ContrabandContext(sc, estate, pop, seed, issued)
        cbs = run_tasks(
            _contraband_task, cctx, len(estate), n_workers, lambda i: tick("contraband")
        )
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
        carry_on_transfer(sc, estate, pop, cbs, seed)
        campaigns = plan_campaigns(sc, cbs, pop, seed, issued)
        calls, call_truth, calls_tx = call_tables(
            sc, estate, cbs, pop, contacts, campaigns, midnights, seed
        )
        td = time.perf_counter()
        c0 = _cpu_seconds()
        dctx = DetectionContext(sc, estate, cbs, staff, midnights, seed, out, calls_tx)
        per_est = run_tasks(
            write_establishment, dctx, len(estate), n_workers, lambda i: tick("detections")
        )
        res.detection_seconds = time.perf_counter() - td
        res.detection_cpu_seconds = _cpu_seconds() - c0
        truth_parts = []
        for d in per_est:
            entries += d.entries
            truth_parts += d.truths
            corr.records += d.corruption
        seiz, seiz_truth = seizure_tables(sc, estate, cbs, pop, midnights, seed)
        social, social_truth = social_tables(sc, estate, cbs, pop, campaigns, midnights, seed)
        events = {"seizures": seiz, **social}
        for k, name in enumerate(EVENT_ORDER):
            rel = f"{name}.csv"
            if name == "call_records":
                # Millions of rows at national scale: Arrow all the way, never Python lists.
                calls = corr.apply_table(rel, name, calls, 2, 2_000_000 + k)
                entries.append(write_table(out, rel, name, calls))
                continue
            corr.apply_lists(rel, name, events[name], 2_000_000 + k)
            entries.append(write_small(out, rel, name, events[name]))
        tick("truth")
        truth = truth_tables(
            sc, estate, cbs, staff, pop, contacts, campaigns, social_truth, corr.records
        )
        truth["seizures"] = pa.table(seiz_truth)
        truth["call_records"] = call_truth
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
        **({"world": world} if world is not None else {}),
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
    res.cpu_seconds = _cpu_seconds() - cpu0
    return res


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class _ContrabandContext:
    sc: Scenario
    estate: list[Establishment]
    pop: Population
    seed: int
    issued: set[str]


def _contraband_task(ctx: _ContrabandContext, i: int) -> Contraband:
    e = ctx.estate[i]
    people, cells = cell_matrix(ctx.pop, e, ctx.sc.run.days)
    propensity = np.asarray(ctx.pop.prisoners.propensity, dtype=np.float64)[people]
    return simulate_contraband(ctx.sc, e, people, cells, propensity, ctx.seed, ctx.issued)
