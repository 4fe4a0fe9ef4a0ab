"""One entry point for any string: decide what identifier it is, parse it and say why.

Without a hint the shape decides: a URL or ``platform:id`` is an account; ``+``
or ``tel:`` a number; 16 digits an IMEISV; 19-20 digits from 89 an ICCID; 15
digits an IMEI or an IMSI by the Luhn digit and whether the MCC is a country's
(both fitting is settled by the TAC database and the IMEI reporting bodies);
other digit strings are phone numbers. A bare handle is not an account unless
a platform is given.
"""

from __future__ import annotations

import dataclasses
import re

from cellwatch.errors import (
    InvalidChecksum,
    InvalidFormat,
    InvalidIdentifier,
    UnknownComponent,
)
from cellwatch.identifiers.accounts import looks_like_account, parse_account
from cellwatch.identifiers.digits import clean_digits, luhn_digit, passes_luhn
from cellwatch.identifiers.iccid import parse_iccid
from cellwatch.identifiers.imei import parse_imei
from cellwatch.identifiers.imsi import parse_imsi
from cellwatch.identifiers.model import IdentifierInfo, IdentifierType
from cellwatch.identifiers.msisdn import e164, e164_flagged, parse_msisdn
from cellwatch.identifiers.operators import country_of_mcc, network, split_imsi
from cellwatch.identifiers.platforms import platform_named
from cellwatch.identifiers.tac import lookup_tac

# First two digits of IMEIs issued by the reporting bodies (BABT, TIA, PTCRB, ...).
# MCCs share some of these prefixes (440 Japan, 505 Australia), hence a tie-breaker only.
IMEI_REPORTING_BODIES = frozenset(
    {"01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86"}
    | {"91", "98", "99"}
)
_HINT_ALIASES = {
    "PHONE": IdentifierType.MSISDN,
    "NUMBER": IdentifierType.MSISDN,
    "IMEISV": IdentifierType.IMEI,
    "SIM": IdentifierType.ICCID,
}
_ICCID_WITH_FILLER = re.compile(r"\s*89[0-9\s.\-]+[Ff]\s*")

Hint = IdentifierType | str | None


def classify(text: str, hint: Hint = None) -> IdentifierInfo:
    """Say what ``text`` is and parse it; ``hint`` is an IdentifierType or a platform name.

    >>> classify("490154203237518").type
    <IdentifierType.IMEI: 'IMEI'>
    >>> classify("SomeUser", hint="instagram").value
    'instagram:someuser'
    """
    kind, platform = _resolve_hint(hint)
    if kind is not None:
        return _parse_as(kind, text, platform)
    stripped = text.strip()
    if looks_like_account(stripped):
        return parse_account(stripped)
    if _ICCID_WITH_FILLER.fullmatch(stripped):
        return parse_iccid(stripped)
    if stripped.startswith(("+", "(")) or stripped.lower().startswith("tel:"):
        return parse_msisdn(stripped)
    if any(ch.isalpha() for ch in stripped) or stripped.startswith("@"):
        return parse_account(stripped)  # raises: a bare handle needs its platform
    return _by_digits(clean_digits(stripped, "identifier"), stripped)


def normalise(kind: IdentifierType | str, text: str) -> str:
    """The normal form of ``text`` read as ``kind`` (a type or a platform name).

    >>> normalise(IdentifierType.MSISDN, "07700 900123")
    '+447700900123'
    """
    resolved, _ = _resolve_hint(kind)
    if resolved is IdentifierType.MSISDN:
        return e164(text)  # skips the carrier and place look-ups that bulk ingest never shows
    return classify(text, hint=kind).value


def normalise_flagged(kind: IdentifierType | str, text: str) -> tuple[str, tuple[str, ...]]:
    """:func:`normalise` with the verdict's flags: the one reading every ingest kind uses,
    so a value gets the same verdict wherever it arrives.

    >>> normalise_flagged("MSISDN", "+44 7911 559273")
    ('+447911559273', ('unallocated_number',))
    """
    resolved, _ = _resolve_hint(kind)
    if resolved is IdentifierType.MSISDN:
        return e164_flagged(text)
    info = classify(text, hint=kind)
    return info.value, info.flags


# Short reasons for a rejected identifier: the same words whichever kind carried it.
_REASONS = {
    "invalid-length": "wrong length",
    "invalid-checksum": "wrong check digit",
    "invalid-format": "bad format",
    "unknown-component": "unknown component",
}


def identifier_reason(kind: str, exc: InvalidIdentifier) -> str:
    """The quarantine reason for ``exc`` (reasons are counted, so they name no value).

    >>> identifier_reason("MSISDN", InvalidFormat("letters"))
    'invalid MSISDN: bad format'
    """
    return f"invalid {kind}: {_REASONS.get(exc.code, 'not valid')}"


def try_normalise(kind: IdentifierType | str, text: str) -> tuple[str | None, str | None]:
    """(normal form, None) or (None, reason): for bulk ingest that records rejects.

    >>> try_normalise("IMEI", "490154203237519")
    (None, 'IMEI check digit should be 8, got 9')
    """
    try:
        return normalise(kind, text), None
    except InvalidIdentifier as exc:
        return None, exc.message


def _resolve_hint(hint: Hint) -> tuple[IdentifierType | None, str | None]:
    """(type, platform) from a hint: a type ('IMEI', 'phone'...) or a platform name."""
    if hint is None or isinstance(hint, IdentifierType):
        return hint, None
    key = hint.strip().upper()
    if key in IdentifierType.__members__:
        return IdentifierType[key], None
    if key in _HINT_ALIASES:
        return _HINT_ALIASES[key], None
    if platform_named(hint) is not None:
        return IdentifierType.ACCOUNT, hint
    raise UnknownComponent(f"unknown identifier type or platform {hint!r}")


def _parse_as(kind: IdentifierType, text: str, platform: str | None) -> IdentifierInfo:
    if kind is IdentifierType.IMEI:
        return parse_imei(text)
    if kind is IdentifierType.IMSI:
        return parse_imsi(text)
    if kind is IdentifierType.ICCID:
        return parse_iccid(text)
    if kind is IdentifierType.MSISDN:
        return parse_msisdn(text)
    return parse_account(text, platform)


def _by_digits(digits: str, text: str) -> IdentifierInfo:
    if len(digits) == 15:
        if digits.startswith("00"):
            # "00" + a 13-digit international number, unless that is no number at all.
            try:
                number = parse_msisdn(text)
            except InvalidIdentifier:
                pass
            else:
                if not passes_luhn(digits):
                    return number
                why = "also passes the IMEI check digit; read as 00 + an international number"
                return _note(number, f"ambiguous: {why}; give a hint to override")
        return _imei_or_imsi(digits)
    if len(digits) == 16:
        return parse_imei(digits)
    if len(digits) in (19, 20):
        return parse_iccid(digits)
    if len(digits) == 14 and not digits.startswith("0"):
        return _fourteen(digits, text)
    if len(digits) > 15:
        raise InvalidFormat(
            f"{len(digits)} digits: too long for an IMEI (15, or 16 for an IMEISV), an IMSI "
            "(14-15) or a phone number; an ICCID has 19-20"
        )
    return parse_msisdn(text)


def _note(info: IdentifierInfo, note: str) -> IdentifierInfo:
    return dataclasses.replace(info, notes=[note, *info.notes])


def _imei_or_imsi(digits: str) -> IdentifierInfo:
    """15 digits: an IMEI passes Luhn, an IMSI starts with a country's MCC; decide and say why."""
    imei_ok = passes_luhn(digits) and digits[:14] != "0" * 14
    parts = split_imsi(digits)
    mcc = digits[:3]
    if imei_ok and parts is None:
        return _note(parse_imei(digits), f"15 digits: IMEI (check digit valid; {mcc} is no MCC)")
    expected = luhn_digit(digits[:14])
    if parts is not None and not imei_ok:
        if _looks_like_imei(digits) and network(parts[0], parts[1]) is None:
            raise InvalidChecksum(
                f"IMEI check digit should be {expected}, got {digits[14]} (and not an IMSI: "
                f"no network {parts[0]}-{parts[1]} is on record)"
            )
        return _note(
            parse_imsi(digits),
            f"15 digits: IMSI (MCC {mcc} is {country_of_mcc(mcc) or 'allocated'}; as an IMEI "
            f"the check digit would be {expected}, not {digits[14]})",
        )
    if parts is None:
        raise InvalidChecksum(
            f"15 digits but neither an IMEI (check digit should be {expected}, got {digits[14]}) "
            f"nor an IMSI (unknown MCC {mcc})"
        )
    return _both_fit(digits, parts[0], parts[1])


def _looks_like_imei(digits: str) -> bool:
    """A known TAC or an IMEI reporting-body prefix."""
    return digits[:2] in IMEI_REPORTING_BODIES or lookup_tac(digits) is not None


def _both_fit(digits: str, mcc: str, mnc: str) -> IdentifierInfo:
    """Luhn passes and the MCC is real: the TAC database, then the prefix, decide."""
    both = f"passes the IMEI check digit and starts with MCC {mcc} ({country_of_mcc(mcc)})"
    if lookup_tac(digits) is not None:
        why = f"read as IMEI: TAC {digits[:8]} is a known handset"
        return _note(parse_imei(digits), f"ambiguous: {both}; {why}")
    known_network = network(mcc, mnc) is not None
    if digits[:2] in IMEI_REPORTING_BODIES or not known_network:
        why = f"read as IMEI: {digits[:2]} is an IMEI reporting body prefix"
        if not known_network:
            why = f"read as IMEI: no network {mcc}-{mnc} is on record"
        return _note(parse_imei(digits), f"ambiguous: {both}; {why}; give a hint to override")
    why = f"read as IMSI of network {mcc}-{mnc}"
    return _note(parse_imsi(digits), f"ambiguous: {both}; {why}; give a hint to override")


def _fourteen(digits: str, text: str) -> IdentifierInfo:
    """14 digits: an IMSI, an IMEI without its check digit, or a long phone number."""
    if lookup_tac(digits) is not None:
        return _note(parse_imei(digits), f"14 digits: IMEI body (TAC {digits[:8]} is known)")
    if split_imsi(digits) is not None:
        return _note(parse_imsi(digits), f"14 digits: IMSI (MCC {digits[:3]})")
    return parse_msisdn(text)
