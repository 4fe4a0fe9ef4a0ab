"""Candidates: the evidence policy applied over the lake and the store."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tro_estate import IMEI_A, IMEI_B, IMEI_STAFF, IMSI_A, IMSI_B, IMSI_STAFF, MSISDN_A, Estate

from cellwatch.errors import ConfigError
from cellwatch.tro.candidates import (
    EXPORT_COLUMNS,
    Candidate,
    find_candidates,
    write_candidates_csv,
)
from cellwatch.tro.policy import default_policy, load_policy, parse_policy


def _keyed(estate: Estate, with_seizure: bool = False) -> dict[tuple[str, str], Candidate]:
    """Candidates by (type, identifier); the fixture's seized handset left out unless asked."""
    found = find_candidates(estate.settings, estate.store)
    seized = {IMSI_B, IMEI_B}
    return {(c.identifier_type, c.identifier): c for c in found
            if with_seizure or c.identifier not in seized}


def test_detections_on_enough_days_inside_make_candidates(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1, 5, 9], IMSI_A, IMEI_A)
    found = _keyed(estate)
    imsi = found[("IMSI", IMSI_A)]
    assert imsi.establishment == "HEI"
    assert imsi.evidence_days == 4
    assert imsi.operator == "Vodafone UK"
    imei = found[("IMEI", IMEI_A)]
    # a handset's operator is the home network of the SIM last seen in it
    assert imei.operator == "Vodafone UK"
    assert imei.linked_imsis == (IMSI_A,)


def test_too_few_days_perimeter_and_rf_do_not_count(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1], IMSI_A, IMEI_A)
    estate.detect("HEI-MA-P", [0, 1, 2, 3, 4], IMSI_A, IMEI_A)
    estate.detect("HEI-RF-1", [5, 6, 7], IMSI_A, IMEI_A)
    assert _keyed(estate) == {}


def test_allow_listed_identifiers_and_their_companions_are_excluded(estate: Estate) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2, 3], IMSI_STAFF, IMEI_STAFF)
    estate.calls([0, 1, 2, 3], 52.3188, -1.9868, msisdn="+442079460000")
    assert _keyed(estate) == {}


def test_seizure_alone_qualifies_and_names_the_prisoner(estate: Estate) -> None:
    found = _keyed(estate, with_seizure=True)
    assert set(found) == {("IMSI", IMSI_B), ("IMEI", IMEI_B)}
    imsi = found[("IMSI", IMSI_B)]
    assert imsi.seizures == 1
    assert imsi.seizure_refs == ("HEI-SZ-1",)
    assert imsi.operator == "O2 (Virgin Media O2)"


def test_calls_served_by_the_prison_mast(estate: Estate) -> None:
    # ~50 m from Hewell: near enough; the same calls 5 km away are not evidence.
    estate.calls([0, 2, 4], 52.3192, -1.9868, msisdn=MSISDN_A, imsi=IMSI_A)
    estate.calls([0, 2, 4, 6], 52.3638, -1.9868, imsi="234150000000005")
    found = _keyed(estate)
    number = found[("MSISDN", MSISDN_A)]
    assert number.call_days == 3
    # the operator comes from the IMSI it was used with, never from the number
    assert number.operator == "Vodafone UK"
    assert ("IMSI", "234150000000005") not in found


def test_calls_by_configured_cell_id(estate: Estate) -> None:
    policy = parse_policy({"calls": {"cell_ids": {"BWI": ["234-15-99-1"]}}})
    estate.calls([0, 1, 2], 0.0, 0.0, imsi=IMSI_A, cell_id="234-15-99-1")
    found = find_candidates(estate.settings, estate.store, policy)
    assert [(c.identifier, c.establishment) for c in found if c.identifier_type == "IMSI"
            and c.identifier == IMSI_A] == [(IMSI_A, "BWI")]


def test_privileged_calls_are_never_analysed(estate: Estate) -> None:
    estate.calls([0, 1, 2], 52.3188, -1.9868, imsi=IMSI_A, other_party="+442079460000")
    assert ("IMSI", IMSI_A) not in _keyed(estate)


def test_establishment_filter(estate: Estate) -> None:
    estate.detect("BWI-MA-1", [0, 1, 2], IMSI_A, None, establishment="BWI")
    found = find_candidates(estate.settings, estate.store, establishment="BWI")
    assert [(c.identifier, c.establishment) for c in found] == [(IMSI_A, "BWI")]


def test_export_has_exactly_the_interchange_columns(estate: Estate, tmp_path: Path) -> None:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, IMEI_A)
    out = tmp_path / "c.csv"
    n = write_candidates_csv(find_candidates(estate.settings, estate.store), out)
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0].keys()) == EXPORT_COLUMNS
    assert len(rows) == n == 4  # IMSI and IMEI, plus the seized SIM and handset
    assert 0 < float(rows[0]["score"]) <= 1


def test_policy_is_validated_with_every_problem_reported(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("detections: {min_days: 0, sensor_kinds: [LASER]}\nbogus: 1\n")
    with pytest.raises(ConfigError) as info:
        load_policy(bad)
    for part in ("min_days", "LASER", "bogus"):
        assert part in info.value.message
    toml = tmp_path / "p.toml"
    toml.write_text("lookback_days = 30\n[calls]\nradius_m = 500\n")
    assert load_policy(toml).calls.radius_m == 500
    assert default_policy().detections.min_days == 3
