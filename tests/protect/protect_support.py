"""A tiny estate for the victim-protection, alerts and parole tests, loaded through the
real ingest pipeline, plus an identity graph and one attribution run in the store."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.registry import ingest_file
from cellwatch.settings import Settings
from cellwatch.store import Store

PRISONER, OTHER = "A1234BC", "B2345CD"
IMEI, IMSI, MSISDN = "352099001761481", "234150123456789", "+447700900222"
VICTIM_NUMBER, VICTIM_ACCOUNT = "+447700900111", "instagram:victim.one"
HARASSER_ACCOUNT = "instagram:harasser_99"
TODAY = date(2026, 10, 20)


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` as CSV (header from the first row)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(ctx: IngestContext, kind: str, path: Path) -> IngestSummary:
    """Ingest one file through the framework."""
    return ingest_file(ctx, kind, path)


def estate(store: Store, settings: Settings, tmp: Path) -> IngestContext:
    """Establishment, two prisoners (one with a review in four weeks), a protected person."""
    ctx = IngestContext(store, settings, "system")
    load(ctx, "establishments", write(tmp / "est.csv", [{"code": "HEI", "name": "Hewell"}]))
    review = (TODAY + timedelta(weeks=4)).isoformat()
    load(ctx, "prisoners", write(tmp / "pris.csv", [
        {"prison_number": PRISONER, "surname": "Smith", "forenames": "John",
         "establishment": "HEI", "next_parole_review_date": review},
        {"prison_number": OTHER, "surname": "Jones", "forenames": "Tom",
         "establishment": "HEI", "next_parole_review_date": ""}]))
    load(ctx, "protected_persons", write(tmp / "pp.csv", [
        {"person_ref": "PP-1", "prison_number": PRISONER, "condition": "restraining order",
         "valid_from": "2026-01-01", "valid_to": ""}]))
    load(ctx, "protected_identifiers", write(tmp / "pi.csv", [
        {"person_ref": "PP-1", "identifier": "07700 900111", "platform": ""},
        {"person_ref": "PP-1", "identifier": "@Victim.One", "platform": "instagram"}]))
    return ctx


def graph(store: Store, probability: float = 0.93) -> None:
    """Number -> SIM -> handset links, and the handset attributed to PRISONER."""
    seen = datetime(2026, 10, 1, tzinfo=UTC)
    with store.session() as s:
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="IMEI", b=IMEI, source="detections",
                           first_seen=seen, last_seen=seen, count=5, status="ACTIVE"))
        s.add(IdentityLink(a_type="IMSI", a=IMSI, b_type="MSISDN", b=MSISDN,
                           source="call_records", first_seen=seen, last_seen=seen, count=9,
                           status="ACTIVE"))
    attribute(store, [("IMEI", IMEI, PRISONER, probability)])


def attribute(store: Store, rows: list[tuple[str, str, str, float]]) -> int:
    """A finished attribution run with ``rows`` (type, identifier, prisoner, p)."""
    with store.session() as s:
        run = AttributionRun(engine="test", run_by="test", params={}, status="DONE")
        s.add(run)
        s.flush()
        for t, v, pn, p in rows:
            s.add(Attribution(run_id=run.id, identifier_type=t, identifier=v, prison_number=pn,
                              probability=p, rank=1, valid_from=date(2026, 9, 1),
                              valid_to=date(2026, 11, 30), status="PROPOSED"))
        return run.id


def report(ctx: IngestContext, tmp: Path, ref: str, sender: str, platform: str = "",
           channel: str = "SMS", name: str = "cr.csv") -> IngestSummary:
    """One report of contact by PP-1."""
    return load(ctx, "contact_reports", write(tmp / name, [
        {"report_ref": ref, "received_ts": "2026-10-12T09:00:00Z",
         "occurred_ts": "2026-10-10T21:00:00Z", "reporting_org": "Police",
         "crime_reference": "CRIME/1/26", "person_ref": "PP-1", "channel": channel,
         "sender": sender, "platform": platform, "content": "I know where you live"}]))
