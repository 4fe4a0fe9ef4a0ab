"""Running the alert rules: each rule in ``rules.yaml`` has one detector here.

``run_rules`` runs every enabled rule (or those named), each in its own transactions,
then hands new alerts to delivery. Every ingest entry point (``cellwatch ingest``, the
API's ``POST /api/v1/ingest/{kind}``, the web upload, and quarantine retries through the
API and web) runs it once, afterwards, through :func:`run_after_ingest`; so does
``cellwatch attribute`` (and on demand, ``cellwatch alerts run``). Ingest handlers never
run rules themselves, so no entry point runs them twice. After an ingest it is
given the kinds loaded (``triggered_by``) and runs only the rules those kinds can fire
(``triggers`` in rules.yaml): loading sensors or locations costs a cheap date-driven rule,
not a scan of the lake. A rule that fails is reported and the others still run.
:func:`run_after_ingest` is also where the materialised TRO candidates are refreshed,
so every entry point does that once too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from cellwatch.alerts.detect.contact import protected_person_contacted
from cellwatch.alerts.detect.devices import (
    disconnected_identifier_reappeared,
    flagged_device_detected,
)
from cellwatch.alerts.detect.parole import parole_review_new_evidence
from cellwatch.alerts.detect.referrals import referral_overdue
from cellwatch.alerts.models import Alert
from cellwatch.alerts.raising import Raised
from cellwatch.alerts.rules import RuleSpec, load_rules
from cellwatch.errors import CellwatchError, ConfigError
from cellwatch.lake.rule_context import RuleContext
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.materialise import refresh_after_ingest

if TYPE_CHECKING:  # the framework is only a type here; importing it would be a cycle
    from cellwatch.ingest.model import IngestSummary

Detector = Callable[[RuleContext], list[Raised]]


def detectors() -> Mapping[str, Detector]:
    """Rule name -> detector (built on demand: no module-level registry)."""
    return {
        "PROTECTED_PERSON_CONTACTED": protected_person_contacted,
        "FLAGGED_DEVICE_DETECTED": flagged_device_detected,
        "DISCONNECTED_IDENTIFIER_REAPPEARED": disconnected_identifier_reappeared,
        "PAROLE_REVIEW_NEW_EVIDENCE": parole_review_new_evidence,
        "REFERRAL_ACKNOWLEDGEMENT_OVERDUE": referral_overdue,
    }


def check_rules(rules: Mapping[str, RuleSpec]) -> None:
    """Every detected rule has a detector and every detector a rule; else ConfigError."""
    have = set(detectors())
    detected = {n for n, spec in rules.items() if spec.detected}
    missing, spare = detected - have, have - detected
    if missing or spare:
        raise ConfigError(f"alert rules and detectors differ: no detector for "
                          f"{sorted(missing)}, no rule for {sorted(spare)}")


@dataclass
class RunResult:
    """What a run raised (new alerts) and updated in place per rule, which rules failed,
    and what delivery did."""

    raised: dict[str, list[int]] = field(default_factory=dict)
    updated: dict[str, list[int]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many new alerts."""
        return sum(len(v) for v in self.raised.values())


def run_rules(settings: Settings, store: Store, as_of: date | None = None,
              only: Sequence[str] = (), deliver: bool = True,
              triggered_by: Iterable[str] | None = None) -> RunResult:
    """Run the enabled rules (or ``only`` those) and deliver what they raise.

    ``triggered_by`` (ingest kinds, or ``attribution``) narrows the run to the enabled
    rules those inputs can fire; ``None`` runs them all.
    """
    rules = load_rules()
    check_rules(rules)
    unknown = [r for r in only if r.upper() not in rules]
    if unknown:
        raise ConfigError(f"unknown alert rule(s): {', '.join(unknown)}")
    if only:  # a rule its workflow raises (raised_by) has nothing to run here
        chosen = [r.upper() for r in only if rules[r.upper()].detected]
    else:
        chosen = [n for n, spec in rules.items() if spec.enabled and spec.detected]
    if triggered_by is not None:
        kinds = frozenset(triggered_by)
        chosen = [n for n in chosen if rules[n].triggered_by(kinds)]
    ctx = RuleContext(settings, store, as_of or date.today())
    result = RunResult()
    found = detectors()
    try:
        for name in chosen:
            try:
                outcomes = found[name](ctx)
                result.raised[name] = [r.alert.id for r in outcomes if r.new]
                result.updated[name] = [r.alert.id for r in outcomes
                                        if r.changed and not r.new]
            except CellwatchError as exc:
                result.failed[name] = exc.message
    finally:
        ctx.close()
    if deliver:
        from cellwatch.alerts.deliver import deliver_pending

        result.delivered = deliver_pending(settings, store)
    return result


def high_water(store: Store) -> int:
    """The newest alert's id (0 if none): alerts after it are new to the caller."""
    with store.session() as s:
        return int(s.scalar(select(func.max(Alert.id))) or 0)


def run_after(settings: Settings, store: Store, trigger: str, since: int = 0) -> int:
    """The rules after an ingest of kind ``trigger`` (or ``"attribution"``).

    Called once per ``cellwatch attribute``. Returns how many alerts now exist past
    ``since`` (:func:`high_water` taken before the work). A failing rule does not undo
    the work before it; ``cellwatch alerts run`` reports it.
    """
    run_rules(settings, store, triggered_by=(trigger,))
    with store.session() as s:
        return int(s.scalar(select(func.count(Alert.id)).where(Alert.id > since)) or 0)


def run_after_ingest(settings: Settings, store: Store,
                     summaries: Iterable[IngestSummary]) -> int:
    """The one post-ingest hook of every entry point; returns the alerts it raised.

    ``summaries`` are the files (or retries) of one request or command. After all of
    them, once: the TRO candidates are refreshed if the kinds that stored something feed
    them (:func:`cellwatch.tro.materialise.refresh_after_ingest`), then the rules those
    kinds can fire run (a file that was all duplicates or quarantine changes nothing a
    rule could see). A failing rule or refresh does not undo the ingest;
    ``cellwatch alerts run`` reports the rule, and the candidates' next reader recomputes.
    """
    kinds = sorted({s.kind for s in summaries if s.accepted or s.updated})
    if not kinds:
        return 0
    refresh_after_ingest(settings, store, kinds)
    return run_rules(settings, store, triggered_by=kinds).total
