"""IMSI parsing and home operators: the UK table, stdnum for the world."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identifier_strategies import digit_strings

from cellwatch.errors import InvalidFormat, InvalidLength, UnknownComponent
from cellwatch.identifiers import IdentifierType, home_operator, parse_imsi


def _uk_rows() -> list[dict[str, str]]:
    path = resources.files("cellwatch.identifiers").joinpath("data").joinpath("uk-networks.csv")
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_vodafone_uk() -> None:
    info = parse_imsi("234150123456789")
    assert info.type is IdentifierType.IMSI
    assert info.value == "234150123456789"
    assert (info.details["mcc"], info.details["mnc"], info.details["msin"]) == (
        "234",
        "15",
        "0123456789",
    )
    assert info.details["operator"] == "Vodafone UK"
    assert info.details["country"] == "United Kingdom"
    assert home_operator("234150123456789") == "Vodafone UK"


@pytest.mark.parametrize(
    ("imsi", "operator"),
    [
        ("234301234567890", "EE"),
        ("234331234567890", "EE"),
        ("234101234567890", "O2 (Virgin Media O2)"),
        ("234201234567890", "Three UK"),
        ("234571234567890", "Sky Mobile"),
        ("234261234567890", "Lycamobile"),
        ("234871234567890", "Lebara"),
        ("234501234567890", "JT"),
        ("234551234567890", "Sure Mobile"),
        ("234581234567890", "Manx Telecom"),
        ("234761234567890", "BT"),
        ("235941234567890", "Three UK"),
    ],
)
def test_uk_networks(imsi: str, operator: str) -> None:
    assert home_operator(imsi) == operator


def test_mvnos_on_o2_are_explained() -> None:
    notes = " ".join(parse_imsi("234101234567890").notes)
    assert "giffgaff" in notes
    assert "Tesco Mobile" in notes


def test_crown_dependencies_name_their_territory() -> None:
    assert parse_imsi("234500123456789").details["territory"] == "Jersey"
    assert parse_imsi("234580123456789").details["territory"] == "Isle of Man"


def test_us_three_digit_mnc_from_stdnum() -> None:
    info = parse_imsi("310150123456789")
    assert (info.details["mcc"], info.details["mnc"]) == ("310", "150")
    assert info.details["operator"] == "AT&T"
    assert info.details["country"] == "United States of America"


def test_fourteen_digit_imsi_with_separators() -> None:
    assert parse_imsi("234-15-012345678").value == "23415012345678"


def test_unknown_mnc_in_known_country_is_accepted_with_a_note() -> None:
    info = parse_imsi("234990123456789")
    assert "operator" not in info.details
    assert home_operator("234990123456789") is None
    assert any("MNC 99 is not on record" in n for n in info.notes)


def test_unknown_mcc() -> None:
    with pytest.raises(UnknownComponent, match="unknown MCC 123"):
        parse_imsi("123450123456789")


def test_wrong_length() -> None:
    with pytest.raises(InvalidLength, match="14 or 15 digits; got 13"):
        parse_imsi("2341501234567")


def test_letters() -> None:
    with pytest.raises(InvalidFormat):
        parse_imsi("23415012345678X")


def test_uk_table_is_two_digit_and_unique() -> None:
    rows = _uk_rows()
    keys = [(r["mcc"], r["mnc"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["mcc"] in ("234", "235") and len(r["mnc"]) == 2 for r in rows)
    assert all(r["operator"] for r in rows)


@given(st.sampled_from(_uk_rows()), digit_strings(9, 10))
def test_every_uk_network_round_trips(row: dict[str, str], msin: str) -> None:
    imsi = row["mcc"] + row["mnc"] + msin
    info = parse_imsi(imsi)
    assert info.value == imsi
    assert info.details["operator"] == row["operator"]
    assert parse_imsi(info.display).value == imsi
