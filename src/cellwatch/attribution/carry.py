"""An incremental run's earlier intervals: the last run's, copied inside the store.

Every run is complete in itself (readers, exports and alert rules read one run), so an
incremental run copies the intervals that end before its cut, with their evidence,
from the run it continues. The copy is one ``INSERT ... SELECT`` per table: no row
passes through Python.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, exists, insert, literal, or_, select
from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, EvidenceItem

# What names an interval within a run: one identifier, prisoner and status, from a day.
# (One day has one probability, so two intervals of different bands never share a start.)
_KEY = ("identifier_type", "identifier", "prison_number", "status", "valid_from")
_COPIED = ("identifier_type", "identifier", "prison_number", "probability", "rank",
           "valid_from", "valid_to", "status")
_EVIDENCE = ("kind", "description", "weight_log2", "count", "first_seen", "last_seen")


def carry_over(session: Session, base_run: int, run_id: int, cut: date) -> None:
    """Copy ``base_run``'s intervals ending before ``cut`` into ``run_id``, with their
    evidence, except those the new run wrote again.

    The new run rewrote an earlier interval only when the cut's days extended it: such an
    interval ended the day before the cut, and the new one starts on the same day. Only
    those are looked up; the rest are copied as they are, each naming its original
    (``carried_from``), by which its evidence follows in one indexed join.
    """
    table = cast(Table, Attribution.__table__)
    old, new = table.alias("old"), table.alias("new")
    written = exists().where(new.c.run_id == run_id, *_same(old, new))
    rows = select(literal(run_id), *(old.c[c] for c in _COPIED), old.c.id).where(
        old.c.run_id == base_run, old.c.valid_to < cut,
        or_(old.c.valid_to < cut - timedelta(days=1), ~written))
    session.execute(insert(table).from_select(["run_id", *_COPIED, "carried_from"], rows))
    evidence = cast(Table, EvidenceItem.__table__)
    items = (
        select(new.c.id, *(evidence.c[c] for c in _EVIDENCE))
        .select_from(new.join(evidence, evidence.c.attribution_id == new.c.carried_from))
        .where(new.c.run_id == run_id, new.c.carried_from.is_not(None))
    )
    session.execute(insert(evidence).from_select(["attribution_id", *_EVIDENCE], items))


def _same(old: Any, new: Any) -> list[ColumnElement[bool]]:
    return [new.c[c] == old.c[c] for c in _KEY]
