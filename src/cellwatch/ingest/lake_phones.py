"""Phone numbers to E.164 (UK default): SQL for the usual shapes, phonenumbers for the rest.

SQL settles ``07700 900123``, ``+44 7700 900123``, ``+44 (0)7700 900123``,
``0044 7700 900123`` and ``447700900123``; whatever is left (other countries written
without ``+``, odd punctuation, text) is a small set of distinct values, parsed once
each in Python and joined back through the table ``phone_fallback(raw, e164)``.

Shape is not the verdict: every distinct number SQL or Python produced then gets the one
verdict the row-wise kinds give (:func:`cellwatch.identifiers.normalise_flagged`), through
``phone_verdict(e164, value, reason, unallocated)``: possible but unallocated numbers are
kept and flagged, impossible ones rejected with the same reason a PIN list gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
import pyarrow as pa

from cellwatch.errors import InvalidIdentifier
from cellwatch.identifiers import UNALLOCATED_NUMBER, IdentifierType, normalise_flagged
from cellwatch.identifiers.classify import identifier_reason
from cellwatch.lake.ingest_engine import Connection, run_sql

_STRIP = r"[\s\-().\x{2010}-\x{2015}/]+"


def e164_sql(raw: str) -> str:
    """E.164 text for the common UK and international shapes of ``raw``, else NULL."""
    d = f"regexp_replace({raw}, '{_STRIP}', '', 'g')"
    return (
        f"CASE WHEN regexp_full_match({d}, '\\+440[1-9][0-9]{{8,9}}') THEN '+44' || substr({d}, 5) "
        f"WHEN regexp_full_match({d}, '\\+44[1-9][0-9]{{8,9}}') THEN {d} "
        f"WHEN regexp_full_match({d}, '\\+[1-9][0-9]{{6,14}}') AND NOT starts_with({d}, '+44') "
        f"THEN {d} "
        f"WHEN regexp_full_match({d}, '0044[1-9][0-9]{{8,9}}') THEN '+' || substr({d}, 3) "
        f"WHEN regexp_full_match({d}, '0[1-9][0-9]{{8,9}}') THEN '+44' || substr({d}, 2) "
        f"WHEN regexp_full_match({d}, '44[1-9][0-9]{{9}}') THEN '+' || {d} END"
    )


def python_e164(raw: str) -> str | None:
    """E.164 of ``raw`` by phonenumbers (GB default), or None when it is not a number."""
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def phone_verdicts(values: Sequence[str]) -> pa.Table:
    """The verdict of each distinct number: (e164, value, reason, unallocated).

    ``value`` is NULL and ``reason`` says why when the number is refused.
    """
    out: list[str | None] = []
    reasons: list[str | None] = []
    flagged: list[bool] = []
    for v in values:
        try:
            value, flags = normalise_flagged(IdentifierType.MSISDN, v)
        except InvalidIdentifier as exc:
            out.append(None)
            reasons.append(identifier_reason("MSISDN", exc))
            flagged.append(False)
            continue
        out.append(value)
        reasons.append(None)
        flagged.append(UNALLOCATED_NUMBER in flags)
    return pa.table({"e164": pa.array(list(values), pa.string()),
                     "value": pa.array(out, pa.string()),
                     "reason": pa.array(reasons, pa.string()),
                     "unallocated": pa.array(flagged, pa.bool_())})


def judge_phone_numbers(con: Connection, columns: Sequence[str]) -> int:
    """Register ``phone_verdict`` for the distinct values of ``columns`` of ``staged``
    (numbers already in E.164 form); returns how many were judged."""
    selects = " UNION ".join(
        f"SELECT DISTINCT {c} AS v FROM staged WHERE starts_with({c}, '+')"  # noqa: S608
        for c in columns
    )
    values = [str(r[0]) for r in run_sql(con, selects)]
    con.register("phone_verdict", phone_verdicts(values))
    return len(values)


def settle_phone_numbers(con: Connection, raw_columns: Sequence[str]) -> int:
    """Fill ``phone_fallback`` for the distinct raw values of ``staged`` SQL left unsettled.

    ``raw_columns`` name pairs by convention: the normalised column is the raw one's
    partner in ``staged`` (NULL where SQL failed). Returns how many values were parsed.
    """
    pairs = {"msisdn_raw": "subject_msisdn", "other_party_raw": "other_party"}
    selects = " UNION ".join(
        f"SELECT DISTINCT {raw} AS raw FROM staged WHERE {raw} IS NOT NULL "  # noqa: S608
        f"AND {pairs[raw]} IS NULL"
        for raw in raw_columns
    )
    values = [str(r[0]) for r in run_sql(con, selects)]
    verdicts = phone_verdicts(values)
    con.register(
        "phone_fallback",
        pa.table({"raw": verdicts.column("e164"), "e164": verdicts.column("value"),
                  "reason": verdicts.column("reason")}),
    )
    return len(values)
