"""Identifier checks for bulk use: SQL expressions and Arrow tables instead of Python loops.

``luhn_sql`` is plain SQL (LPAD, SUBSTRING, ASCII, TRANSLATE, LENGTH, CASE) that
runs unchanged in DuckDB and Spark SQL: no lambdas or list functions, whose
syntax differs between the two.
"""

from __future__ import annotations

from cellwatch.identifiers.tac import tac_table

__all__ = ["luhn_sql", "tac_table"]


def luhn_sql(column: str, max_digits: int = 20) -> str:
    """A SQL boolean expression, TRUE when ``column`` is 1..max_digits digits passing Luhn.

    NULL stays NULL; anything else (empty, non-digits, too long) is FALSE.
    ``column`` is pasted into the SQL as is: pass a column name or an expression
    from code, never user input.

    >>> import duckdb
    >>> duckdb.execute(f"SELECT {luhn_sql('x')} FROM (SELECT '490154203237518' AS x)").fetchone()
    (True,)
    """
    if max_digits < 1:
        raise ValueError("max_digits must be at least 1")
    # Left-padding with zeros keeps the Luhn sum and fixes which positions are doubled:
    # counting from the right, every second digit. A doubled digit d adds 2d - 9 when
    # d >= 5, which is 2d + 1 modulo 10: plain arithmetic, several times faster in
    # DuckDB than mapping digits with TRANSLATE.
    padded = f"LPAD({column}, {max_digits}, '0')"
    terms = []
    for position in range(1, max_digits + 1):
        char = f"SUBSTRING({padded}, {position}, 1)"
        if (max_digits - position) % 2 == 1:
            terms.append(f"2 * ASCII({char}) + CASE WHEN {char} >= '5' THEN 1 ELSE 0 END")
        else:
            terms.append(f"ASCII({char})")
    # ASCII('0') is 48; each doubled position counts it twice.
    offset = 48 * (max_digits + max_digits // 2)
    total = f"({' + '.join(terms)} - {offset})"
    # The arithmetic is safe on any string, so it comes first and unguarded: inside a
    # CASE branch DuckDB stops sharing the repeated LPAD and runs about 4x slower.
    # NULL AND ... stays NULL; non-digits and wrong lengths make the guard FALSE.
    return (
        f"(({total} % 10 = 0) "
        f"AND LENGTH({column}) BETWEEN 1 AND {max_digits} "
        f"AND TRANSLATE({column}, '0123456789', '') = '')"
    )
