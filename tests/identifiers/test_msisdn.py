"""Phone numbers to E.164 (UK default), mobile vs landline, and the Ofcom drama ranges."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from identifier_strategies import digit_strings

from cellwatch.errors import InvalidFormat, InvalidLength, UnknownComponent
from cellwatch.identifiers import IdentifierType, parse_msisdn


@pytest.mark.parametrize(
    "text",
    [
        "07700 900123",
        "+44 7700 900123",
        "447700900123",
        "00447700900123",
        "(07700) 900-123",
        "tel:+44-7700-900123",
        "+44 (0)7700 900123",
    ],
)
def test_every_way_people_write_a_uk_mobile(text: str) -> None:
    info = parse_msisdn(text)
    assert info.type is IdentifierType.MSISDN
    assert info.value == "+447700900123"
    assert info.display == "+44 7700 900123"
    assert info.details["line_type"] == "mobile"
    assert info.details["region"] == "GB"


def test_drama_range_is_flagged() -> None:
    notes = parse_msisdn("07700 900123").notes
    assert any("Ofcom drama" in n for n in notes)


def test_real_range_mobile_names_its_original_network() -> None:
    info = parse_msisdn("07797 123456")
    assert info.value == "+447797123456"
    assert info.details["line_type"] == "mobile"
    assert info.details["region"] == "JE"
    assert info.details["carrier"]
    assert any("ported" in n for n in info.notes)


def test_uk_landline() -> None:
    info = parse_msisdn("020 7946 0000")
    assert info.value == "+442079460000"
    assert info.details["line_type"] == "landline"
    assert info.details["place"] == "London"


def test_foreign_numbers() -> None:
    assert parse_msisdn("+1 202 555 0143").details["region"] == "US"
    french = parse_msisdn("+33 6 12 34 56 78")
    assert french.value == "+33612345678"
    assert french.details["line_type"] == "mobile"
    assert parse_msisdn("06 12 34 56 78", region="FR").value == "+33612345678"


def test_too_short() -> None:
    with pytest.raises(InvalidLength, match="too short"):
        parse_msisdn("12")


def test_a_possible_number_in_an_unallocated_range_is_kept_and_flagged() -> None:
    # libphonenumber's metadata lags the regulator's allocations: a number of a possible
    # length is data to keep (flagged), not to reject.
    for text in ("0999 999 9999", "+44 7911 559273", "447911559273", "07911.559.273"):
        info = parse_msisdn(text)
        assert info.flags == ("unallocated_number",)
        assert info.details["range"] == "not known as allocated"
    assert parse_msisdn("+44 7911 559273").value == "+447911559273"
    assert parse_msisdn("07700 900123").flags == ()
    # A local-only length is not a possible number.
    with pytest.raises(InvalidLength):
        parse_msisdn("+44 79115")


def test_unknown_country_code() -> None:
    with pytest.raises(UnknownComponent, match="unknown country code"):
        parse_msisdn("+999 1234 5678")


def test_letters_are_refused() -> None:
    with pytest.raises(InvalidFormat, match="found 'F'"):
        parse_msisdn("0800 FLOWERS")


@given(digit_strings(3, 3))
def test_drama_mobiles_round_trip_in_every_form(tail: str) -> None:
    e164 = "+447700900" + tail
    for text in (e164, "07700 900" + tail, e164[1:], "00" + e164[1:]):
        assert parse_msisdn(text).value == e164


@given(st.sampled_from(["GB", "US", "FR", "DE", "IE", "PL", "NG", "JM"]), st.data())
def test_valid_numbers_round_trip_through_display_and_national(
    region: str, data: st.DataObject
) -> None:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    # Vary the last three digits and keep only numbers phonenumbers calls valid.
    nsn = phonenumbers.national_significant_number(example)
    candidate = f"+{example.country_code}{nsn[:-3]}{data.draw(digit_strings(3, 3))}"
    if not phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
        return
    info = parse_msisdn(candidate)
    assert info.value == candidate
    assert parse_msisdn(info.display).value == candidate
    assert parse_msisdn(info.details["national"], region=info.details["region"]).value == candidate
