"""Hypothesis strategies for identifiers, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st
from stdnum import luhn

DIGITS = "0123456789"


def digit_strings(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Strings of ASCII digits."""
    return st.text(alphabet=DIGITS, min_size=min_size, max_size=max_size)


def with_luhn(body: str) -> str:
    """``body`` completed with its Luhn check digit."""
    return body + luhn.calc_check_digit(body)


# Any 14-digit body except the all-zero placeholder, completed with its check digit.
valid_imeis = digit_strings(14, 14).filter(lambda b: b != "0" * 14).map(with_luhn)

# UK ICCIDs: 89, 44, then 14 or 15 digits and the Luhn digit (19 or 20 in all).
valid_uk_iccids = st.one_of(digit_strings(14, 14), digit_strings(15, 15)).map(
    lambda rest: with_luhn("8944" + rest)
)

separators = st.sampled_from([" ", "-", ".", "  ", " - ", "\u2013"])


@st.composite
def spaced(draw: st.DrawFn, digits: str) -> str:
    """``digits`` with separators inserted at random places between digits."""
    out = [digits[0]]
    for ch in digits[1:]:
        if draw(st.booleans()):
            out.append(draw(separators))
        out.append(ch)
    return "".join(out)
