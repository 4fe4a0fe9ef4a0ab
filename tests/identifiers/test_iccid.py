"""ICCID parsing: E.118 layout, Luhn, issuer prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identifier_strategies import spaced, valid_uk_iccids, with_luhn

from cellwatch.errors import InvalidChecksum, InvalidFormat, InvalidLength, UnknownComponent
from cellwatch.identifiers import IdentifierType, parse_iccid

UK = "8944110068012345679"  # 894411006801234567 + Luhn digit 9


def test_uk_iccid() -> None:
    info = parse_iccid(UK)
    assert info.type is IdentifierType.ICCID
    assert info.value == UK
    assert info.display == "8944 1100 6801 2345 679"
    assert info.details["country_code"] == "44"
    assert info.details["country"] == "United Kingdom"
    assert info.details["issuer_prefix"] == "894411"
    assert info.details["check_digit"] == "9"


def test_spaces_and_trailing_filler() -> None:
    assert parse_iccid("8944 1100 6801 2345 679").value == UK
    info = parse_iccid(UK + "F")
    assert info.value == UK
    assert any("filler" in n for n in info.notes)


def test_north_american_zero_padded_country_code() -> None:
    info = parse_iccid(with_luhn("890126012345678901"))
    assert info.details["country_code"] == "1"
    assert info.details["region"] == "US"


def test_twenty_digits_checked_over_all_twenty() -> None:
    info = parse_iccid(with_luhn("8933012345678901234"))
    assert info.details["country"] == "France"
    assert len(info.value) == 20


def test_bad_check_digit() -> None:
    with pytest.raises(InvalidChecksum, match="ICCID check digit should be 9, got 1"):
        parse_iccid("8944110068012345671")


def test_must_start_with_89() -> None:
    with pytest.raises(InvalidFormat, match="start with 89"):
        parse_iccid(with_luhn("764411006801234567"))


def test_length() -> None:
    with pytest.raises(InvalidLength, match="19 or 20 digits; got 18"):
        parse_iccid("894411006801234567")


def test_unknown_country_code() -> None:
    with pytest.raises(UnknownComponent, match="country code"):
        parse_iccid(with_luhn("898011006801234567"))


@given(valid_uk_iccids, st.data())
def test_valid_uk_iccids_round_trip(iccid: str, data: st.DataObject) -> None:
    info = parse_iccid(data.draw(spaced(iccid)))
    assert info.value == iccid
    assert parse_iccid(info.display).value == iccid
    assert info.details["issuer_prefix"] == iccid[:6]


@given(valid_uk_iccids, st.integers(min_value=4, max_value=18), st.integers(1, 9))
def test_single_digit_corruption_is_rejected(iccid: str, position: int, shift: int) -> None:
    corrupted = iccid[:position] + str((int(iccid[position]) + shift) % 10) + iccid[position + 1 :]
    with pytest.raises(InvalidChecksum):
        parse_iccid(corrupted)
