"""The rules: documented, one detector each, and each raises once per fact."""

from __future__ import annotations

from pathlib import Path

import pytest
from protect_support import (
    MSISDN,
    PRISONER,
    TODAY,
    VICTIM_NUMBER,
    estate,
    graph,
    load,
    report,
    write,
)
from sqlalchemy import select

from cellwatch.alerts import Alert, load_rules
from cellwatch.alerts.detect.run import check_rules, detectors, run_after_ingest, run_rules
from cellwatch.alerts.rules import parse_rules
from cellwatch.errors import ConfigError
from cellwatch.settings import Settings
from cellwatch.store import Store


def test_every_rule_is_documented_and_has_a_detector() -> None:
    rules = load_rules()
    check_rules(rules)
    assert {n for n, r in rules.items() if r.detected} == set(detectors())
    # The rest are raised by their workflow (TRO's verification scan and escalation).
    assert {r.raised_by for r in rules.values() if not r.detected} == {"tro"}
    assert all(len(r.description) > 40 and r.episode for r in rules.values())


def test_rule_validation_collects_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        parse_rules({"bad rule": {"severity": "LOUD", "channels": ["pigeon"], "x": 1}})
    text = info.value.message
    for word in ("UPPER_SNAKE", "description", "severity", "channels", "unknown keys"):
        assert word in text


def _contact_alerts(store: Store) -> list[Alert]:
    with store.session() as s:
        return list(s.scalars(select(Alert).where(Alert.rule == "PROTECTED_PERSON_CONTACTED")))


def test_report_then_call_records_alert_once(store: Store, settings: Settings,
                                             tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    graph(store)
    summary = report(ctx, tmp_path, "CR-1", "07700 900222")
    # What every ingest entry point (CLI, API, web) runs once after its files.
    run_after_ingest(settings, store, [summary])
    (alert,) = _contact_alerts(store)
    assert alert.prison_number == PRISONER
    assert alert.person_ref == "PP-1"
    assert VICTIM_NUMBER not in alert.summary
    assert "900111" not in alert.summary
    load(ctx, "call_records", write(tmp_path / "cdr.csv", [
        {"operator": "EE", "record_type": "SMS", "start_ts": "2026-10-11T20:00:00Z",
         "direction": "MO", "subject_msisdn": MSISDN, "other_party": "07700900111"}]))
    result = run_rules(settings, store, as_of=TODAY, only=["PROTECTED_PERSON_CONTACTED"])
    assert result.total == 0
    assert not result.failed
    assert len(_contact_alerts(store)) == 1


def test_call_records_alone_find_the_contact(store: Store, settings: Settings,
                                             tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    graph(store)
    load(ctx, "call_records", write(tmp_path / "cdr.csv", [
        {"operator": "EE", "record_type": "VOICE", "start_ts": "2026-10-11T20:00:00Z",
         "direction": "MO", "subject_msisdn": MSISDN, "other_party": "+44 7700 900111"}]))
    result = run_rules(settings, store, as_of=TODAY)
    assert not result.failed
    (alert,) = _contact_alerts(store)
    assert alert.prison_number == PRISONER
    assert "call(s)/SMS" in alert.summary


def test_unresolved_report_alerts_the_named_prisoner_unconfirmed(
        store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    run_after_ingest(settings, store, [report(ctx, tmp_path, "CR-1", "07700 900999")])
    (alert,) = _contact_alerts(store)
    assert alert.prison_number == PRISONER
    assert "UNCONFIRMED" in alert.summary


def test_parole_window_raises_one_alert_per_review_updated_in_place(
        store: Store, settings: Settings, tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    graph(store)
    first = run_rules(settings, store, as_of=TODAY, only=["PAROLE_REVIEW_NEW_EVIDENCE"])
    (alert_id,) = first.raised["PAROLE_REVIEW_NEW_EVIDENCE"]
    with store.session() as s:
        before = s.get(Alert, alert_id)
        assert before is not None
        items = list((before.details or {})["items"])
    again = run_rules(settings, store, as_of=TODAY, only=["PAROLE_REVIEW_NEW_EVIDENCE"])
    assert again.total == 0
    assert again.updated["PAROLE_REVIEW_NEW_EVIDENCE"] == []
    # A report of contact arrives: the same alert gains the item; no second alert.
    report(ctx, tmp_path, "CR-1", "07700 900222")
    third = run_rules(settings, store, as_of=TODAY, only=["PAROLE_REVIEW_NEW_EVIDENCE"])
    assert third.total == 0
    assert third.updated["PAROLE_REVIEW_NEW_EVIDENCE"] == [alert_id]
    with store.session() as s:
        after = s.get(Alert, alert_id)
        assert after is not None
        grown = (after.details or {})["items"]
        assert set(items) < set(grown)
        assert any(i.startswith("report:") for i in grown)
        assert after.as_of == TODAY
        assert after.updated_ts is not None
    assert list(settings.reports_dir.glob(f"parole-{PRISONER}-*.pdf"))
    narrow = settings.model_copy(update={"parole_window_weeks": 2})
    assert run_rules(narrow, store, as_of=TODAY).raised["PAROLE_REVIEW_NEW_EVIDENCE"] == []


def test_ingest_alone_runs_no_rules_and_the_shared_run_raises_once(
        store: Store, settings: Settings, tmp_path: Path) -> None:
    # The handlers used to run the rules per file and the CLI again afterwards; now only
    # the entry points' one shared run does.
    ctx = estate(store, settings, tmp_path)
    graph(store)
    summary = report(ctx, tmp_path, "CR-1", "07700 900222")
    assert _contact_alerts(store) == []
    raised = run_after_ingest(settings, store, [summary])
    assert len(_contact_alerts(store)) == 1
    assert raised >= 1  # the contact, and whatever else the report can fire
    # The same file again stores nothing new, so there is nothing for the rules to see.
    again = report(ctx, tmp_path, "CR-1", "07700 900222")
    assert run_after_ingest(settings, store, [again]) == 0
    assert len(_contact_alerts(store)) == 1
