"""Attribution runs through the policy: ``cellwatch attribute`` and ``cellwatch evaluate``.

:mod:`cellwatch.attribution` trusts its caller; the shells come through here. A run
re-attributes every identifier of the estate, changing what every team sees (and what
each later run proposes); scoring it reads every attribution. Both take the judgement
permission (``attribution``: update, held by analysts and supervisors) over the whole
estate, so only a national unit's analysts and supervisors, or the local ``system``, run
them. A refusal is audited (``update`` on ``attribution``, denied); a run as ``attribute``
and a score as ``evaluate``, resource ``run N``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.errors import ConfigError, Denied
from cellwatch.settings import Settings
from cellwatch.store import Store

if TYPE_CHECKING:
    from cellwatch.attribution.params import RunParams
    from cellwatch.attribution.run import RunReport
    from cellwatch.attribution.service.matrix import WorldResult


def guard_queue_fresh(settings: Settings, store: Store) -> None:
    """Bring the guard's queue up to the lake before a run reads it.

    Attribution leaves out what the guard holds (``sources.load_store_tables``), and the
    queue is recomputed with the TRO candidates after an ingest through the services. An
    ingest that did not recompute it (the library's ``ingest_file``, as the evaluation
    matrix calls it, or a refresh that failed after an ingest) left the queue older than
    the lake: an unlisted staff phone the guard would hold was then attributed (issue 14:
    in development world 1004 seed 1 a staff phone's IMEI and IMSI named one prisoner at
    0.90 on 9 days each, all wrong). Before every run the shells and the evaluation start,
    the candidates are recomputed, with the queue, whenever an evidence batch is newer than
    their newest run, as a reader of the candidates would. A refresh that fails stops the
    run: it reads the same lake, and a run on a stale queue is the failure this prevents.
    """
    # Here, in the service, not in the domain's run: tro reads attributions, so the
    # attribution package may not import it (tests/test_layers.py, no package cycle).
    from cellwatch.tro.materialise import fresh_run, refresh

    if fresh_run(store) is None:
        refresh(settings, store, trigger="attribute")


def check_run(access: Access, what: str) -> None:
    """Decide running (or scoring) attribution: the judgement permission over the whole
    estate; ``what`` names it in the refusal."""
    p = access.principal
    target = Target(Resource.ATTRIBUTION)
    with access.transaction():
        access.check(Action.UPDATE, target, role_only=True)
        if p.establishments is not None:
            # The policy would say "no establishment is outside the scope": say why instead.
            raise Denied(f"{p.username} may not {what}: a run covers the whole estate, so "
                         "only a national unit's analysts and supervisors (or the local "
                         "system) run it", Action.UPDATE, target, None)


def _settings(access: Access) -> Settings:
    if access.settings is None:
        raise ConfigError("attribution runs need settings (the lake) on the Access")
    return access.settings


def _audit(access: Access, action: str, run_id: int, detail: dict[str, Any]) -> None:
    with access.transaction() as s:
        access.audit(s, action, Target(Resource.ATTRIBUTION, f"run {run_id}"), detail=detail)


def run_attribution(access: Access, params: RunParams, rebuild: bool = False) -> RunReport:
    """A new attribution run over the whole estate, decided and audited: it continues the
    last run where it can (the days new evidence touches), or ``rebuild`` recomputes all."""
    from cellwatch.attribution.run import attribute

    check_run(access, "run attribution")
    guard_queue_fresh(_settings(access), access.store)
    report = attribute(_settings(access), access.store, params, rebuild=rebuild)
    _audit(access, "attribute", report.run_id, {
        "attributions": report.attributions, "identifiers": report.identifiers,
        "links_added": report.links.added, **report.plan.as_dict()})
    return report


def attribute_and_alert(access: Access, window_days: int = 14,
                        rebuild: bool = False) -> tuple[RunReport, int]:
    """A run (:func:`run_attribution`) over a trailing window of ``window_days``, then the
    alert rules a run can fire (new attributions, new links); the report and the number
    of alerts raised since the run began."""
    from cellwatch.alerts.detect.run import high_water, run_after
    from cellwatch.attribution.params import RunParams

    before = high_water(access.store)
    report = run_attribution(access, RunParams(window_days=window_days), rebuild)
    return report, run_after(_settings(access), access.store, "attribution", before)

def evaluate_attribution(access: Access, truth: Path, out: Path,
                         ceiling: bool = False) -> dict[str, Any]:
    """Score the latest run against a simulator's truth, decided and audited; writes the
    evaluation (aggregates and plots) into ``out``; ``ceiling`` adds the evidence ceiling."""
    from cellwatch.attribution.export import latest_run
    from cellwatch.attribution.report import evaluate_latest

    check_run(access, "evaluate attribution")
    run_id = latest_run(access.store)
    doc = evaluate_latest(_settings(access), access.store, truth, out, ceiling)
    _audit(access, "evaluate", run_id, {"out": str(out), "ceiling": ceiling})
    return doc


def evaluate_matrix(access: Access, work: Path, world_seeds: list[int],
                    seeds: list[int]) -> list[WorldResult]:
    """Randomised worlds x seeds, each simulated, ingested, attributed and evaluated in
    its own store under ``work`` (:mod:`cellwatch.attribution.service.matrix`), decided as
    ``evaluate`` is and audited once; the principal's own store is not touched."""
    from cellwatch.attribution.service.matrix import run_matrix

    check_run(access, "evaluate attribution")
    results = run_matrix(work, world_seeds, seeds)
    with access.transaction() as s:
        access.audit(s, "evaluate", Target(Resource.ATTRIBUTION, "matrix"), detail={
            "work": str(work), "world_seeds": world_seeds, "seeds": seeds})
    return results


def latest_run(access: Access) -> dict[str, Any] | None:
    """The last finished attribution run, as an operator checks a nightly job: when, how
    (increment, rescore, rebuild) and why, and when its estimate was fitted and is due to
    be fitted again. None before any run. Estate-wide facts with no person in them, for
    the roles that see what is loaded (the ingest batches' readers, as ``cellwatch
    status`` asks)."""
    from cellwatch.attribution.increment import last_run_state

    access.require_role(Action.READ, Resource.INGEST_BATCH)
    return last_run_state(access.store, _settings(access).attribution_refit_days)

