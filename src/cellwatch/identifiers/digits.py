"""Cleaning digit strings and the Luhn check, shared by IMEI, IMSI and ICCID."""

from __future__ import annotations

import re

from stdnum import luhn

from cellwatch.errors import InvalidChecksum, InvalidFormat

# People and vendors write digits in groups: spaces (incl. no-break), hyphens,
# typographic dashes and dots between them are tolerated, nothing else.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def clean_digits(text: str, what: str) -> str:
    """Strip separators and return the ASCII digits, or raise InvalidFormat naming the culprit.

    >>> clean_digits(" 35-209900.176148 1 ", "IMEI")
    '352099001761481'
    """
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise InvalidFormat(f"{what} is empty")
    if not _ASCII_DIGITS.fullmatch(digits):
        bad = next(ch for ch in digits if not "0" <= ch <= "9")
        raise InvalidFormat(f"{what} may only contain digits and separators; found {bad!r}")
    return digits


def luhn_digit(body: str) -> str:
    """The Luhn check digit that completes ``body``."""
    return str(luhn.calc_check_digit(body))


def check_luhn(number: str, what: str) -> None:
    """Raise InvalidChecksum with the expected digit unless ``number`` passes Luhn."""
    expected = luhn_digit(number[:-1])
    if expected != number[-1]:
        raise InvalidChecksum(f"{what} check digit should be {expected}, got {number[-1]}")


def passes_luhn(number: str) -> bool:
    """True when the digit string passes the Luhn check."""
    return bool(luhn.is_valid(number))
