"""Ingest of ``social_observations``: posts or profiles seen on social media.

Stored for linking accounts to prisoners: an observer's named prisoner is evidence
(weighed in :mod:`cellwatch.protect.resolve`), not a fact. An ``establishment`` or
``prison_number`` that does not resolve is kept and flagged, as optional references are;
an ``establishment`` outside the scope of the user who runs the ingest quarantines the row
(:mod:`cellwatch.ingest.scope`), as for intelligence.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cellwatch.access.roles import Resource
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import Problem
from cellwatch.ingest.protected import StoreKind, field, known, read_identifier_into
from cellwatch.ingest.scope import WriteScope
from cellwatch.ingest.specs import KindSpec
from cellwatch.ingest.validate import Checked
from cellwatch.protect.models import SocialObservation
from cellwatch.store import Establishment, Prisoner

SPEC = KindSpec(
    name="social_observations", model="SocialObservation", key=("observation_ref",),
    fields=(field("observation_ref", "str", True, max_length=64),
            field("observed_ts", "timestamp", True),
            field("platform", "str", True, max_length=40),
            field("account", "str", True, max_length=500),
            field("post_url", "str", max_length=1000),
            field("posted_ts", "timestamp"),
            field("content", "str", max_length=20000),
            field("observed_by", "str", max_length=200),
            field("establishment", "establishment"),
            field("prison_number", "prison_number")),
    after=(("posted_ts", "observed_ts"),),
)
# Observations are intelligence (a supervisor's kind, like intelligence_reports): the
# policy's rule for creating intelligence decides where a writer may record them.
SCOPE = WriteScope("social observations", Resource.INTELLIGENCE)


def _prepare(ctx: IngestContext, session: Session, rows: list[Checked]) -> None:
    ests = known(session, Establishment.code,
                 {r.values["establishment"] for r in rows if r.values.get("establishment")})
    people = known(session, Prisoner.prison_number,
                   {r.values["prison_number"] for r in rows if r.values.get("prison_number")})
    for row in rows:
        read_identifier_into(row, "account", row.values.get("platform"), "_type", "account")
        if row.ok and row.values.get("_type") != "ACCOUNT":
            row.problems.append(Problem("account", "not a social media account"))
        if row.ok:
            row.values["platform"] = str(row.values["account"]).split(":", 1)[0]
        for name, found in (("establishment", ests), ("prison_number", people)):
            value = row.values.get(name)
            if value and value not in found:
                row.flags.append(f"{name}: unresolved_reference")
                row.values["extra"] = {**(row.values.get("extra") or {}),
                                       "_flags": [*row.flags]}
    # Known or not, a named establishment must be the writer's: one not yet in the register
    # is still no local team's to record observations for.
    SCOPE.check(ctx, session, rows)


def handler() -> StoreKind:
    """The ``social_observations`` kind."""
    # No after-ingest hook: the rules run once per request or command, after every
    # file, from cellwatch.alerts.detect.run.run_after_ingest (CLI, API and web alike).
    return StoreKind(SPEC, SocialObservation, _prepare)
