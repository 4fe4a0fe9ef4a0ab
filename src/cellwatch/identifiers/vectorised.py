"""Identifier checks for bulk use: SQL expressions and Arrow tables instead of Python loops.

``luhn_sql`` is plain SQL (LPAD, SUBSTRING, TRANSLATE, ASCII, LENGTH, CASE) that
runs unchanged in DuckDB and Spark SQL: no lambdas or list functions, whose
syntax differs between the two.
"""

from __future__ import annotations

from cellwatch.identifiers.tac import tac_table

__all__ = ["luhn_sql", "tac_table"]

# Doubling a digit and summing the result's digits: 0->0, 1->2, ..., 5->1, ..., 9->9.
_DOUBLED = "0246813579"


def luhn_sql(column: str, max_digits: int = 20) -> str:
    """A SQL boolean expression, TRUE when ``column`` is 1..max_digits digits passing Luhn.

    NULL stays NULL; anything else (empty, non-digits, too long) is FALSE.
    ``column`` is pasted into the SQL as is: pass a column name or an expression
    from code, never user input.

    >>> import duckdb
    >>> duckdb.sql(f"SELECT {luhn_sql('x')} FROM (SELECT '490154203237518' AS x)").fetchone()
    (True,)
    """
    if max_digits < 1:
        raise ValueError("max_digits must be at least 1")
    # Left-padding with zeros keeps the Luhn sum and fixes which positions are doubled:
    # counting from the right, every second digit.
    padded = f"LPAD({column}, {max_digits}, '0')"
    terms = []
    for position in range(1, max_digits + 1):
        digit = f"SUBSTRING({padded}, {position}, 1)"
        if (max_digits - position) % 2 == 1:
            digit = f"TRANSLATE({digit}, '0123456789', '{_DOUBLED}')"
        terms.append(f"ASCII({digit})")
    total = f"({' + '.join(terms)} - {48 * max_digits})"
    return (
        f"(CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN LENGTH({column}) BETWEEN 1 AND {max_digits} "
        f"AND TRANSLATE({column}, '0123456789', '') = '' "
        f"THEN {total} % 10 = 0 ELSE FALSE END)"
    )
