"""Materialised candidates: the stored set is the computation, refreshed after an ingest,
recomputed when stale, and read within the reader's establishments."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tro_estate import IMEI_A, IMSI_A, IMSI_B, IMSI_NEW, MSISDN_A, START, Estate

from cellwatch.access.principal import Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.access.service import Access, Page
from cellwatch.alerts.detect.run import run_after_ingest
from cellwatch.attribution.models import Attribution, AttributionRun
from cellwatch.cli import main
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.registry import ingest_file
from cellwatch.tro.candidates import find_candidates, write_candidates_csv
from cellwatch.tro.materialise import candidate_set, fresh_run, refresh
from cellwatch.tro.models import TroCandidate, TroCandidateRun
from cellwatch.tro.policy import parse_policy
from cellwatch.tro.service import orders as service


def _rich_lake(estate: Estate) -> None:
    """Detections at both prisons, calls via Hewell's mast, plus the fixture's seizure."""
    estate.detect("HEI-MA-1", [0, 1, 5, 9], IMSI_A, IMEI_A)
    estate.detect("BWI-MA-1", [0, 1, 2], "234150000000005", None, establishment="BWI")
    estate.calls([0, 2, 4], 52.3192, -1.9868, msisdn=MSISDN_A, imsi=IMSI_A)


def _ingest_detections(estate: Estate, tmp_path: Path, imsi: str, days: list[int]) -> IngestSummary:
    """Detections of ``imsi`` on Hewell's wing, through the real ingest (a batch)."""
    path = tmp_path / f"detections-{imsi}.csv"
    lines = ["ts,sensor_id,imsi"] + [
        f"{(START + timedelta(days=d)).strftime('%Y-%m-%dT%H:%M:%SZ')},HEI-MA-1,{imsi}"
        for d in days]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ctx = IngestContext(estate.store, estate.settings, "system")
    return ingest_file(ctx, "detections", path)


def _runs(estate: Estate) -> list[TroCandidateRun]:
    with estate.store.session() as s:
        return list(s.scalars(select(TroCandidateRun).order_by(TroCandidateRun.id)))


def test_materialised_set_equals_the_computation(estate: Estate) -> None:
    _rich_lake(estate)
    computed = find_candidates(estate.settings, estate.store)
    assert {c.establishment for c in computed} == {"HEI", "BWI"}
    assert {"DETECTION", "CALL", "SEIZURE"} <= {
        kind for c in computed for kind, n in
        (("DETECTION", c.detections), ("CALL", c.call_days), ("SEIZURE", c.seizures)) if n}
    run = refresh(estate.settings, estate.store)
    found = candidate_set(estate.settings, estate.store)
    assert found.materialised
    assert found.computed_at == run.computed_at
    # Every field, order included: evidence, operators, lists and timestamps survive the store.
    assert found.candidates == computed
    hei = candidate_set(estate.settings, estate.store, establishment="HEI").candidates
    assert hei == find_candidates(estate.settings, estate.store, establishment="HEI")


def test_export_from_the_stored_set_is_byte_for_byte_the_computed_one(
        estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _rich_lake(estate)
    refresh(estate.settings, estate.store)
    expected = tmp_path / "computed.csv"
    write_candidates_csv(find_candidates(estate.settings, estate.store), expected)
    monkeypatch.setenv("CELLWATCH_HOME", str(estate.settings.home))
    if estate.settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", estate.settings.database_url)
    out = tmp_path / "export.csv"
    assert main(["export", "tro-candidates", "--out", str(out)]) == 0
    assert out.read_bytes() == expected.read_bytes()
    with out.open(newline="") as handle:
        # Hewell: IMSI, IMEI, number and the seized SIM and handset; Berwyn: one IMSI.
        assert len(list(csv.DictReader(handle))) == 6
    assert len(_runs(estate)) == 1  # read from the run, not recomputed


def test_the_post_ingest_hook_refreshes_and_picks_up_a_new_candidate(
        estate: Estate, tmp_path: Path) -> None:
    before = candidate_set(estate.settings, estate.store)  # no run yet: computed and stored
    assert IMSI_NEW not in {c.identifier for c in before.candidates}
    summary = _ingest_detections(estate, tmp_path, IMSI_NEW, [0, 3, 6])
    assert summary.accepted == 3
    assert fresh_run(estate.store) is None  # the batch makes the stored set stale
    run_after_ingest(estate.settings, estate.store, [summary])
    run = fresh_run(estate.store)
    assert run is not None
    assert run.trigger == "ingest"
    assert run.batch_watermark == summary.batch_id
    after = candidate_set(estate.settings, estate.store)
    assert after.batch_watermark == summary.batch_id
    new = [c for c in after.candidates if c.identifier == IMSI_NEW]
    assert [(c.establishment, c.detection_days) for c in new] == [("HEI", 3)]
    assert [r.trigger for r in _runs(estate)] == ["read", "ingest"]


def test_a_stale_set_is_recomputed_by_its_reader(estate: Estate, tmp_path: Path) -> None:
    refresh(estate.settings, estate.store)
    # Ingested but the hook not run (as if it had failed): the next reader sees the batch.
    summary = _ingest_detections(estate, tmp_path, IMSI_NEW, [1, 2, 4])
    found = candidate_set(estate.settings, estate.store)
    assert IMSI_NEW in {c.identifier for c in found.candidates}
    assert found.batch_watermark == summary.batch_id
    assert _runs(estate)[-1].trigger == "read"


def test_a_batch_of_other_kinds_leaves_the_set_fresh(estate: Estate, tmp_path: Path) -> None:
    refresh(estate.settings, estate.store)
    path = tmp_path / "prisoners.csv"
    path.write_text("prison_number,surname,forenames\nA7654DE,Jones,Tom\n", encoding="utf-8")
    summary = ingest_file(IngestContext(estate.store, estate.settings, "a"), "prisoners", path)
    assert summary.accepted == 1
    run_after_ingest(estate.settings, estate.store, [summary])
    assert fresh_run(estate.store) is not None
    assert len(_runs(estate)) == 1


def test_older_runs_are_pruned_keeping_the_one_before(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    ids = [refresh(estate.settings, estate.store).id for _ in range(3)]
    assert [r.id for r in _runs(estate)] == ids[1:]
    with estate.store.session() as s:
        kept = set(s.scalars(select(TroCandidate.run_id).distinct()))
        per_run = s.scalar(select(func.count()).where(TroCandidate.run_id == ids[2]))
    assert kept == set(ids[1:])
    assert per_run == len(find_candidates(estate.settings, estate.store))


def test_another_policy_is_computed_not_stored(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1], IMSI_A, IMEI_A)
    lenient = parse_policy({"detections": {"min_days": 2}})
    found = candidate_set(estate.settings, estate.store, lenient)
    assert not found.materialised
    assert IMSI_A in {c.identifier for c in found.candidates}
    assert found.candidates == find_candidates(estate.settings, estate.store, lenient)
    assert _runs(estate) == []
    assert IMSI_A not in {c.identifier for c in candidate_set(estate.settings,
                                                              estate.store).candidates}


def test_attributions_show_without_a_refresh(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    refresh(estate.settings, estate.store)
    with estate.store.session() as s:
        run = AttributionRun(engine="duckdb", run_by="test", params={})
        s.add(run)
        s.flush()
        s.add(Attribution(run_id=run.id, identifier_type="IMSI", identifier=IMSI_A,
                          prison_number="A1234BC", probability=0.9, rank=1,
                          valid_from=date(2026, 3, 2), valid_to=date(2026, 3, 5)))
    found = {c.identifier: c for c in candidate_set(estate.settings, estate.store).candidates}
    assert found[IMSI_A].prison_numbers == ("A1234BC",)
    assert found[IMEI_A].prison_numbers == ()
    assert len(_runs(estate)) == 1


def _reader(establishments: frozenset[str] | None) -> Principal:
    kind = OrgKind.NATIONAL if establishments is None else OrgKind.ESTABLISHMENT
    return Principal("reader", 1, "ORG", kind, frozenset({Role.ANALYST}), establishments)


def test_readers_get_their_own_establishments_from_the_one_set(estate: Estate) -> None:
    _rich_lake(estate)
    refresh(estate.settings, estate.store)
    everything = find_candidates(estate.settings, estate.store)

    def seen(establishments: frozenset[str] | None, page: Page = Page(limit=500)) -> list[str]:
        access = Access(estate.store, _reader(establishments), estate.settings)
        return [f"{c.establishment}:{c.identifier}"
                for c in service.list_candidates(access, page=page)]

    assert seen(None) == [f"{c.establishment}:{c.identifier}" for c in everything]
    hewell = seen(frozenset({"HEI"}))
    assert hewell == [f"HEI:{c.identifier}" for c in everything if c.establishment == "HEI"]
    assert {IMSI_A, IMSI_B} <= {h.split(":")[1] for h in hewell}
    assert seen(frozenset({"BWI"})) == ["BWI:234150000000005"]
    assert seen(frozenset()) == []
    # Pages are cut after the scope, so a page holds only the reader's rows.
    assert seen(frozenset({"HEI"}), Page(limit=2, offset=1)) == hewell[1:3]
    assert len(_runs(estate)) == 1
