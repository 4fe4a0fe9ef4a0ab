"""Reading one value of a field: clean it and return it, or say why it is not valid.

Each reader takes the stripped text and returns the typed value, raising
:class:`InvalidData` with a reason that does not repeat the value (reasons are counted
across rows; the raw value stays with the quarantined row). Identifiers are read by
:func:`cellwatch.identifiers.normalise_flagged`, the one verdict every kind gives a value
(a possible but unallocated number is kept and flagged ``unallocated_number``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cellwatch.errors import InvalidData, InvalidIdentifier
from cellwatch.identifiers import IdentifierType, classify, normalise_flagged
from cellwatch.identifiers.classify import identifier_reason
from cellwatch.ingest.specs import FieldSpec
from cellwatch.timestamps import parse_date, parse_timestamp

PRISON_NUMBER = re.compile(r"[A-Z]\d{4}[A-Z]{2}")
CODE = re.compile(r"[A-Z0-9][A-Z0-9_./-]*")
# HMPPS agency codes: exactly three letters (interchange.md), e.g. HEI, MDI, LEI.
ESTABLISHMENT_CODE = re.compile(r"[A-Z]{3}")
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
AMBIGUOUS_TIME = "ambiguous_local_time"


def as_text(value: Any) -> str | None:
    """A JSON scalar or CSV text as stripped text; empty is missing (None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def read_value(spec: FieldSpec, text: str) -> tuple[Any, tuple[str, ...]]:
    """Read ``text`` as ``spec`` says: (value, flags). Raises InvalidData."""
    if spec.type == "timestamp":
        value, ambiguous = parse_timestamp(text)
        return value, (AMBIGUOUS_TIME,) if ambiguous else ()
    if spec.type in _IDENTIFIER_TYPES:
        return _read_identifier_as(_IDENTIFIER_TYPES[spec.type], text)
    return _READERS[spec.type](spec, text), ()


def _text(spec: FieldSpec, text: str) -> str:
    if spec.max_length is not None and len(text) > spec.max_length:
        raise InvalidData(f"longer than {spec.max_length} characters")
    return text


def _code(spec: FieldSpec, text: str) -> str:
    value = _text(spec, text.upper())
    if not CODE.fullmatch(value):
        raise InvalidData("not a valid code (letters, digits, - _ . /)")
    return value


def is_establishment_code(text: str) -> bool:
    """Whether ``text`` is an HMPPS establishment code: three letters A-Z, any case."""
    # ASCII first: "ß".upper() is "SS", so upper-casing alone would let odd letters through.
    return text.isascii() and ESTABLISHMENT_CODE.fullmatch(text.upper()) is not None


def _establishment(spec: FieldSpec, text: str) -> str:
    if not is_establishment_code(text):
        raise InvalidData("not an establishment code (three letters A-Z, e.g. HEI)")
    return text.upper()


def _number(spec: FieldSpec, value: float) -> None:
    if spec.min is not None and value < spec.min:
        raise InvalidData(f"below the minimum {spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise InvalidData(f"above the maximum {spec.max:g}")


def _int(spec: FieldSpec, text: str) -> int:
    try:
        number = float(text)
    except ValueError as exc:
        raise InvalidData("not an integer") from exc
    if not number.is_integer():
        raise InvalidData("not an integer")
    _number(spec, number)
    return int(number)


def _float(spec: FieldSpec, text: str) -> float:
    try:
        number = float(text)
    except ValueError as exc:
        raise InvalidData("not a number") from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidData("not a finite number")
    _number(spec, number)
    return number


def _bool(spec: FieldSpec, text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidData("not true or false")


def _enum(spec: FieldSpec, text: str) -> str:
    value = text.upper().replace(" ", "_").replace("-", "_")
    if value not in spec.values:
        raise InvalidData(f"not one of {', '.join(spec.values)}")
    return value


def _prison_number(spec: FieldSpec, text: str) -> str:
    value = re.sub(r"\s+", "", text).upper()
    if not PRISON_NUMBER.fullmatch(value):
        raise InvalidData("not a prison number like A1234BC")
    return value


def _read_identifier_as(kind: IdentifierType, text: str) -> tuple[str, tuple[str, ...]]:
    try:
        return normalise_flagged(kind, text)
    except InvalidIdentifier as exc:
        raise InvalidData(identifier_reason(str(kind), exc)) from exc


def read_identifier(text: str) -> tuple[str, str]:
    """Classify an identifier of unknown type: (type, normal form). Raises InvalidData."""
    id_type, value, _ = read_identifier_flagged(text)
    return id_type, value


def read_identifier_flagged(text: str) -> tuple[str, str, tuple[str, ...]]:
    """:func:`read_identifier` with the verdict's flags."""
    try:
        info = classify(text)
    except InvalidIdentifier as exc:
        raise InvalidData(identifier_reason("identifier", exc)) from exc
    return str(info.type), info.value, info.flags


def _identifier(spec: FieldSpec, text: str) -> str:
    return read_identifier(text)[1]


_IDENTIFIER_TYPES = {"imei": IdentifierType.IMEI, "imsi": IdentifierType.IMSI,
                     "iccid": IdentifierType.ICCID, "msisdn": IdentifierType.MSISDN}


_READERS: dict[str, Callable[[FieldSpec, str], Any]] = {
    "str": _text,
    "code": _code,
    "establishment": _establishment,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "date": lambda spec, text: parse_date(text),
    "enum": _enum,
    "prison_number": _prison_number,
    "identifier": _identifier,
}
