"""The Osmocom TAC database bundled with the package: TAC -> (make, model).

The CSV is CC BY-SA 3.0 (c) Harald Welte 2016 (see data/LICENSE-tacdb.txt); its
first line is the licence notice and its second the header, so both are skipped.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

import pyarrow as pa

from cellwatch.identifiers.digits import clean_digits

TACDB_CREDIT = "Osmocom TAC database, CC BY-SA 3.0 (c) Harald Welte 2016"
_RESOURCE = "osmocom-tacdb.csv"


@functools.lru_cache(maxsize=1)
def _tacdb() -> dict[str, tuple[str, str]]:
    # Read-only reference data, loaded once on first use (22k rows, ~20 ms).
    text = resources.files("cellwatch.identifiers").joinpath("data").joinpath(_RESOURCE)
    table: dict[str, tuple[str, str]] = {}
    rows = csv.reader(io.StringIO(text.read_text(encoding="utf-8"), newline=""))
    next(rows)  # licence notice
    next(rows)  # header: tac,name,name,contributor,...
    for row in rows:
        if len(row) < 3:
            continue
        # Three rows carry a leading space before a TAC that appears again; the first wins.
        tac = row[0].strip()
        if len(tac) == 8 and tac.isdigit():
            table.setdefault(tac, (row[1].strip(), row[2].strip()))
    return table


def lookup_tac(tac: str) -> tuple[str, str] | None:
    """(make, model) for an 8-digit TAC, or None if the database does not know it.

    Separators are tolerated, and a longer string (a whole IMEI) is cut to its TAC.

    >>> lookup_tac("35675904")
    ('Oppo', 'N1')
    """
    digits = clean_digits(tac, "TAC")
    if len(digits) < 8:
        return None
    return _tacdb().get(digits[:8])


def tac_table() -> pa.Table:
    """The whole TAC database as an Arrow table (tac, make, model) for joins."""
    items = sorted(_tacdb().items())
    return pa.table(
        {
            "tac": pa.array([tac for tac, _ in items], pa.string()),
            "make": pa.array([mm[0] for _, mm in items], pa.string()),
            "model": pa.array([mm[1] for _, mm in items], pa.string()),
        }
    )
