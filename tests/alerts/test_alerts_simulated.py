"""End to end on a tiny simulated estate: ingest every file in manifest order, attribute,
run the rules. Every planted harassment campaign that left a trace in the inputs (a call
or SMS in the operator returns, or a report of contact) is alerted exactly once, to its
prisoner; a second run raises and changes nothing."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from cellwatch.alerts.detect.run import run_rules
from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Attribution
from cellwatch.attribution.run import attribute
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.prisons import load_prisons
from cellwatch.ingest.registry import ingest_file
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.evidence import collect_for, gather
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import Store, open_store

RULE = "PROTECTED_PERSON_CONTACTED"
# tests/simulate's tiny scenario (two small prisons), for three weeks, with more campaigns.
TINY = {"run": {"days": 21, "chunk_days": 7, "rows_per_part": 1000},
        "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15},
        "campaigns": {"campaign_fraction_of_users": 0.5, "report_probability": 0.8}}


def _traced(out: Path) -> dict[str, str]:
    """Campaign person -> prisoner, for campaigns the inputs show."""
    campaign_calls = {r["prison_number"] for r in csv.DictReader(
        (out / "truth" / "call_records.csv").open()) if r["category"] == "CAMPAIGN"}
    reported = {r["person_ref"] for r in csv.DictReader((out / "contact_reports.csv").open())}
    return {c["person_ref"]: c["prison_number"] for c in csv.DictReader(
        (out / "truth" / "campaigns.csv").open())
        if c["prison_number"] in campaign_calls or c["person_ref"] in reported}


def test_campaigns_alerted_once(sqlite_settings: Settings, tmp_path: Path) -> None:
    scenario = scenario_from_mapping(TINY)
    out = simulate(scenario, 11, tmp_path / "sim", progress=False).out_dir
    store = open_store(sqlite_settings)
    ctx = IngestContext(store, sqlite_settings, "system")
    load_prisons(ctx)
    for f in json.loads((out / "manifest.json").read_text())["files"]:
        ingest_file(ctx, f["kind"], out / f["path"])
    attribute(sqlite_settings, store)
    first = run_rules(sqlite_settings, store, deliver=False)
    assert not first.failed
    again = run_rules(sqlite_settings, store, deliver=False)
    assert again.total == 0
    assert not any(again.updated.values()), "a run over the same facts changed alerts"

    traced = _traced(out)
    assert traced, "the scenario planted no traceable campaign"
    with store.session() as s:
        alerts = list(s.scalars(select(Alert).where(Alert.rule == RULE)))
    by_person: dict[str, list[str]] = {}
    for a in alerts:
        by_person.setdefault(str(a.person_ref), []).append(str(a.prison_number))
    for person, prisoner in traced.items():
        assert by_person.get(person) == [prisoner], (person, prisoner, by_person)
    _parole_detections_counted_ahead_are_counted_alike(sqlite_settings, store)
    store.dispose()


def _parole_detections_counted_ahead_are_counted_alike(settings: Settings, store: Store
                                                       ) -> None:
    """The parole rule counts every due prisoner's device detections in one scan: each
    prisoner's chronology is what a gather of its own (the summary's) makes."""
    with store.session() as s:
        prisoners = sorted(set(s.scalars(select(Attribution.prison_number))))
    alone = RuleContext(settings, store, date.today())
    ahead = RuleContext(settings, store, date.today())
    evidence = collect_for(ahead, prisoners)
    assert evidence.days, "no attributed device was detected"
    try:
        for pn in prisoners:
            assert gather(ahead, pn, evidence) == gather(alone, pn), pn
        assert any(e.kind == "DETECTIONS" for pn in prisoners
                   for e in gather(ahead, pn, evidence))
    finally:
        alone.close()
        ahead.close()
