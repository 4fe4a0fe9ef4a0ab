"""The ``intelligence_reports`` kind: grading, subjects, identifiers, releases, quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_support import count, load, write_csv
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import IntelligenceRelease, IntelligenceReport, IntelligenceSubject
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.quarantine import retry_rows
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import QuarantinedRow, Store

HEADER = ["report_ref", "ts", "establishment", "source_evaluation", "intelligence_assessment",
          "handling_code", "handling_conditions", "subjects", "identifiers", "text"]


def row(ref: str, **over: str) -> dict[str, str]:
    """A valid report about A1111AA at Hewell, overridden field by field."""
    base = {"report_ref": ref, "ts": "2026-05-02T10:00:00Z", "establishment": "HEI",
            "source_evaluation": "2", "intelligence_assessment": "b", "handling_code": "P",
            "handling_conditions": "", "subjects": "A1111AA", "identifiers": "07700 900123",
            "text": "uses a phone on B wing"}
    return {**base, **over}


@pytest.fixture
def ctx(store: Store, settings: Settings) -> IngestContext:
    """The fixture estate, ingested into by the Hewell supervisor."""
    build_estate(store)
    return IngestContext(store, settings, "hei_supervisor")


def _report(store: Store, ref: str) -> tuple[IntelligenceReport, list[str], list[str]]:
    with store.session() as s:
        report = s.scalars(select(IntelligenceReport)
                           .where(IntelligenceReport.report_ref == ref)).one()
        subjects = sorted(s.scalars(select(IntelligenceSubject.prison_number)
                                    .where(IntelligenceSubject.report_id == report.id)))
        releases = sorted(s.scalars(select(IntelligenceRelease.org_code)
                                    .where(IntelligenceRelease.report_id == report.id)))
        s.expunge(report)
        return report, subjects, releases


def test_reports_go_in_graded_with_subjects_identifiers_and_releases(
        ctx: IngestContext, tmp_path: Path) -> None:
    rows = [row("IR-1", subjects="a1111aa; A2222BB", identifiers="+44 7700 900123;"
                "35-209900-176148-1"),
            row("IR-2", handling_code="c", handling_conditions="Disseminate to WMP and PAROLE")]
    summary = load(ctx, "intelligence-reports", write_csv(tmp_path / "ir.csv", rows, HEADER))
    assert (summary.accepted, summary.quarantined) == (2, 0)
    report, subjects, releases = _report(ctx.store, "IR-1")
    assert (report.source_evaluation, report.intelligence_assessment) == ("2", "B")
    assert report.identifiers == ["+447700900123", "352099001761481"]
    assert report.owner_org == "HEI-SIT"
    assert report.batch_id == summary.batch_id
    assert report.source_line == 2
    assert subjects == ["A1111AA", "A2222BB"]
    assert releases == []
    report, _, releases = _report(ctx.store, "IR-2")
    assert report.handling_code == "C"
    assert releases == ["PAROLE", "WMP"]


def test_bad_rows_are_quarantined_with_their_reasons(ctx: IngestContext, tmp_path: Path) -> None:
    rows = [row("IR-C", handling_code="C"),
            row("IR-S", subjects="A9999ZZ"),
            row("IR-N", subjects="not-a-number"),
            row("IR-I", identifiers="07700 900123;12345"),
            row("IR-G", source_evaluation="4", intelligence_assessment="F"),
            row("IR-E", establishment="XXX"),
            row("IR-OK")]
    summary = load(ctx, "intelligence_reports", write_csv(tmp_path / "ir.csv", rows, HEADER))
    assert (summary.accepted, summary.quarantined) == (1, 6)
    with ctx.store.session() as s:
        found = {q.raw["report_ref"]: {p["field"] for p in q.problems}
                 for q in s.scalars(select(QuarantinedRow))}
    assert found == {"IR-C": {"handling_conditions"}, "IR-S": {"subjects"},
                     "IR-N": {"subjects"}, "IR-I": {"identifiers"},
                     "IR-G": {"source_evaluation", "intelligence_assessment"},
                     "IR-E": {"establishment"}}


def test_same_file_twice_is_a_no_op_and_a_changed_report_updates(
        ctx: IngestContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ir.csv", [row("IR-1")], HEADER)
    load(ctx, "intelligence_reports", path)
    again = ingest_file(ctx, "intelligence_reports", path)
    assert again.accepted == 0
    assert count(ctx.store, IntelligenceReport) == 5
    changed = write_csv(tmp_path / "ir2.csv", [row("IR-1", subjects="A2222BB", handling_code="C",
                                                   handling_conditions="NIU only")], HEADER)
    summary = load(ctx, "intelligence_reports", changed)
    assert summary.updated == 1
    _, subjects, releases = _report(ctx.store, "IR-1")
    assert subjects == ["A2222BB"]
    assert releases == ["NIU"]


def test_a_row_waiting_for_its_prisoner_goes_in_on_retry(
        ctx: IngestContext, tmp_path: Path) -> None:
    load(ctx, "intelligence_reports",
         write_csv(tmp_path / "ir.csv", [row("IR-W", subjects="B1234CD")], HEADER))
    write_csv(tmp_path / "p.csv", [{"prison_number": "B1234CD", "surname": "New",
                                    "forenames": "Arrival", "establishment": "HEI"}],
              ["prison_number", "surname", "forenames", "establishment"])
    load(ctx, "prisoners", tmp_path / "p.csv")
    [summary] = retry_rows(ctx, kind="intelligence_reports")
    assert summary.accepted == 1
    assert _report(ctx.store, "IR-W")[1] == ["B1234CD"]


def test_jsonl_works_too(ctx: IngestContext, tmp_path: Path) -> None:
    path = tmp_path / "ir.jsonl"
    path.write_text(json.dumps(row("IR-J")) + "\n", encoding="utf-8")
    assert load(ctx, "intelligence_reports", path).accepted == 1


def test_the_simulators_reports_go_in_without_quarantine(store: Store, settings: Settings,
                                                         tmp_path: Path) -> None:
    scenario = scenario_from_mapping({
        "run": {"days": 10, "chunk_days": 4, "rows_per_part": 1000},
        "estate": {"establishments": 2, "codes": ["HEI", "MDI"], "capacity_scale": 0.15}})
    out = simulate(scenario, 3, tmp_path / "sim", progress=False).out_dir
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ctx = IngestContext(store, settings, "system")
    wanted = {"establishments", "locations", "prisoners", "intelligence_reports"}
    summaries = [load(ctx, f["kind"], out / f["path"]) for f in manifest["files"]
                 if f["kind"] in wanted]
    intel = summaries[-1]
    assert intel.kind == "intelligence_reports"
    assert intel.read > 0
    assert intel.quarantined == 0, intel.reasons
    assert count(store, IntelligenceSubject) >= intel.accepted


@pytest.mark.parametrize(("user", "written"), [
    ("hei_supervisor", {"HEI"}),                       # an establishment's team: its own
    ("wm_analyst", {"HEI", "BWI"}),                    # a region: its region's
    ("nat_analyst", {"HEI", "BWI", "LEI"}),            # a national unit: anywhere
    ("no_such_user", set()),                           # nobody: nowhere
])
def test_rows_outside_the_writers_scope_are_quarantined(
        store: Store, settings: Settings, tmp_path: Path, user: str, written: set[str]) -> None:
    build_estate(store)
    ctx = IngestContext(store, settings, user)
    rows = [row(f"IR-{est}", establishment=est, subjects="") for est in ("HEI", "BWI", "LEI")]
    summary = load(ctx, "intelligence_reports", write_csv(tmp_path / "ir.csv", rows, HEADER))
    assert (summary.accepted, summary.quarantined) == (len(written), 3 - len(written))
    with store.session() as s:
        stored = set(s.scalars(select(IntelligenceReport.establishment).where(
            IntelligenceReport.report_ref.in_(["IR-HEI", "IR-BWI", "IR-LEI"]))))
        refused = {(q.raw["establishment"], q.field) for q in s.scalars(select(QuarantinedRow))}
    assert stored == written
    assert refused == {(est, "establishment") for est in {"HEI", "BWI", "LEI"} - written}
