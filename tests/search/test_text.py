"""Names folded for search: accents, case, stroked letters and scripts; quoted phrases."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.search.service import imei_reading
from cellwatch.search.text import fold, name_matches, terms, words


@pytest.mark.parametrize(("name", "query", "found"), [
    ("MÜLLER Zoë", "muller", True), ("MÜLLER Zoë", "ZOE", True), ("MULLER Zoe", "Zoë", True),
    ("WÓJCIK Łukasz", "lukasz wojcik", True), ("O'BRIEN Seán", "o’brien", True),
    ("ИВАНОВ Пётр", "петр", True), ("ИВАНОВ Пётр", "Иванов", True),
    ("ΠΑΠΑΔΌΠΟΥΛΟΣ Γιώργος", "γιωργος", True), ("عبد الله محمد", "محمد", True),
    ("VAN DER BERG Jan", '"van der berg"', True), ("VAN BERG Der", '"van der berg"', False),
    ("SMITH John", "john", True), ("SMITH John", "jo smi", True), ("SMITH John", "ohn", False),
    ("SMITH John", "john jones", False), ("MACDONALD Ian", "mac", True),
])
def test_name_matches(name: str, query: str, found: bool) -> None:
    assert name_matches(words(name), terms(query)) is found


def test_terms_keep_quoted_phrases_and_forgive_a_missing_quote() -> None:
    assert terms('"van der Berg" Zoë') == [["van", "der", "berg"], ["zoe"]]
    assert terms("\u201cde la Cruz\u201d") == [["de", "la", "cruz"]]
    assert terms('"de la') == [["de", "la"]]
    assert terms('%% "" --') == []


@given(st.text(alphabet=st.characters(categories=("L", "M", "N", "Zs")), max_size=30))
def test_folding_is_idempotent_and_leaves_no_mark(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", once)
                   if c.isascii())


@given(st.lists(st.text(alphabet=st.characters(categories=("L",)), min_size=1,
                        max_size=8), min_size=1, max_size=3))
def test_a_name_always_finds_itself_and_each_of_its_words(parts: list[str]) -> None:
    name = " ".join(parts)
    assert name_matches(words(name), terms(name))
    for part in parts:
        assert name_matches(words(name), terms(part))


def test_an_imei_with_a_wrong_check_digit_is_told_and_corrected() -> None:
    reading = imei_reading("35 209900 176148 2")
    assert reading is not None
    assert reading.nearest == "352099001761481"
    assert "should be 1, not 2" in reading.message
    assert imei_reading("352099001761481") is None  # valid
    assert imei_reading("3520990017614") is None  # not 15 digits
