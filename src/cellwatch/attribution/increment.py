"""Nightly attribution in proportion to the new night: what a run may carry over.

Prisons run attribution each night. Day ``d``'s attribution reads evidence from days
``d - window + 1 .. d`` only (:class:`~cellwatch.attribution.params.RunParams`), so a new
night's files change the days from the earliest day they touch (the *cut*) on, and
nothing before it, as long as nothing else those days read has changed. Each run leaves
its state beside the lake (``attribution-state/run-N``): its per-day attributions, the
occupancy and seizures it read, its identity links and the identifiers through which
links carry evidence; and a digest of every other store table the features read, in the
run's parameters. The next run compares:

* the lake batches newer than the last run's give the earliest day new evidence touches
  (their earliest ``day`` partition, less one: a UTC day holds the end of the evening
  before); a pair is a candidate up to ``window - 1`` nights before its evidence
  (:func:`~cellwatch.attribution.window.candidates_sql`), so the cut is that much earlier;
* the store tables must be as the last run saw them: occupancy and seizures, which grow
  night by night, as far as they reach before the cut (the run keeps their rows); the
  others by a digest of their rows (victims, contacts and staff phones are not copied
  out of the store);
* a link added, dropped or judged since may not touch a number that called without a
  SIM given, nor anything on a find: through those, links carry calls and finds to other
  identifiers on every day (a new SIM in a phone is such a link only if it was found).

When all hold, the run reads the lake from what the days from the cut on read
(:func:`~cellwatch.attribution.pipeline.run_increment`), scores them with the last run's
estimate, and carries the earlier days over: the intervals it
stores are those a full re-score with that estimate would store (the tests compare
every interval over several increments). Otherwise it says why and re-scores every day
with that estimate; ``--rebuild`` (or no usable last run) fits EM again as well. The
estimate is a model of the estate, refitted when an analyst asks for a rebuild (docs/
operations.md says how often), not a night's by-product.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from cellwatch.attribution.em import Estimate
from cellwatch.attribution.models import AttributionRun
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.scoring import DAILY_COLUMNS
from cellwatch.lake import AnalyticEngine
from cellwatch.lake.layout import KINDS, batch_days
from cellwatch.settings import Settings
from cellwatch.store import Store

STATE_DIR: Final = "attribution-state"
# States kept: the newest run's, which the next run reads, and one before it.
KEEP_STATES: Final = 2

REBUILD: Final = "rebuild"
RESCORE: Final = "rescore"
INCREMENT: Final = "increment"

# Store tables the features read, compared with the last run's copy. Occupancy and
# seizures grow night by night: only their rows before the cut's clip are compared.
TIMED: Final = {"cw_occupancy": ("start_ts", "end_ts"), "cw_seizures": ("ts", None)}
UNTIMED: Final = ("cw_locations", "cw_sensors", "cw_pin_contacts", "cw_allow_list",
                  "cw_judgements", "cw_hubs", "cw_protected_persons", "cw_protected_ids")
# Bookkeeping, not content: a re-delivered row with the same values is the same row.
IGNORED_COLUMNS: Final = frozenset({"id", "batch_id", "source_line", "extra"})
LINK_COLUMNS: Final = "a_type, a, b_type, b, status"


@dataclass(frozen=True)
class Plan:
    """How a run will go: ``mode``, why, and what it starts from."""

    mode: str
    reason: str
    # The newest lake batch when the run began: the next run's "new" is newer than this.
    watermark: int
    base_run: int | None = None
    cut: date | None = None
    estimate: Estimate | None = None
    # When the estimate this run scores with was fitted (a rebuild: now).
    fitted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict[str, Any]:
        """For the run's saved parameters."""
        return {"mode": self.mode, "reason": self.reason, "watermark": self.watermark,
                "base_run": self.base_run,
                "cut": self.cut.isoformat() if self.cut is not None else None,
                "fitted_at": self.fitted_at.isoformat()}


def state_dir(settings: Settings, run_id: int) -> Path:
    """Where run ``run_id`` keeps its state."""
    return settings.lake_dir / STATE_DIR / f"run-{int(run_id)}"


def lake_batches(settings: Settings) -> list[tuple[int | None, date | None]]:
    """(batch, day) of every event file in the lake."""
    return [pair for kind in KINDS for pair in batch_days(settings.lake_dir, kind)]


def plan_run(settings: Settings, store: Store, engine: AnalyticEngine, params: RunParams,
             saved: dict[str, Any], digests: dict[str, str], rebuild: bool) -> Plan:
    """Decide how a run goes; ``saved`` is what this run will save as its parameters
    (``run``, ``limits``, ``calibration``), compared with the last run's, and ``digests``
    its tables' (:func:`digest_tables`)."""
    files = lake_batches(settings)
    watermark = max((b for b, _ in files if b is not None), default=0)
    if rebuild:
        return Plan(REBUILD, "a rebuild was asked for", watermark)
    base = _last_run(store)
    if base is None:
        return Plan(REBUILD, "no earlier run", watermark)
    state = base.params.get("increment") or {}
    if not state or not state_dir(settings, base.id).is_dir():
        return Plan(REBUILD, f"run {base.id} left no state to continue from", watermark)
    if any(base.params.get(k) != v for k, v in saved.items()):
        return Plan(REBUILD, f"settings differ from run {base.id}'s", watermark)
    fitted_at = _fitted_at(state, base)
    age = (datetime.now(UTC) - fitted_at).days
    if settings.attribution_refit_days and age >= settings.attribution_refit_days:
        return Plan(REBUILD, f"the estimate was fitted {age} days ago (refitted every "
                    f"{settings.attribution_refit_days}: CELLWATCH_ATTRIBUTION_REFIT_DAYS)",
                    watermark)
    estimate = estimate_from_saved(base.params["estimate"])

    def rescore(reason: str) -> Plan:
        return Plan(RESCORE, reason, watermark, base.id, None, estimate, fitted_at)

    new = [(b, d) for b, d in files if b is None or b > int(state["watermark"])]
    if any(b is None or d is None for b, d in new):
        return rescore("the lake holds files not written by an ingest (no batch or day)")
    load_state(engine, settings, base.id)
    last = engine.run("SELECT max(eday) AS d FROM cw_base_state").column("d")[0].as_py()
    # From the day after the last run's last day, or earlier where new files reach back;
    # with neither (no attribution yet, nothing new), from today: nothing to score again.
    starts = [d - timedelta(days=1) for _, d in new if d is not None]
    if isinstance(last, date):
        starts.append(last + timedelta(days=1))
    # New evidence makes a pair a candidate on nights up to a window before it
    # (window.candidates_sql): the days from there on are scored again.
    reach = timedelta(days=int(params.window_days) - 1)
    cut = min(starts, default=datetime.now(UTC).date()) - reach
    clip = datetime.combine(cut + timedelta(days=1), time(0), tzinfo=UTC)
    changed = [t for t in TIMED if _differs(engine, t, clip)] + [
        t for t in UNTIMED if digests[t] != (state.get("digests") or {}).get(t)]
    if changed:
        return rescore(f"{', '.join(changed)} changed before {cut.isoformat()}")
    touched = _links_touching_seen(engine)
    if touched:
        return rescore(f"{touched} links of identifiers already seen changed")
    return Plan(INCREMENT, f"{len({b for b, _ in new})} new batches from {cut.isoformat()}",
                watermark, base.id, cut, estimate, fitted_at)


def _fitted_at(state: dict[str, Any], base: AttributionRun) -> datetime:
    """When the last run's estimate was fitted; a state saved before runs said so gives
    the last run's start, the latest the fit can have been (a refit comes early, never
    late)."""
    saved = state.get("fitted_at")
    when = datetime.fromisoformat(saved) if isinstance(saved, str) else base.started_at
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def last_run_state(store: Store, refit_days: int) -> dict[str, Any] | None:
    """The last finished run's id, end, mode, reason, when its estimate was fitted and
    when the next refit is due (None when refits are left to ``--rebuild``)."""
    run = _last_run(store)
    if run is None:
        return None
    state = run.params.get("increment") or {}
    fitted = _fitted_at(state, run)
    due = fitted + timedelta(days=refit_days) if refit_days else None
    summary = run.summary or {}
    return {"run": run.id, "finished_at": run.finished_at, "mode": summary.get("mode"),
            "reason": summary.get("reason"), "estimate_fitted_at": fitted, "refit_due": due}


def _last_run(store: Store) -> AttributionRun | None:
    with store.session() as s:
        run = s.scalars(select(AttributionRun).where(AttributionRun.status == "DONE")
                        .order_by(AttributionRun.id.desc()).limit(1)).first()
        if run is not None:
            s.expunge(run)
        return run


def estimate_from_saved(doc: dict[str, Any]) -> Estimate:
    """The estimate a run saved (:meth:`Estimate.as_dict`), to score with it again."""
    def levels(side: dict[str, dict[str, float]]) -> dict[str, dict[int, float]]:
        return {f: {int(k): float(v) for k, v in lv.items()} for f, lv in side.items()}

    return Estimate(prior=float(doc["prior"]), m=levels(doc["m"]), u=levels(doc["u"]),
                    iterations=int(doc["iterations"]), converged=bool(doc["converged"]),
                    pairs=int(doc["pairs"]), labelled=int(doc.get("labelled", 0)),
                    started_from=str(doc.get("started_from", "pairwise")),
                    handover=float(doc.get("handover", 0.0)),
                    handover_placed=float(doc.get("handover_placed", 0.0)),
                    shared=float(doc.get("shared", 0.0)),
                    cellmates=float(doc.get("cellmates", 0.0)))


def load_state(engine: AnalyticEngine, settings: Settings, run_id: int) -> None:
    """The last run's state as ``cw_base_*`` tables."""
    root = state_dir(settings, run_id)
    engine.load("cw_base_state", root / "daily")
    engine.load("cw_base_links", root / "links")
    engine.load("cw_base_seen", root / "seen")
    for table in TIMED:
        engine.load(_base_name(table), root / "tables" / table)


def digest_tables(engine: AnalyticEngine) -> dict[str, str]:
    """Each untimed table's row count and sum of row hashes, as text (saved in the run)."""
    return {table: _digest(engine, table) for table in UNTIMED}


def _content_columns(engine: AnalyticEngine, table: str) -> list[str]:
    """``table``'s columns but its bookkeeping (:data:`IGNORED_COLUMNS`), quoted."""
    names = engine.run(f"SELECT * FROM {table} LIMIT 0").column_names  # noqa: S608
    return [engine.dialect.column(c) for c in names if c not in IGNORED_COLUMNS]


def _digest(engine: AnalyticEngine, table: str) -> str:
    columns = _content_columns(engine, table)
    # Fixed table and column names.
    row = engine.run(f"SELECT count(*) AS n, sum({engine.dialect.row_hash(columns)}) "  # noqa: S608
                     f"AS h FROM {table}").to_pylist()[0]
    return f"{row['n']}:{row['h']}:{engine.dialect.name}"


def _base_name(table: str) -> str:
    return "cw_base_" + table.removeprefix("cw_")


def _differs(engine: AnalyticEngine, table: str, clip: datetime) -> bool:
    """Whether ``table`` differs from the last run's copy, up to ``clip`` if it is timed."""
    columns = _content_columns(engine, table)
    timing = TIMED.get(table)
    quoted = None if timing is None else (
        engine.dialect.column(timing[0]), engine.dialect.column(timing[1]) if timing[1] else None)
    now, then = (_clipped(t, columns, quoted) for t in (table, _base_name(table)))
    params = {"clip": clip} if table in TIMED else None
    for a, b in ((now, then), (then, now)):
        # Fixed table and column names; the clip is a parameter.
        sql = f"SELECT count(*) AS n FROM ({a} EXCEPT ALL {b}) x"  # noqa: S608
        if engine.run(sql, params).column("n")[0].as_py():
            return True
    return False


def _clipped(table: str, columns: list[str], timing: tuple[str, str | None] | None) -> str:
    """The rows of ``table`` as of the clip: rows dated after it left out, a later end
    read as "still open"."""
    if timing is None:
        return f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608
    start, end = timing
    shown = [f"CASE WHEN {c} >= $clip THEN NULL ELSE {c} END AS {c}" if c == end else c
             for c in columns]
    return (f"SELECT {', '.join(shown)} FROM {table} "  # noqa: S608
            f"WHERE {start} IS NULL OR {start} < $clip")


def _links_touching_seen(engine: AnalyticEngine) -> int:
    """How many links changed since the last run touch an identifier its evidence named."""
    diff = (f"(SELECT {LINK_COLUMNS} FROM cw_links EXCEPT SELECT {LINK_COLUMNS} "  # noqa: S608
            f"FROM cw_base_links) UNION ALL (SELECT {LINK_COLUMNS} FROM cw_base_links "
            f"EXCEPT SELECT {LINK_COLUMNS} FROM cw_links)")
    sql = (f"SELECT count(*) AS n FROM ({diff}) l WHERE l.a IN (SELECT identifier "  # noqa: S608
           "FROM cw_base_seen) OR l.b IN (SELECT identifier FROM cw_base_seen)")
    return int(engine.run(sql).column("n")[0].as_py())


def seen_sql(with_base: bool) -> str:
    """Every identifier through which a link carries evidence to another: a number
    calling with no SIM given (its calls go to the SIMs linked to it) and whatever a
    find names (its linked SIMs and handsets share the find). A link changed between
    two others carries nothing of an earlier day."""
    parts = ["SELECT subject_msisdn AS identifier FROM call_records WHERE subject_imsi IS NULL"]
    # Fixed table and column names.
    parts += [f"SELECT {c} FROM cw_seizures" for c in ("imei", "imsi", "msisdn")]  # noqa: S608
    if with_base:
        parts.append("SELECT identifier FROM cw_base_seen")
    union = " UNION ALL ".join(parts)
    return (f"SELECT DISTINCT identifier FROM ({union}) x "  # noqa: S608
            "WHERE identifier IS NOT NULL")


def save_state(engine: AnalyticEngine, settings: Settings, run_id: int, with_base: bool) -> None:
    """Leave this run's state (``cw_f_state`` and the rest) for the next run."""
    root = state_dir(settings, run_id)
    if root.exists():
        shutil.rmtree(root)
    engine.save(f"SELECT {DAILY_COLUMNS} FROM cw_f_state", root / "daily")  # noqa: S608
    engine.save(f"SELECT {LINK_COLUMNS} FROM cw_links", root / "links")  # noqa: S608
    engine.save(seen_sql(with_base), root / "seen")
    for table in TIMED:
        engine.save(f"SELECT * FROM {table}", root / "tables" / table)  # noqa: S608


def prune_states(settings: Settings, keep_from: int) -> None:
    """Remove states of runs older than the newest :data:`KEEP_STATES` up to ``keep_from``."""
    root = settings.lake_dir / STATE_DIR
    if not root.is_dir():
        return
    ids = sorted(int(p.name.removeprefix("run-")) for p in root.glob("run-*")
                 if p.name.removeprefix("run-").isdigit())
    keep = {i for i in ids if i <= keep_from}
    keep = set(sorted(keep)[-KEEP_STATES:]) | {i for i in ids if i > keep_from}
    for i in ids:
        if i not in keep:
            shutil.rmtree(root / f"run-{i}", ignore_errors=True)
