"""What is in cellwatch: counts per establishment and per kind of source, for ``status``.

The event lake adds its own counts through a hook (:data:`LAKE_STATUS_HOOK`): a function
``(settings) -> dict`` whose ``detections.by_establishment[code].rows`` is merged into the
per-establishment counts and whose whole answer is shown under ``lake``.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cellwatch.errors import CellwatchError
from cellwatch.identifiers import UNALLOCATED_NUMBER
from cellwatch.ingest.quarantine import open_counts
from cellwatch.settings import Settings
from cellwatch.store import (
    Establishment,
    IngestBatch,
    Location,
    Prisoner,
    SeizureItem,
    Sensor,
    Store,
)

LAKE_STATUS_HOOK = "cellwatch.lake.status:lake_status"
# Per establishment: what to count, by which establishment column.
PER_ESTABLISHMENT: dict[str, InstrumentedAttribute[Any]] = {
    "prisoners": Prisoner.establishment,
    "locations": Location.establishment,
    "sensors": Sensor.establishment,
    "seizures": SeizureItem.establishment,
}


def status(store: Store, settings: Settings) -> dict[str, Any]:
    """Counts per establishment and per kind (batches, rows, open quarantine), plus the lake."""
    with store.session() as session:
        establishments = _per_establishment(session)
        kinds = _per_kind(session)
    for kind, n in open_counts(store).items():
        kinds.setdefault(kind, _empty_kind())["quarantined_open"] = n
    lake = lake_status(settings)
    by_code = lake.get("detections", {}).get("by_establishment", {}) if lake else {}
    for code, counts in establishments.items():
        counts["detections"] = int(by_code.get(code, {}).get("rows", 0))
    return {
        "establishments": establishments,
        "kinds": kinds,
        "totals": _totals(establishments, kinds),
        "lake": lake,
    }


def lake_status(settings: Settings) -> dict[str, Any] | None:
    """The lake's counts if its module is installed; its error message if it failed."""
    module_name, _, function = LAKE_STATUS_HOOK.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    try:
        result: dict[str, Any] = getattr(module, function)(settings)
    except CellwatchError as exc:
        return {"error": exc.message}
    return result


def _per_establishment(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.execute(
        select(Establishment.code, Establishment.name, Establishment.active).order_by(
            Establishment.code
        )
    )
    result: dict[str, dict[str, Any]] = {
        code: {"name": name, "active": bool(active)} | dict.fromkeys(PER_ESTABLISHMENT, 0)
        for code, name, active in rows
    }
    for what, column in PER_ESTABLISHMENT.items():
        for code, n in session.execute(select(column, func.count()).group_by(column)):
            if code in result:
                result[code][what] = int(n)
    return result


def _empty_kind() -> dict[str, Any]:
    return {
        "batches": 0,
        "rows_read": 0,
        "rows_accepted": 0,
        "rows_updated": 0,
        "rows_quarantined": 0,
        "quarantined_open": 0,
        "last_batch_at": None,
        # Stored values accepted with a doubt, by flag (e.g. unallocated_number).
        "flagged": {},
    }


def _per_kind(session: Session) -> dict[str, dict[str, Any]]:
    query = select(
        IngestBatch.kind,
        func.count(),
        func.sum(IngestBatch.rows_read),
        func.sum(IngestBatch.rows_accepted),
        func.sum(IngestBatch.rows_updated),
        func.sum(IngestBatch.rows_quarantined),
        func.max(IngestBatch.started_at),
    ).group_by(IngestBatch.kind)
    result: dict[str, dict[str, Any]] = {}
    for kind, n, read, accepted, updated, quarantined, last in session.execute(query):
        result[kind] = _empty_kind() | {
            "batches": int(n),
            "rows_read": int(read or 0),
            "rows_accepted": int(accepted or 0),
            "rows_updated": int(updated or 0),
            "rows_quarantined": int(quarantined or 0),
            # max() of a timestamp comes back as text on SQLite; show it as stored.
            "last_batch_at": str(last) if last is not None else None,
        }
    for kind, flagged in session.execute(
            select(IngestBatch.kind, IngestBatch.flagged).where(IngestBatch.flagged.is_not(None))):
        counts = result.setdefault(kind, _empty_kind())["flagged"]
        for name, n in (flagged or {}).items():
            # "contact_number: unallocated_number" counts under its flag.
            flag = name.rsplit(": ", 1)[-1]
            counts[flag] = counts.get(flag, 0) + int(n)
    return result


def _totals(
    establishments: dict[str, dict[str, Any]], kinds: dict[str, dict[str, Any]]
) -> dict[str, int]:
    totals = {what: sum(e[what] for e in establishments.values()) for what in PER_ESTABLISHMENT}
    totals["establishments"] = len(establishments)
    totals["batches"] = sum(k["batches"] for k in kinds.values())
    totals["quarantined_open"] = sum(k["quarantined_open"] for k in kinds.values())
    totals["unallocated_numbers"] = sum(k["flagged"].get(UNALLOCATED_NUMBER, 0)
                                        for k in kinds.values())
    return totals
