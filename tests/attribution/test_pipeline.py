"""End to end on a hand-made estate: features, EM, scores, store, export, judgements."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cellwatch.attribution.export import COLUMNS, attribution_rows, export_attributions
from cellwatch.attribution.judgements import judge, undo
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import build_features
from cellwatch.attribution.run import attribute
from cellwatch.attribution.sources import open_engine
from cellwatch.attribution.views import device_view, prisoner_view
from cellwatch.errors import InvalidData
from cellwatch.settings import Settings
from cellwatch.store import AllowListEntry, Store

from . import estate


@pytest.fixture
def estate_store(settings: Settings, store: Store) -> Store:
    estate.build_store(store)
    estate.write_lake(settings)
    estate.write_calls(settings)
    return store


def _top(rows: list[dict[str, object]], identifier: str, day: str) -> dict[str, object]:
    live = [r for r in rows if r["identifier"] == identifier and r["status"] != "REJECTED"
            and str(r["valid_from"]) <= day <= str(r["valid_to"])]
    return max(live, key=lambda r: float(r["probability"]))  # type: ignore[arg-type]


def test_the_phone_is_attributed_to_the_prisoner_in_whose_cell_it_is(
        settings: Settings, estate_store: Store) -> None:
    report = attribute(settings, estate_store)
    rows = attribution_rows(estate_store)
    assert _top(rows, estate.IMEI, "2024-02-09")["prison_number"] == estate.OWNER
    assert _top(rows, estate.IMSI, "2024-02-09")["prison_number"] == estate.OWNER
    # The number reaches the owner through the SIM it is on.
    assert _top(rows, estate.MSISDN, "2024-02-09")["prison_number"] == estate.OWNER
    assert report.result.estimate.converged or report.result.estimate.iterations > 0
    # The run's scratch database (its materialised steps) is gone with it.
    assert list(settings.lake_dir.rglob("attribution-*.duckdb*")) == []


def test_probabilities_per_identifier_day_sum_to_at_most_one(
        settings: Settings, estate_store: Store) -> None:
    attribute(settings, estate_store)
    totals: dict[tuple[str, str], float] = {}
    for r in attribution_rows(estate_store):
        assert 0.0 <= float(r["probability"]) <= 1.0
        day = str(r["valid_from"])
        totals[(str(r["identifier"]), day)] = totals.get((str(r["identifier"]), day), 0.0) + float(
            r["probability"])
    assert max(totals.values()) <= 1.0 + 1e-6


def test_evidence_is_readable_with_weights(settings: Settings, estate_store: Store) -> None:
    attribute(settings, estate_store)
    view = prisoner_view(estate_store, estate.OWNER)
    items = [e for i in view["identifiers"] for r in i["timeline"] for e in r["evidence"]]
    texts = " ".join(e["description"] for e in items)
    assert "TST-A-1-01" in texts
    assert "PIN list" in texts
    assert all(isinstance(e["weight_log2"], float) for e in items)


def test_export_has_exactly_the_interchange_columns(
        settings: Settings, estate_store: Store, tmp_path: Path) -> None:
    attribute(settings, estate_store)
    out = tmp_path / "a.csv"
    n = export_attributions(estate_store, out)
    with out.open() as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert len(rows) == n > 0
    assert {r["status"] for r in rows} <= {"PROPOSED", "CONFIRMED", "REJECTED"}


def test_a_rejected_attribution_is_not_proposed_again_on_the_same_evidence(
        settings: Settings, estate_store: Store) -> None:
    attribute(settings, estate_store)
    j = judge(estate_store, "ATTRIBUTION", "IMEI", estate.IMEI, "PRISONER", estate.OWNER,
              "REJECTED", "phone belongs to a visitor, per search", "analyst")
    attribute(settings, estate_store)
    again = [r for r in attribution_rows(estate_store)
             if r["identifier"] == estate.IMEI and r["prison_number"] == estate.OWNER]
    assert all(r["status"] == "REJECTED" for r in again)
    undo(estate_store, j.id, "analyst")
    attribute(settings, estate_store)
    rows = attribution_rows(estate_store)
    assert _top(rows, estate.IMEI, "2024-02-09")["prison_number"] == estate.OWNER


def test_a_confirmed_attribution_takes_the_day(settings: Settings, estate_store: Store) -> None:
    judge(estate_store, "ATTRIBUTION", "IMEI", estate.IMEI, "PRISONER", estate.NEIGHBOUR,
          "CONFIRMED", "admitted in interview", "analyst")
    attribute(settings, estate_store)
    rows = [r for r in attribution_rows(estate_store) if r["identifier"] == estate.IMEI]
    confirmed = [r for r in rows if r["prison_number"] == estate.NEIGHBOUR]
    assert confirmed
    assert all(r["status"] == "CONFIRMED" for r in confirmed)
    assert all(float(r["probability"]) == 1.0 for r in confirmed)


def test_privileged_and_allow_listed_values_are_never_evidence(
        settings: Settings, estate_store: Store) -> None:
    with estate_store.session() as s:
        s.add(AllowListEntry(identifier_type="MSISDN", identifier=estate.FAMILY,
                             reason="PRIVILEGED"))
    attribute(settings, estate_store)
    view = device_view(estate_store, estate.IMEI)
    texts = " ".join(e["description"] for r in view["attributions"] for e in r["evidence"])
    assert "PIN list on 0 of" in texts or "PIN" not in texts


def test_a_judgement_needs_a_reason(estate_store: Store) -> None:
    with pytest.raises(InvalidData) as info:
        judge(estate_store, "ATTRIBUTION", "IMEI", estate.IMEI, "PRISONER", estate.OWNER,
              "REJECTED", "  ", "analyst")
    assert "reason" in info.value.errors



def test_the_days_own_calls_say_who_had_a_passed_phone(settings: Settings, store: Store) -> None:
    """Both men call their own PIN numbers from it within any window, so the window ties
    them (``l_pin`` alike); ``l_today`` says whose contacts it called that day."""
    estate.build_store(store)
    for day in range(10):
        party = estate.FAMILY if day % 2 == 0 else estate.NEIGHBOUR_CONTACT
        estate.write_calls(settings, days=1, first_day=day, parties=(party,))
    engine = open_engine(settings, store)
    try:
        build_features(engine, RunParams())
        rows = engine.run("SELECT eday, prison_number, l_pin, l_today FROM cw_f_vec "
                          "WHERE identifier_type = 'IMSI'").to_pylist()
    finally:
        engine.close()
    levels = {((r["eday"] - estate.START).days, r["prison_number"]): (r["l_pin"], r["l_today"])
              for r in rows}
    for day in range(3, 10):  # from day 3 each has called his own number on 2+ days
        caller = estate.OWNER if day % 2 == 0 else estate.NEIGHBOUR
        other = estate.NEIGHBOUR if caller == estate.OWNER else estate.OWNER
        assert levels[(day, caller)] == (3, 2)
        assert levels[(day, other)] == (3, 0)
