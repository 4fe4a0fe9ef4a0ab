"""``cellwatch export attributions``: the interchange CSV, and reading runs back.

Columns exactly as interchange.md defines them: identifier_type, identifier,
prison_number, probability, valid_from, valid_to, status. Judgements override what the
run proposed: a rejected pair is exported REJECTED, a confirmed one CONFIRMED.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cellwatch.attribution.models import Attribution, AttributionRun, Judgement
from cellwatch.csvsafe import SafeDictWriter, write_schema
from cellwatch.errors import NotFound
from cellwatch.store import Store

COLUMNS = ("identifier_type", "identifier", "prison_number", "probability", "valid_from",
           "valid_to", "status")
# Column types for the Table Schema beside the file; identifiers stay strings.
TYPES = {"probability": "number", "valid_from": "date", "valid_to": "date"}


def latest_run(store: Store) -> int:
    """The id of the newest finished run."""
    with store.session() as s:
        run_id = s.scalar(select(func.max(AttributionRun.id)).where(
            AttributionRun.status == "DONE"))
    if run_id is None:
        raise NotFound("no attribution run yet: run `cellwatch attribute` first")
    return int(run_id)


def _verdicts(store: Store, identifier: str | None = None) -> dict[tuple[str, str], str]:
    # An attribution's judgement names the identifier as its subject, the prisoner as its
    # object: one identifier's rows need only its own.
    query = select(Judgement.subject, Judgement.object, Judgement.verdict).where(
        Judgement.target == "ATTRIBUTION", Judgement.undone_at.is_(None),
        Judgement.verdict.in_(("CONFIRMED", "REJECTED")))
    if identifier is not None:
        query = query.where(Judgement.subject == identifier)
    with store.session() as s:
        rows = s.execute(query.order_by(Judgement.id))
        return {(subject, obj): verdict for subject, obj, verdict in rows}


def attribution_rows(store: Store, run_id: int | None = None,
                     identifier: str | None = None) -> list[dict[str, Any]]:
    """A run's attributions (default the latest), with analysts' verdicts applied.

    ``identifier``: only that identifier's rows (the look-up of one identifier reads its
    own few rows, not the whole run: 400 ms of the device page on the demo).
    """
    run_id = run_id if run_id is not None else latest_run(store)
    verdicts = _verdicts(store, identifier)
    with store.session() as s:
        # Columns, not entities: the rows become dicts at once (no ORM objects to build).
        query = select(Attribution.identifier_type, Attribution.identifier,
                       Attribution.prison_number, Attribution.probability,
                       Attribution.valid_from, Attribution.valid_to, Attribution.status,
                       Attribution.rank, Attribution.id).where(Attribution.run_id == run_id)
        if identifier is not None:
            query = query.where(Attribution.identifier == identifier)
        rows = s.execute(query.order_by(
            Attribution.identifier_type, Attribution.identifier, Attribution.valid_from,
            Attribution.rank))
        out = []
        for a in rows:
            status = verdicts.get((a.identifier, a.prison_number), a.status)
            out.append({"identifier_type": a.identifier_type, "identifier": a.identifier,
                        "prison_number": a.prison_number,
                        "probability": round(a.probability, 4),
                        "valid_from": a.valid_from.isoformat(),
                        "valid_to": a.valid_to.isoformat(), "status": status,
                        "rank": a.rank, "id": a.id})
    return out


def export_attributions(store: Store, out: Path, run_id: int | None = None) -> int:
    """Write the interchange CSV; returns the number of rows."""
    rows = attribution_rows(store, run_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = SafeDictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    write_schema(out, COLUMNS, TYPES)
    return len(rows)
