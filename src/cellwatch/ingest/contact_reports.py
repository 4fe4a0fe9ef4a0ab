"""Ingest of ``contact_reports``: a victim, witness or the police report being contacted.

Each sender is normalised (a number to E.164, a handle or profile URL to
``platform:handle``); a ``person_ref`` must name a known protected person (the row
waits in quarantine until the person arrives). After the file is stored, every open
report is resolved through the identity graph (:func:`cellwatch.protect.resolve`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import Problem
from cellwatch.ingest.protected import StoreKind, field, known, read_identifier_into
from cellwatch.ingest.specs import KindSpec
from cellwatch.ingest.validate import Checked
from cellwatch.protect.models import ContactReport, ProtectedPerson

CHANNELS = ("CALL", "SMS", "MESSAGING_APP", "SOCIAL_POST", "SOCIAL_DM", "EMAIL", "OTHER")

SPEC = KindSpec(
    name="contact_reports", model="ContactReport", key=("report_ref",),
    fields=(field("report_ref", "str", True, max_length=64),
            field("received_ts", "timestamp", True), field("occurred_ts", "timestamp"),
            field("reporting_org", "str", max_length=200),
            field("crime_reference", "str", max_length=64),
            field("person_ref", "str", max_length=64),
            field("channel", "enum", True, values=CHANNELS),
            field("sender", "str", True, max_length=500),
            field("platform", "str", max_length=40),
            field("content", "str", max_length=20000)),
    after=(("occurred_ts", "received_ts"),),
)


def _prepare(ctx: IngestContext, session: Session, rows: list[Checked]) -> None:
    persons = known(session, ProtectedPerson.person_ref,
                    {r.values["person_ref"] for r in rows if r.values.get("person_ref")})
    for row in rows:
        if row.values.get("person_ref") and row.values["person_ref"] not in persons:
            row.problems.append(Problem("person_ref", "unknown protected person"))
        read_identifier_into(row, "sender", row.values.pop("platform", None),
                             "sender_type", "sender")


def handler() -> StoreKind:
    """The ``contact_reports`` kind."""
    # No after-ingest hook: the rules run once per request or command, after every
    # file, from cellwatch.alerts.detect.run.run_after_ingest (CLI, API and web alike).
    return StoreKind(SPEC, ContactReport, _prepare)
