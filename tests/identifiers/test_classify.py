"""classify, normalise and try_normalise: any string in, the right identifier out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identifier_strategies import digit_strings, spaced, valid_imeis, valid_uk_iccids, with_luhn

from cellwatch.errors import InvalidChecksum, InvalidFormat, InvalidIdentifier, UnknownComponent
from cellwatch.identifiers import (
    IdentifierType,
    classify,
    explain,
    normalise,
    try_normalise,
)
from cellwatch.identifiers.classify import IMEI_REPORTING_BODIES
from cellwatch.identifiers.operators import mcc_known

T = IdentifierType


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("490154203237518", T.IMEI, "490154203237518"),
        ("35-209900-176148-1", T.IMEI, "352099001761481"),
        ("35-209900-176148-12", T.IMEI, "352099001761481"),
        ("234150123456789", T.IMSI, "234150123456789"),
        ("310150123456789", T.IMSI, "310150123456789"),
        ("23415012345678", T.IMSI, "23415012345678"),
        ("8944110068012345679", T.ICCID, "8944110068012345679"),
        ("8944 1100 6801 2345 679F", T.ICCID, "8944110068012345679"),
        ("07700 900123", T.MSISDN, "+447700900123"),
        ("+44 7700 900123", T.MSISDN, "+447700900123"),
        ("447700900123", T.MSISDN, "+447700900123"),
        ("00447700900123", T.MSISDN, "+447700900123"),
        ("https://www.instagram.com/some.user/", T.ACCOUNT, "instagram:some.user"),
        ("https://wa.me/447700900123", T.ACCOUNT, "whatsapp:+447700900123"),
        ("x:SomeUser", T.ACCOUNT, "x:someuser"),
    ],
)
def test_classify_real_examples(text: str, kind: IdentifierType, value: str) -> None:
    info = classify(text)
    assert info.type is kind
    assert info.value == value


def test_fifteen_digit_decision_is_explained() -> None:
    imei = classify("490154203237518")
    assert imei.notes[0].startswith("15 digits: IMEI")
    imsi = classify("234150123456789")
    assert "IMSI" in imsi.notes[0]
    assert "check digit would be 3" in imsi.notes[0]


def test_both_readings_fit_known_tac_wins() -> None:
    info = classify("352099001761481")  # MCC 352 is Grenada; TAC 35209900 is an Alcatel
    assert info.type is T.IMEI
    assert info.notes[0].startswith("ambiguous")


def test_both_readings_fit_known_uk_network_wins() -> None:
    imsi = with_luhn("23415012345678")  # passes Luhn by construction; 234-15 is Vodafone UK
    info = classify(imsi)
    assert info.type is T.IMSI
    assert info.notes[0].startswith("ambiguous")
    assert classify(imsi, hint=T.IMEI).type is T.IMEI


def test_hint_overrides_the_guess() -> None:
    assert classify("352099001761481", hint=T.IMSI).type is T.IMSI
    assert classify("352099001761481", hint="imsi").type is T.IMSI
    assert classify("SomeUser", hint="instagram").value == "instagram:someuser"
    assert classify("07700 900123", hint="whatsapp").value == "whatsapp:+447700900123"
    assert classify("07700 900123", hint="phone").type is T.MSISDN


def test_unknown_hint() -> None:
    with pytest.raises(UnknownComponent, match="unknown identifier type or platform"):
        classify("123", hint="fax")


def test_neither_imei_nor_imsi_says_both_reasons() -> None:
    with pytest.raises(InvalidChecksum, match=r"check digit should be 8, got 9.*unknown MCC 490"):
        classify("490154203237519")


def test_corrupted_imei_with_known_tac_is_a_checksum_error() -> None:
    with pytest.raises(InvalidChecksum, match="IMEI check digit should be 1, got 2"):
        classify("352099001761482")


def test_bare_handle_without_platform_is_refused() -> None:
    with pytest.raises(InvalidFormat, match="bare handle"):
        classify("@SomeUser")


def test_too_many_digits() -> None:
    with pytest.raises(InvalidFormat, match="17 digits"):
        classify("12345678901234567")


def test_normalise_and_try_normalise() -> None:
    assert normalise(T.IMEI, "35-209900-176148-12") == "352099001761481"
    assert normalise("MSISDN", "07700 900123") == "+447700900123"
    assert normalise("twitter", "@SomeUser") == "x:someuser"
    assert try_normalise(T.IMSI, "234150123456789") == ("234150123456789", None)
    assert try_normalise(T.IMEI, "490154203237519") == (
        None,
        "IMEI check digit should be 8, got 9",
    )
    assert try_normalise(T.IMSI, "123450123456789") == (
        None,
        "IMSI has an unknown MCC 123 (mobile country code)",
    )


def test_explain_reads_well() -> None:
    lines = explain(classify("3520990017614812"))
    assert lines[0] == "IMEI 35-209900-176148-1"
    assert "normal form: 352099001761481" in lines
    assert "make: Alcatel" in lines
    assert any("software version 12" in line for line in lines)
    assert classify("234150123456789").explain()[0] == "IMSI 234 15 0123456789"


@given(valid_imeis)
def test_every_valid_imei_is_classified_as_imei_or_explained_otherwise(imei: str) -> None:
    info = classify(imei)
    if info.type is T.MSISDN:
        # 00 + a real international number: the dialling reading wins, and says so.
        assert imei.startswith("00")
        assert info.notes[0].startswith("ambiguous")
    elif info.type is T.IMSI:
        # Only when the digits are also a plausible IMSI, and the notes say so.
        assert mcc_known(imei[:3])
        assert imei[:2] not in IMEI_REPORTING_BODIES
        assert info.notes[0].startswith("ambiguous")
    else:
        assert info.type is T.IMEI
        assert info.value == imei


@given(st.sampled_from(["35", "86", "01", "99"]), digit_strings(12, 12), st.data())
def test_reporting_body_imeis_with_separators_classify_as_imei(
    body: str, rest: str, data: st.DataObject
) -> None:
    imei = with_luhn(body + rest)
    assert classify(data.draw(spaced(imei))).value == imei


@given(valid_uk_iccids)
def test_valid_iccids_classify_as_iccid(iccid: str) -> None:
    assert classify(iccid).type is T.ICCID


@given(st.text(max_size=40))
def test_any_text_is_classified_or_refused_with_a_reason(text: str) -> None:
    try:
        info = classify(text)
    except InvalidIdentifier as exc:
        reason = exc.message
        assert reason
        return
    assert info.value
    assert classify(info.value, hint=info.details.get("platform") or info.type).value == info.value


@given(st.text(alphabet="0123456789 -.+()", max_size=24))
def test_digit_soup_never_crashes_and_normal_forms_are_fixed_points(text: str) -> None:
    value, reason = try_normalise(T.MSISDN, text)
    assert (value is None) != (reason is None)
    if value is not None:
        assert normalise(T.MSISDN, value) == value
    for kind in (T.IMEI, T.IMSI, T.ICCID):
        value, reason = try_normalise(kind, text)
        assert (value is None) != (reason is None)
        if value is not None:
            assert normalise(kind, value) == value


def test_imei_hint_accepts_a_fourteen_digit_body() -> None:
    assert normalise(T.IMEI, "49015420323751") == with_luhn("49015420323751")
