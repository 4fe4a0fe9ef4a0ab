"""Clean people records into the columns the model compares and blocks on.

Names are upper-cased ASCII letters (hyphens and apostrophes dropped, so O'Brien and
OBRIEN agree); dates of birth are ISO strings, and a ``dob_key`` that reads the same
when day and month are swapped lets a swapped record share a block with its match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cellwatch.errors import InvalidData

_NOT_LETTER = re.compile(r"[^A-Z ]+")
_SOUNDEX = {c: d for d, letters in {"1": "BFPV", "2": "CGJKQSXZ", "3": "DT", "4": "L",
                                     "5": "MN", "6": "R"}.items() for c in letters}


def clean_name(text: object) -> str | None:
    """Upper-case ASCII letters and single spaces; ``None`` when nothing is left.

    >>> clean_name(" o'Brién-smith ")
    'OBRIENSMITH'
    """
    if text is None or text != text:  # NaN (a pandas blank) is missing, not "NAN"
        return None
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    words = _NOT_LETTER.sub("", folded.upper().replace("-", "").replace("'", "")).split()
    return " ".join(words) or None


def soundex(name: str | None) -> str | None:
    """American Soundex (DuckDB has none built in).

    >>> soundex("ROBERT"), soundex("RUPERT"), soundex("ASHCRAFT")
    ('R163', 'R163', 'A261')
    """
    if not name:
        return None
    letters = name.replace(" ", "")
    out, last = letters[0], _SOUNDEX.get(letters[0], "")
    for c in letters[1:]:
        code = _SOUNDEX.get(c, "")
        if code and code != last:
            out += code
        if c not in "HW":  # H and W do not separate equal codes; vowels do
            last = code
    return (out + "000")[:4]


def clean_dob(value: object) -> str | None:
    """An ISO date string, or ``None`` for empty; an unparseable date is an error."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise InvalidData(f"date of birth {value!r} is not an ISO date") from exc


def _dob_key(dob: str | None) -> str | None:
    if dob is None:
        return None
    year, month, day = dob.split("-")
    return f"{year}-{min(month, day)}-{max(month, day)}"


@dataclass(frozen=True)
class Rejected:
    """A row that cannot be matched: its position (0-based), id, field and reason."""

    row: int
    record_id: str
    field: str
    reason: str


def split(rows: Iterable[Mapping[str, Any]], id_column: str, *, need_key: bool = True
          ) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """Model columns for each usable row, and every unusable row with its reason.

    ``need_key``: a row with neither surname nor date of birth is unusable (a record to
    match); a reference person without them stays, reachable by forename only."""
    out: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for i, row in enumerate(rows):
        ident = row.get(id_column)
        key = str(ident) if ident not in (None, "") else str(i)
        try:
            dob = clean_dob(row.get("date_of_birth"))
        except InvalidData as exc:
            rejected.append(Rejected(i, key, "date_of_birth", exc.message))
            continue
        surname = clean_name(row.get("surname"))
        forenames = clean_name(row.get("forenames"))
        if need_key and surname is None and dob is None:
            rejected.append(Rejected(i, key, "surname", "needs a surname or a date of birth"))
            continue
        out.append({
            "unique_id": key, "surname": surname, "forenames": forenames,
            "forename1": forenames.split()[0] if forenames else None,
            "date_of_birth": dob, "dob_key": _dob_key(dob),
            "birth_year": dob[:4] if dob else None,
            "surname_soundex": soundex(surname),
            "surname_prefix": surname[:2] if surname else None})
    return out, rejected


def prepare(rows: Iterable[Mapping[str, Any]], id_column: str, *, need_key: bool = True
            ) -> list[dict[str, Any]]:
    """Model columns for each row; collects every bad row before raising once."""
    out, rejected = split(rows, id_column, need_key=need_key)
    if rejected:
        errors = {f"row {r.row}": [r.reason] for r in rejected}
        raise InvalidData(f"{len(rejected)} record(s) cannot be matched", errors)
    return out
