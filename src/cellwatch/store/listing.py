"""Sorting a listing query by a named column, for the services' list functions.

A service names the columns its list may be sorted by; a key it does not name is bad
input (422 with the keys it takes), never a column looked up by the caller's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import GenerativeSelect

from cellwatch.errors import InvalidData

S = TypeVar("S", bound=GenerativeSelect)
# A mapped attribute or a SQL expression (a CASE, a COALESCE, a count).
SortColumn = ColumnElement[Any] | QueryableAttribute[Any]
# (key, descending): how a caller asks for an order.
Order = tuple[str, bool]


def sorted_by(query: S, columns: Mapping[str, SortColumn], order: Order | None,
              *then: SortColumn) -> S:
    """``query`` ordered by ``columns[key]`` (then ``then``, for a stable page), or as it
    was when ``order`` is None."""
    if order is None:
        return query
    key, descending = order
    column = columns.get(key)
    if column is None:
        raise InvalidData(f"cannot sort by {key!r}: choose one of {', '.join(sorted(columns))}")
    first = column.desc() if descending else column.asc()
    return query.order_by(None).order_by(first, *then)
