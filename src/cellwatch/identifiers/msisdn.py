"""Phone numbers (MSISDN) to E.164 with phonenumbers; UK by default.

Accepts what people write: ``07700 900123``, ``+44 7700 900123``, ``447700900123``,
``00447700900123``, ``tel:`` URIs, brackets, dots and hyphens. Letters are refused
(phonenumbers would read ``0800 FLOWERS`` as digits; a record should not).

One verdict for every kind that carries a number: a number libphonenumber knows as
allocated (``is_valid_number``) is accepted; one of a possible length for its country
(``is_possible_number``, local-only lengths excluded) but in a range its metadata does not
know (``+44 7911 559273``: the metadata lags the regulator's allocations) is accepted and
flagged :data:`~cellwatch.identifiers.model.UNALLOCATED_NUMBER`; anything else is refused
with the most specific reason.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from cellwatch.errors import InvalidFormat, InvalidLength, UnknownComponent
from cellwatch.identifiers.model import UNALLOCATED_NUMBER, IdentifierInfo, IdentifierType

_ALLOWED = re.compile(r"\+?[0-9\s\-\u2010-\u2015.()/]+")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()/]")

# Ofcom reserves these UK ranges for drama and examples (1,000 numbers each): no
# subscriber ever has them, but phonenumbers calls some of them invalid and
# test data and training material use them, so they are accepted and flagged.
# National significant number prefix (3 digits follow) -> line type.
_OFCOM_DRAMA = {
    "7700900": "mobile",
    "1134960": "landline",
    "1144960": "landline",
    "1154960": "landline",
    "1164960": "landline",
    "1174960": "landline",
    "1184960": "landline",
    "1214960": "landline",
    "1314960": "landline",
    "1414960": "landline",
    "1514960": "landline",
    "1614960": "landline",
    "1914980": "landline",
    "1632960": "landline",
    "2079460": "landline",
    "2890180": "landline",
    "2920180": "landline",
    "3069990": "uan",
    "8081570": "toll_free",
    "9098790": "premium_rate",
}

_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


def parse_msisdn(text: str, region: str = "GB") -> IdentifierInfo:
    """Parse a phone number to E.164; ``region`` says how to read national numbers.

    >>> parse_msisdn("07700 900123").value
    '+447700900123'
    """
    number, drama, unallocated = _validated(text, region)
    notes: list[str] = []
    if drama is not None:
        line_type = drama
        notes.append("Ofcom drama/example range: not a real subscriber's number")
    elif unallocated:
        line_type = "unknown"
        notes.append("a possible number in a range libphonenumber does not know as allocated "
                     "(its metadata may lag the regulator's): kept and flagged")
    else:
        line_type = _LINE_TYPES.get(phonenumbers.number_type(number), "unknown")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    details = _details(number, line_type, "GB" if drama else None)
    notes.insert(0, _summary(details))
    if details.get("carrier"):
        notes.append(
            f"range allocated to {details['carrier']}; the number may since have been ported"
        )
    display = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    flags = (UNALLOCATED_NUMBER,) if unallocated else ()
    if unallocated:
        details["range"] = "not known as allocated"
    return IdentifierInfo(IdentifierType.MSISDN, e164, display, details, notes, flags)


def e164(text: str, region: str = "GB") -> str:
    """Only the E.164 form (no details): the fast path for bulk normalising.

    >>> e164("00447700900123")
    '+447700900123'
    """
    return e164_flagged(text, region)[0]


def e164_flagged(text: str, region: str = "GB") -> tuple[str, tuple[str, ...]]:
    """The E.164 form and the verdict's flags (``unallocated_number`` or none).

    >>> e164_flagged("+44 7911 559273")
    ('+447911559273', ('unallocated_number',))
    """
    number, _, unallocated = _validated(text, region)
    flags = (UNALLOCATED_NUMBER,) if unallocated else ()
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), flags


def _validated(text: str, region: str) -> tuple[phonenumbers.PhoneNumber, str | None, bool]:
    """The parsed number, for an Ofcom drama number its line type, and whether it is only
    possible (not known as allocated); or raise why it is not a number."""
    compact = _compact(text)
    number, status = _parse(compact, region)
    if status is None:
        raise _invalid(number, text)
    return number, _drama(number), status == "possible"


def _compact(text: str) -> str:
    """Strip ``tel:`` and separators; refuse letters and other symbols."""
    raw = text.strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:].strip()
    if not raw:
        raise InvalidFormat("phone number is empty")
    if not _ALLOWED.fullmatch(raw):
        bad = next(ch for ch in raw if not _ALLOWED.fullmatch("0" + ch))
        raise InvalidFormat(
            f"phone number may only contain digits, + and separators; found {bad!r}"
        )
    return _SEPARATORS.sub("", raw)


def _parse(compact: str, region: str) -> tuple[phonenumbers.PhoneNumber, str | None]:
    """(number, "valid" | "possible" | None): read as national for ``region``, else as
    international; a valid reading wins over a merely possible one."""
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException as exc:
        raise _parse_error(exc, compact) from exc
    national = _status(number)
    if national == "valid":
        return number, national
    international = None
    if not compact.startswith(("+", "0")):
        # "447700900123": a country code written without + or 00.
        try:
            international = phonenumbers.parse("+" + compact)
        except NumberParseException:
            international = None
    if international is not None and _status(international) == "valid":
        return international, "valid"
    if national == "possible":
        return number, national
    if international is not None and _status(international) == "possible":
        return international, "possible"
    return number, None


def _status(number: phonenumbers.PhoneNumber) -> str | None:
    """"valid" (allocated or an Ofcom drama number), "possible" (a possible length for
    its country, local-only lengths excluded) or None."""
    if _acceptable(number):
        return "valid"
    reason = phonenumbers.is_possible_number_with_reason(number)
    # A national number that kept its trunk 0 ("0770 090", too short to lose it) is
    # never a possible subscriber number, however long.
    if number.italian_leading_zero:
        return None
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE and \
            phonenumbers.region_code_for_country_code(number.country_code or 0) != "ZZ":
        return "possible"
    return None


def _drama(number: phonenumbers.PhoneNumber) -> str | None:
    """The line type of an Ofcom drama number, None for any other number."""
    if number.country_code != 44:
        return None
    nsn = phonenumbers.national_significant_number(number)
    return _OFCOM_DRAMA.get(nsn[:7]) if len(nsn) == 10 else None


def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
    return _drama(number) is not None or phonenumbers.is_valid_number(number)


def _parse_error(exc: NumberParseException, text: str) -> Exception:
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return UnknownComponent(f"phone number {text} has an unknown country code")
    if exc.error_type == NumberParseException.NOT_A_NUMBER:
        return InvalidFormat(f"{text} is not a phone number")
    return InvalidLength(f"phone number {text} is too short or too long")


def _invalid(number: phonenumbers.PhoneNumber, text: str) -> Exception:
    """The most specific reason a parsed number is not valid."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    where = f"+{number.country_code} ({_region_of(number)})"
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        return UnknownComponent(f"phone number {text.strip()} has an unknown country code")
    if reason in (phonenumbers.ValidationResult.TOO_SHORT,
                  phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        # A local-only length is a number without its area code: too short to call.
        return InvalidLength(f"phone number {text.strip()} is too short for {where}")
    if reason in (
        phonenumbers.ValidationResult.TOO_LONG,
        phonenumbers.ValidationResult.INVALID_LENGTH,
    ):
        return InvalidLength(f"phone number {text.strip()} has the wrong length for {where}")
    return InvalidFormat(f"phone number {text.strip()} is not in an allocated range of {where}")


def _details(
    number: phonenumbers.PhoneNumber, line_type: str, region: str | None
) -> dict[str, str]:
    # Under +44 phonenumbers tries GB, GG, JE and IM in turn: look the region up once.
    region = region or _region_of(number)
    details = {
        "country_code": str(number.country_code),
        "region": region,
        "country": region_name(region),
        "line_type": line_type,
        "national": phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
    }
    if line_type in ("mobile", "landline_or_mobile", "pager"):
        # Original range holder only: UK mobile numbers are portable between networks.
        # carrier and geocoder load ~1 s of data; import them only when a number is explained.
        from phonenumbers import carrier

        name = carrier.name_for_valid_number(number, "en")
        if name:
            details["carrier"] = name
    elif line_type == "landline":
        from phonenumbers import geocoder

        place = geocoder.description_for_valid_number(number, "en")
        if place and place != details["country"]:
            details["place"] = place
    return details


def _region_of(number: phonenumbers.PhoneNumber) -> str:
    """The region of a number; for one outside any known range, its country code's main one."""
    found = phonenumbers.region_code_for_number(number)
    return found or phonenumbers.region_code_for_country_code(number.country_code or 0)


@functools.lru_cache(maxsize=512)
def region_name(region: str) -> str:
    """English name of a region code ('GB' -> 'United Kingdom').

    phonenumbers names countries only through a valid number, so ask with its example.
    """
    example = phonenumbers.example_number(region)
    if example is None:
        return "international" if region in ("ZZ", "001") else region
    from phonenumbers import geocoder

    return geocoder.country_name_for_number(example, "en") or region


def _summary(details: dict[str, str]) -> str:
    kind = details["line_type"].replace("_", " ")
    where = details["country"] or details["region"]
    place = f", {details['place']}" if details.get("place") else ""
    return f"{kind} number in {where}{place}"
