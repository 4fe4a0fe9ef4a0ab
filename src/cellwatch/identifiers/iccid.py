"""ICCID, the SIM card number (ITU-T E.118): 89, country code, issuer, account, Luhn digit.

19 or 20 digits, the last being the Luhn check digit over all the others. Cards
read electronically may end in an ``F`` filler nibble, which is dropped.
"""

from __future__ import annotations

import phonenumbers

from cellwatch.errors import InvalidFormat, InvalidLength, UnknownComponent
from cellwatch.identifiers.digits import check_luhn, clean_digits
from cellwatch.identifiers.model import IdentifierInfo, IdentifierType
from cellwatch.identifiers.msisdn import region_name

# E.118 lets the issuer identifier have 1-4 digits; UK and most European issuers use 2.
ISSUER_DIGITS = 2


def parse_iccid(text: str) -> IdentifierInfo:
    """Parse an ICCID (19-20 digits, starting 89, Luhn-checked); separators allowed.

    >>> parse_iccid("8944 1100 6801 2345 679").details["issuer_prefix"]
    '894411'
    """
    stripped = text.strip()
    notes: list[str] = []
    if stripped[-1:] in ("F", "f"):
        stripped = stripped[:-1]
        notes.append("trailing F filler digit dropped")
    digits = clean_digits(stripped, "ICCID")
    if len(digits) not in (19, 20):
        raise InvalidLength(f"ICCID must have 19 or 20 digits; got {len(digits)}")
    if not digits.startswith("89"):
        raise InvalidFormat(
            f"ICCID must start with 89 (telecommunications); starts with {digits[:2]}"
        )
    # The Luhn digit is always the last; a reader that appends an extra digit after a
    # 19-digit ICCID is not followed, so that every single-digit error is caught.
    check_luhn(digits, "ICCID")
    code, width = _country_code(digits[2:])
    rest = digits[2 + width :]
    region = phonenumbers.region_code_for_country_code(code)
    country = region_name(region)
    issuer = rest[:ISSUER_DIGITS]
    details = {
        "country_code": str(code),
        "region": region,
        "country": country,
        "issuer": issuer,
        "issuer_prefix": digits[: 2 + width] + issuer,
        "check_digit": digits[-1],
    }
    notes.insert(0, f"SIM issued under country code +{code} ({country}), issuer {issuer}")
    return IdentifierInfo(IdentifierType.ICCID, digits, _display(digits), details, notes)


def _country_code(after_89: str) -> tuple[int, int]:
    """(country calling code, digits it takes); country codes are prefix-free."""
    for width in (1, 2, 3):
        code = int(after_89[:width])
        if after_89[0] != "0" and phonenumbers.region_code_for_country_code(code) != "ZZ":
            return code, width
    # North American issuers write the country code 1 as "01".
    if after_89.startswith("01"):
        return 1, 2
    raise UnknownComponent(f"ICCID has an unknown country code after 89: {after_89[:3]}")


def _display(iccid: str) -> str:
    """Groups of four, as printed on the card."""
    return " ".join(iccid[i : i + 4] for i in range(0, len(iccid), 4))
