"""The public API of cellwatch.identifiers is exactly what the other packages rely on."""

from __future__ import annotations

import doctest
import importlib

import pytest

import cellwatch.identifiers as identifiers

PUBLIC = {
    "IdentifierInfo",
    "IdentifierType",
    "classify",
    "explain",
    "home_operator",
    "lookup_tac",
    "luhn_sql",
    "normalise",
    "normalise_flagged",
    "UNALLOCATED_NUMBER",
    "parse_account",
    "parse_iccid",
    "parse_imei",
    "parse_imsi",
    "parse_msisdn",
    "tac_table",
    "try_normalise",
}


def test_all_is_explicit_and_complete() -> None:
    assert set(identifiers.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(identifiers, name) is not None


def test_identifier_types_match_the_export_contract() -> None:
    assert [t.value for t in identifiers.IdentifierType] == [
        "IMEI",
        "IMSI",
        "ICCID",
        "MSISDN",
        "ACCOUNT",
    ]


def test_info_is_frozen() -> None:
    info = identifiers.classify("490154203237518")
    with pytest.raises(AttributeError):
        info.value = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "module",
    [
        "cellwatch.identifiers",
        "cellwatch.identifiers.accounts",
        "cellwatch.identifiers.classify",
        "cellwatch.identifiers.digits",
        "cellwatch.identifiers.iccid",
        "cellwatch.identifiers.imei",
        "cellwatch.identifiers.imsi",
        "cellwatch.identifiers.model",
        "cellwatch.identifiers.msisdn",
        "cellwatch.identifiers.tac",
        "cellwatch.identifiers.vectorised",
    ],
)
def test_docstring_examples_hold(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
