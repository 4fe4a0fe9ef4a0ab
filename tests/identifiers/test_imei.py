"""IMEI and IMEISV parsing: real examples, then properties over every valid IMEI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identifier_strategies import spaced, valid_imeis, with_luhn

from cellwatch.errors import InvalidChecksum, InvalidFormat, InvalidLength
from cellwatch.identifiers import IdentifierType, parse_imei


def test_valid_imei_is_accepted_as_is() -> None:
    info = parse_imei("490154203237518")
    assert info.type is IdentifierType.IMEI
    assert info.value == "490154203237518"
    assert info.display == "49-015420-323751-8"
    assert info.details["tac"] == "49015420"
    assert info.details["make"] == "Nokia"
    assert info.details["model"] == "3110"


def test_separators_are_tolerated() -> None:
    assert parse_imei("35-209900-176148-1").value == "352099001761481"
    assert parse_imei(" 35 209900 176148 1 ").value == "352099001761481"
    assert parse_imei("35.209900.176148.1").value == "352099001761481"


def test_tac_make_and_model_are_noted_with_credit() -> None:
    info = parse_imei(with_luhn("35675904000001"))
    assert (info.details["make"], info.details["model"]) == ("Oppo", "N1")
    assert any(n.startswith("TAC 35675904: Oppo N1") and "Harald Welte" in n for n in info.notes)


def test_unknown_tac_is_said_so() -> None:
    info = parse_imei(with_luhn("12345678000001"))
    assert "make" not in info.details
    assert any("not in the Osmocom TAC database" in n for n in info.notes)


def test_imeisv_normalises_to_imei_and_keeps_sv() -> None:
    info = parse_imei("35-209900-176148-12")
    assert info.value == "352099001761481"
    assert info.details["sv"] == "12"
    assert info.details["imeisv"] == "3520990017614812"
    assert any("IMEISV given; software version 12" in n for n in info.notes)


def test_fourteen_digits_get_their_check_digit() -> None:
    info = parse_imei("49015420323751")
    assert info.value == "490154203237518"
    assert any("check digit 8 computed" in n for n in info.notes)


def test_bad_check_digit_says_which_digit_it_should_be() -> None:
    with pytest.raises(InvalidChecksum, match="IMEI check digit should be 8, got 3"):
        parse_imei("490154203237513")


def test_spare_zero_from_a_network_capture_is_explained() -> None:
    with pytest.raises(InvalidChecksum, match=r"should be 8, got 0 .*14-digit body"):
        parse_imei("490154203237510")


@pytest.mark.parametrize("text", ["4901542032375", "49015420323751800", ""])
def test_wrong_length_is_invalid_length(text: str) -> None:
    with pytest.raises((InvalidLength, InvalidFormat)):
        parse_imei(text)


def test_wrong_length_message_counts_digits() -> None:
    with pytest.raises(InvalidLength, match="got 13"):
        parse_imei("4901542032375")


def test_letters_are_invalid_format() -> None:
    with pytest.raises(InvalidFormat, match="found 'O'"):
        parse_imei("49O154203237518")


def test_all_zero_placeholder_is_refused() -> None:
    with pytest.raises(InvalidFormat, match="placeholder"):
        parse_imei("000000000000000")


@given(valid_imeis)
def test_every_valid_imei_is_accepted(imei: str) -> None:
    info = parse_imei(imei)
    assert info.value == imei
    assert info.details["tac"] == imei[:8]


@given(valid_imeis)
def test_display_round_trips(imei: str) -> None:
    info = parse_imei(imei)
    assert parse_imei(info.display).value == imei


@given(st.data(), valid_imeis)
def test_separators_anywhere_round_trip(data: st.DataObject, imei: str) -> None:
    assert parse_imei(data.draw(spaced(imei))).value == imei


@given(valid_imeis)
def test_every_single_digit_corruption_is_rejected(imei: str) -> None:
    for position in range(15):
        for digit in "0123456789":
            if digit == imei[position]:
                continue
            corrupted = imei[:position] + digit + imei[position + 1 :]
            with pytest.raises(InvalidChecksum):
                parse_imei(corrupted)


@given(valid_imeis, st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_imeisv_of_any_imei_normalises_to_it(imei: str, sv: str) -> None:
    info = parse_imei(imei[:14] + sv)
    assert info.value == imei
    assert info.details["sv"] == sv
