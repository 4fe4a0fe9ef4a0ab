"""Finding suspected staff, visitor and contractor phones, and keeping the queue.

:func:`staff_patterns` runs the pattern SQL (:mod:`cellwatch.lake.staff_pattern`) through
the engine interface and returns what it found, touching nothing (the evaluation
matrix calls it, or :func:`suspected_staff`). :func:`refresh_holds` writes the result
into the queue (``guard_holds``), keeping every decision a person has made; the TRO
candidate refresh calls it, so the queue is as fresh as the candidates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from cellwatch.guard.models import GuardHold
from cellwatch.guard.params import GuardParams
from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.lake.engine_choice import load_reference
from cellwatch.lake.staff_pattern import staff_pattern_sql
from cellwatch.store import Store, utcnow

# Rows whose decision is a person's: never overwritten by a refresh.
DECIDED = frozenset({"ALLOWED", "RELEASED"})
# Rows that keep an identifier out of disconnection candidates and attribution.
EXCLUDING = frozenset({"HELD", "ALLOWED"})

Key = tuple[str, str, str]  # identifier_type, identifier, establishment


@dataclass(frozen=True)
class StaffPattern:
    """What the pattern SQL found for one identifier in one establishment."""

    identifier_type: str
    identifier: str
    establishment: str
    verdict: str  # HOLD or NIGHT_USE
    detections: int
    days: int
    work_share: float
    weekday_share: float
    zones: int
    access_share: float
    cell_nights: int
    allow_listed: bool
    first_local: datetime
    last_local: datetime
    linked: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return (self.identifier_type, self.identifier, self.establishment)

    def evidence(self) -> dict[str, Any]:
        """The figures behind the verdict, JSON-ready."""
        body = asdict(self)
        for name in ("identifier_type", "identifier", "establishment", "verdict"):
            body.pop(name)
        body["first_local"] = self.first_local.isoformat(timespec="minutes")
        body["last_local"] = self.last_local.isoformat(timespec="minutes")
        body["linked"] = list(self.linked)
        return body


def staff_patterns(engine: AnalyticEngine, store: Store,
                   params: GuardParams | None = None) -> list[StaffPattern]:
    """Every identifier with the staff, visitor or contractor pattern (``HOLD``) or such
    a phone, or an allow-listed one, seen at night in the cells (``NIGHT_USE``)."""
    params = params or GuardParams()
    load_reference(engine, store, ("sensors", "locations", "allow_list"), prefix="guard_ref_")
    table = engine.run(staff_pattern_sql(engine.dialect), params.sql_params())
    # first/last are London wall-clock times: Spark labels them UTC, DuckDB leaves them naive.
    return [StaffPattern(**{**row, "linked": tuple(sorted(row["linked"] or ())),
                            "first_local": row["first_local"].replace(tzinfo=None),
                            "last_local": row["last_local"].replace(tzinfo=None)})
            for row in table.to_pylist()]


def suspected_staff(engine: AnalyticEngine, store: Store,
                    params: GuardParams | None = None) -> set[tuple[str, str]]:
    """(identifier_type, identifier) of every phone the guard would hold, before any
    person's decision: what must never be a disconnection candidate."""
    return {(p.identifier_type, p.identifier) for p in staff_patterns(engine, store, params)
            if p.verdict == "HOLD"}


def refresh_holds(engine: AnalyticEngine, store: Store,
                  links: Mapping[Key, Collection[str]] | None = None,
                  params: GuardParams | None = None) -> dict[str, int]:
    """Recompute the queue; returns counts by status.

    ``links`` maps each candidate (type, identifier, establishment) to the identifiers
    seen on the same events (the candidate SQL's home and linked IMSIs and IMEIs): a
    candidate linked to a held identifier is held too (``LINKED``), as a staff phone's
    number is a staff number. Decided rows keep their decision; undecided rows whose
    pattern has gone are dropped.
    """
    found = {p.key: p for p in staff_patterns(engine, store, params)}
    now = utcnow()
    with store.session() as s:
        rows = {(r.identifier_type, r.identifier, r.establishment): r
                for r in s.scalars(select(GuardHold))}
        for key, p in found.items():
            flag = "NIGHT_USE" if p.verdict == "NIGHT_USE" else "STAFF_PATTERN"
            _upsert(s, rows, key, flag, p.evidence(), p.allow_listed, now)
        held = {(k[1], k[2]) for k, r in rows.items() if r.status in EXCLUDING}
        for key, linked in (links or {}).items():
            if key in found:
                continue
            via = sorted(x for x in linked if (x, key[2]) in held and x != key[1])
            if via:
                _upsert(s, rows, key, "LINKED", {"linked_to": via}, False, now)
        live = set(found) | {k for k, r in rows.items() if r.flag == "LINKED"
                             and r.computed_at == now}
        stale = [r.id for k, r in rows.items() if k not in live and r.status not in DECIDED]
        if stale:
            s.execute(delete(GuardHold).where(GuardHold.id.in_(stale)))
        counts: dict[str, int] = {}
        for _k, r in rows.items():
            if r.id not in stale:
                counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def _upsert(s: Any, rows: dict[Key, GuardHold], key: Key, flag: str,
            evidence: dict[str, Any], allow_listed: bool, now: datetime) -> None:
    row = rows.get(key)
    status = "FLAGGED" if flag == "NIGHT_USE" else "HELD"
    if row is None:
        row = GuardHold(identifier_type=key[0], identifier=key[1], establishment=key[2],
                        flag=flag, status=status, evidence=evidence,
                        allow_listed=allow_listed, first_flagged_at=now, computed_at=now)
        s.add(row)
        rows[key] = row
    else:
        row.flag, row.evidence, row.allow_listed, row.computed_at = (
            flag, evidence, allow_listed, now)
        if row.status not in DECIDED:
            row.status = status
    s.flush()


def excluded_identifiers(store: Store) -> set[str]:
    """Identifiers held or allow-listed by the guard, in any establishment: what
    attribution leaves out, as it leaves out the allow list."""
    with store.session() as s:
        return set(s.scalars(select(GuardHold.identifier).where(
            GuardHold.status.in_(sorted(EXCLUDING)))))


def held_keys(store: Store, keys: Iterable[Key] | None = None) -> dict[Key, GuardHold]:
    """Queue rows by (type, identifier, establishment), detached (read-only use)."""
    with store.session() as s:
        rows = list(s.scalars(select(GuardHold)))
        s.expunge_all()
    wanted = set(keys) if keys is not None else None
    return {k: r for r in rows
            if (k := (r.identifier_type, r.identifier, r.establishment)) and
            (wanted is None or k in wanted)}
