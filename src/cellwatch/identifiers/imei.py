"""IMEI and IMEISV: 8-digit TAC, 6-digit serial, then a Luhn check digit or a 2-digit SV.

Normal form is the 15-digit IMEI. A 16-digit IMEISV has no check digit, so its
14-digit body is completed with the Luhn digit and the software version is kept
in ``details["sv"]``. A 14-digit body (check digit left off) is completed the same way.
"""

from __future__ import annotations

from cellwatch.errors import InvalidChecksum, InvalidFormat, InvalidLength
from cellwatch.identifiers.digits import check_luhn, clean_digits, luhn_digit
from cellwatch.identifiers.model import IdentifierInfo, IdentifierType
from cellwatch.identifiers.tac import TACDB_CREDIT, lookup_tac


def parse_imei(text: str) -> IdentifierInfo:
    """Parse an IMEI (15 digits), IMEISV (16) or IMEI body (14); separators allowed.

    >>> parse_imei("35-209900-176148-1").value
    '352099001761481'
    """
    digits = clean_digits(text, "IMEI")
    notes: list[str] = []
    details: dict[str, str] = {}
    if len(digits) == 15:
        if digits[14] == "0" and luhn_digit(digits[:14]) != "0":
            # Over the air (3GPP TS 23.003) the check digit is sent as a spare 0.
            raise InvalidChecksum(
                f"IMEI check digit should be {luhn_digit(digits[:14])}, got 0 (a network "
                "capture sends 0 in its place: give the 14-digit body to have it computed)"
            )
        check_luhn(digits, "IMEI")
        value = digits
    elif len(digits) == 16:
        value = digits[:14] + luhn_digit(digits[:14])
        details["imeisv"] = digits
        details["sv"] = digits[14:]
        notes.append(
            f"IMEISV given; software version {digits[14:]}; IMEI check digit {value[-1]} computed"
        )
    elif len(digits) == 14:
        value = digits + luhn_digit(digits)
        notes.append(f"14 digits given; IMEI check digit {value[-1]} computed")
    else:
        raise InvalidLength(
            f"IMEI must have 15 digits (16 for an IMEISV, 14 without check digit); "
            f"got {len(digits)}"
        )
    if value[:14] == "0" * 14:
        # Sensors report all zeros when the handset withheld its IMEI.
        raise InvalidFormat("IMEI is all zeros: a placeholder, not a handset")
    details.update(tac=value[:8], serial=value[8:14], check_digit=value[14])
    notes.append(_tac_note(value[:8], details))
    return IdentifierInfo(IdentifierType.IMEI, value, format_imei(value), details, notes)


def _tac_note(tac: str, details: dict[str, str]) -> str:
    """Add make and model to ``details`` and say where they came from."""
    found = lookup_tac(tac)
    if found is None:
        return f"TAC {tac} is not in the {TACDB_CREDIT}"
    details["make"], details["model"] = found
    return f"TAC {tac}: {found[0]} {found[1]} ({TACDB_CREDIT})"


def format_imei(imei: str) -> str:
    """The usual printed grouping: ``AA-BBBBBB-CCCCCC-D``."""
    return f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14:]}"
