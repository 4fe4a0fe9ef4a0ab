"""Running the alert rules: each rule in ``rules.yaml`` has one detector here.

``run_rules`` runs every enabled rule (or those named), each in its own transactions,
then hands new alerts to delivery. It runs after ingest of the victim-protection kinds,
and is meant to run after every ingest and attribution run (``cellwatch alerts run`` on
demand). A rule that fails is reported and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.detect_contact import protected_person_contacted
from cellwatch.alerts.detect_devices import (
    disconnected_identifier_reappeared,
    flagged_device_detected,
)
from cellwatch.alerts.detect_parole import parole_review_new_evidence
from cellwatch.alerts.detect_referrals import referral_overdue
from cellwatch.alerts.models import Alert
from cellwatch.alerts.rules import RuleSpec, load_rules
from cellwatch.errors import CellwatchError, ConfigError
from cellwatch.settings import Settings
from cellwatch.store import Store

Detector = Callable[[RuleContext], list[Alert]]


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
    """Every rule has a detector and every detector a rule; else ConfigError."""
    have = set(detectors())
    missing, spare = set(rules) - have, have - set(rules)
    if missing or spare:
        raise ConfigError(f"alert rules and detectors differ: no detector for "
                          f"{sorted(missing)}, no rule for {sorted(spare)}")


@dataclass
class RunResult:
    """What a run raised per rule, which rules failed, and what delivery did."""

    raised: dict[str, list[int]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many new alerts."""
        return sum(len(v) for v in self.raised.values())


def run_rules(settings: Settings, store: Store, as_of: date | None = None,
              only: Sequence[str] = (), deliver: bool = True) -> RunResult:
    """Run the enabled rules (or ``only`` those) and deliver what they raise."""
    rules = load_rules()
    check_rules(rules)
    unknown = [r for r in only if r.upper() not in rules]
    if unknown:
        raise ConfigError(f"unknown alert rule(s): {', '.join(unknown)}")
    chosen = [r.upper() for r in only] or [n for n, spec in rules.items() if spec.enabled]
    ctx = RuleContext(settings, store, as_of or date.today())
    result = RunResult()
    found = detectors()
    try:
        for name in chosen:
            try:
                result.raised[name] = [a.id for a in found[name](ctx)]
            except CellwatchError as exc:
                result.failed[name] = exc.message
    finally:
        ctx.close()
    if deliver:
        from cellwatch.alerts.deliver import deliver_pending

        result.delivered = deliver_pending(settings, store)
    return result
