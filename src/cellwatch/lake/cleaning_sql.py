"""SQL-producing functions that clean identifiers and times, column by column.

Each function takes a SQL expression and returns a SQL expression, so that ingest
validates a whole file in one vectorised pass. The Luhn expression uses only
``substr``, ``CAST`` and arithmetic, which DuckDB and Spark SQL share; the rest is
DuckDB's (ingest always runs on DuckDB).

Luhn comes from :mod:`cellwatch.identifiers` when that package offers ``luhn_sql``;
otherwise from the fixed-length version here (see :func:`luhn_check_digit_sql`).
"""

from __future__ import annotations

from collections.abc import Sequence

# Separators people put between digits: whitespace, hyphens, typographic dashes, dots
# (the same set as cellwatch.identifiers.digits).
SEPARATORS_RE = r"[\s\-\x{2010}-\x{2015}.]+"
LONDON = "Europe/London"


def absent_sql(column: str, values: str) -> str:
    """``column`` is not among ``values`` (a parenthesised one-column query), as an anti
    join on every engine: Spark plans ``NOT IN`` as a nested loop over both sides (a
    cartesian product without broadcasts), and one NULL among the values would make
    ``NOT IN`` keep no row at all.

    >>> absent_sql("c.number", "(SELECT identifier FROM cw_allow_list)")[:40]
    'NOT EXISTS (SELECT 1 FROM (SELECT identif'
    """
    return (f"NOT EXISTS (SELECT 1 FROM {values} AS absent_values(absent_value) "  # noqa: S608
            f"WHERE absent_value = {column})")


def quote(text: str) -> str:
    """A SQL string literal of ``text`` (quotes doubled), for the few values SQL text
    must carry rather than bind: file paths and codes in DDL or in generated analytics.

    >>> quote("O'Brien")
    "'O''Brien'"
    """
    return "'" + text.replace("'", "''") + "'"


def all_digits_sql(expr: str) -> str:
    """True when ``expr`` is non-empty and only ASCII digits (NULL stays NULL).

    DuckDB's anchored regular expressions are cheap (measured: cheaper than ``ltrim``
    with a character set); the costly pattern was a long ``IN`` list (see :func:`imsi_sql`).
    """
    return f"regexp_full_match({expr}, '[0-9]+')"


def digits_sql(expr: str) -> str:
    """``expr`` with separators removed (NULL stays NULL)."""
    return f"regexp_replace({expr}, '{SEPARATORS_RE}', '', 'g')"


def luhn_check_digit_sql(body: str, length: int = 14) -> str:
    """The Luhn check digit (as text) completing a digit string of exactly ``length``.

    Positions are counted from the right of the completed number, so the body's last
    digit is doubled: with the check digit appended it sits second from the right.
    """
    terms = []
    for pos in range(1, length + 1):
        digit = f"CAST(substr({body}, {pos}, 1) AS INTEGER)"
        doubled = (length - pos) % 2 == 0
        # 0246813579 maps a digit d to the digit sum of 2d.
        terms.append(f"CAST(substr('0246813579', {digit} + 1, 1) AS INTEGER)" if doubled else digit)
    total = " + ".join(terms)
    return f"CAST((10 - ({total}) % 10) % 10 AS VARCHAR)"


def luhn_sql(column: str) -> str:
    """True when a 15-digit string passes Luhn (identifiers' version when available)."""
    try:
        from cellwatch.identifiers import luhn_sql as shared
    except ImportError:
        return f"(substr({column}, 15, 1) = {luhn_check_digit_sql(f'substr({column}, 1, 14)')})"
    return str(shared(column))


def luhn_digit_int_sql(body: str) -> str:
    """The Luhn check digit (INTEGER) of a 14-digit body given as a BIGINT (DuckDB).

    Integer arithmetic is several times faster than cutting the text into digits; ingest
    uses this, analytics use the dialect-neutral :func:`luhn_check_digit_sql`.
    """
    terms = []
    for pos in range(1, 15):
        digit = f"(({body} // {10 ** (14 - pos)}) % 10)"
        # Doubled digits contribute the digit sum of 2d: 2d - 9 when d >= 5.
        terms.append(
            f"(2 * {digit} - 9 * CAST({digit} >= 5 AS INTEGER))" if pos % 2 == 0 else digit
        )
    return f"((10 - ({' + '.join(terms)}) % 10) % 10)"


def imei_prepare_sql(raw: str) -> str:
    """The digits of a raw IMEI: computed once in an inner SELECT, then used by :func:`imei_sql`."""
    return digits_sql(raw)


def imei_body_sql(d: str) -> str:
    """The 14-digit body of a digits column as a BIGINT (NULL when not digits)."""
    return f"try_cast(substr({d}, 1, 14) AS BIGINT)"


def imei_sql(raw: str, d: str, body: str, check: str) -> tuple[str, str]:
    """(normalised IMEI, problem) from the raw column and columns computed before it.

    ``d`` holds the digits (:func:`digits_sql`), ``body`` the BIGINT body
    (:func:`imei_body_sql`) and ``check`` its Luhn digit (:func:`luhn_digit_int_sql`):
    each computed once in an inner SELECT, since DuckDB does not share repeated
    subexpressions.

    The IMEI is the 15-digit form: a 16-digit IMEISV is cut to its 14-digit body and
    completed with its Luhn digit, a 14-digit body likewise; 15 digits must pass Luhn.
    The problem is NULL when the value is fine or absent.
    """
    shape = f"({all_digits_sql(d)} AND length({d}) BETWEEN 14 AND 16 AND {body} <> 0)"
    value = (
        f"CASE WHEN {shape} AND (length({d}) <> 15 "
        f"OR {check} = CAST(substr({d}, 15, 1) AS INTEGER)) "
        f"THEN substr({d}, 1, 14) || CAST({check} AS VARCHAR) END"
    )
    problem = (
        f"CASE WHEN {raw} IS NULL THEN NULL "
        f"WHEN NOT {all_digits_sql(d)} "
        "THEN 'IMEI may only contain digits and separators' "
        f"WHEN length({d}) NOT IN (14, 15, 16) THEN 'IMEI must have 15 digits (16 for an IMEISV, "
        f"14 without check digit); got ' || length({d}) "
        f"WHEN {body} = 0 THEN 'IMEI is all zeros: a placeholder, not a handset' "
        f"WHEN length({d}) = 15 AND {check} <> CAST(substr({d}, 15, 1) AS INTEGER) "
        f"THEN 'IMEI check digit should be ' || {check} || ', got ' || substr({d}, 15, 1) END"
    )
    return value, problem


def imsi_sql(raw: str, d: str, known_mccs: Sequence[str]) -> tuple[str, str]:
    """(IMSI, problem) from the raw column and its digits column ``d`` (:func:`digits_sql`).

    An IMSI has 14 or 15 digits and its MCC is one of ``known_mccs``.
    """
    # A 1000-character mask ('1' at 1 + MCC) replaces an IN list of hundreds of literals,
    # which costs a comparison per literal per row. Only digits enter the SQL text.
    codes = {int(m) for m in known_mccs if m.isdigit() and len(m) == 3}
    mask = "".join("1" if i in codes else "0" for i in range(1000))
    mcc = f"try_cast(substr({d}, 1, 3) AS INTEGER)"
    known = f"(substr('{mask}', {mcc} + 1, 1) = '1')"
    ok = f"{all_digits_sql(d)} AND length({d}) BETWEEN 14 AND 15 AND {known}"
    value = f"CASE WHEN {ok} THEN {d} END"
    problem = (
        f"CASE WHEN {raw} IS NULL THEN NULL "
        f"WHEN NOT {all_digits_sql(d)} "
        "THEN 'IMSI may only contain digits and separators' "
        f"WHEN length({d}) NOT IN (14, 15) THEN 'IMSI must have 14 or 15 digits; got ' "
        f"|| length({d}) "
        f"WHEN NOT {known} THEN 'IMSI has an unknown MCC ' || substr({d}, 1, 3) END"
    )
    return value, problem


def known_mccs() -> list[str]:
    """Every MCC that cellwatch.identifiers knows (UK plus python-stdnum's table)."""
    from cellwatch.identifiers.operators import mcc_known

    return [f"{i:03d}" for i in range(1000) if mcc_known(f"{i:03d}")]


def timestamp_prepare_sql(raw: str) -> tuple[str, str]:
    """(exact TIMESTAMPTZ, naive local TIMESTAMP) parsed from ISO 8601 text, for an inner SELECT.

    Exactly one is non-NULL for a well-formed value: the first when it has an offset or
    ``Z``. A plain cast to TIMESTAMP would silently drop an offset, so the text after the
    date decides which cast applies (cheaper than a regular expression per row).
    """
    after_date = f"substr({raw}, 11)"
    has_offset = (
        f"(right({raw}, 1) IN ('Z', 'z') OR contains({after_date}, '+') "
        f"OR contains({after_date}, '-'))"
    )
    exact = f"CASE WHEN {has_offset} THEN try_cast({raw} AS TIMESTAMPTZ) END"
    local = f"CASE WHEN NOT {has_offset} THEN try_cast({raw} AS TIMESTAMP) END"
    return exact, local


def timestamp_offsets_sql(local: str) -> tuple[str, str]:
    """(BST reading real, GMT reading real) for a naive London time column, for a middle SELECT."""
    earlier = f"{local} - INTERVAL 1 HOUR"
    bst_ok = f"coalesce(timezone('{LONDON}', timezone('UTC', {earlier})) = {local}, false)"
    gmt_ok = f"coalesce(timezone('{LONDON}', timezone('UTC', {local})) = {local}, false)"
    return bst_ok, gmt_ok


def timestamp_sql(
    raw: str, exact: str, local: str, bst_ok: str, gmt_ok: str
) -> tuple[str, str, str]:
    """(UTC timestamp, ambiguous flag, problem) from :func:`timestamp_prepare_sql` columns.

    Without an offset the time is wall-clock time in Europe/London: each of the two
    possible UTC instants (local minus one hour for BST, local itself for GMT) is
    converted back to London time, and those that give the same wall-clock time are
    real. Both real: the repeated autumn hour, taken as the first occurrence (BST) and
    flagged. Neither: the skipped spring hour, an error.
    """
    bst = f"timezone('UTC', {local} - INTERVAL 1 HOUR)"
    gmt = f"timezone('UTC', {local})"
    value = f"coalesce({exact}, CASE WHEN {bst_ok} THEN {bst} WHEN {gmt_ok} THEN {gmt} END)"
    ambiguous = f"coalesce({exact} IS NULL AND {bst_ok} AND {gmt_ok}, false)"
    problem = (
        f"CASE WHEN {raw} IS NULL THEN NULL WHEN {exact} IS NOT NULL THEN NULL "
        f"WHEN {local} IS NULL THEN 'not an ISO 8601 date and time' "
        f"WHEN NOT ({bst_ok} OR {gmt_ok}) "
        "THEN 'local time does not exist in Europe/London (clocks went forward)' END"
    )
    return value, ambiguous, problem


def number_sql(raw: str, what: str) -> tuple[str, str]:
    """(double, problem) for an optional numeric column; NaN and infinity are refused."""
    value = f"try_cast({raw} AS DOUBLE)"
    problem = (
        f"CASE WHEN {raw} IS NOT NULL AND ({value} IS NULL OR NOT isfinite({value})) "
        f"THEN '{what} must be a number' END"
    )
    return f"CASE WHEN isfinite({value}) THEN {value} END", problem
