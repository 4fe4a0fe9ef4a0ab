"""``knowledge_of(access, text)``: what an identifier is and everything the store knows of it.

One function serves ``cellwatch identify``, ``GET /api/v1/identifiers/{text}`` and the
web. It reads through the acting principal's scope: seizures, detections and TRO orders
of the establishments it covers, attributions to prisoners it may see, intelligence it
may see (handling codes enforced, and what crosses an organisation's boundary recorded
as a dissemination). An identifier on the allow-list as PRIVILEGED (a legal adviser's,
say) is never analysed: the answer says only that, whoever asks.

The shells ask through :func:`look_up`, which first opens the identifier by the rule of
the web's device page and ``cellwatch device``
(:func:`~cellwatch.attribution.service.attributions.open_identifier`): a reason is needed
to open one
known outside the principal's own organisation.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from cellwatch.access.models import IntelligenceReport
from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource, permitted
from cellwatch.access.scopes import visible_intelligence, visible_prisoners
from cellwatch.access.service import Access
from cellwatch.attribution.service.attributions import open_identifier
from cellwatch.errors import LakeError, NotFound
from cellwatch.identifiers import IdentifierInfo, classify, explain
from cellwatch.intelligence.service import disseminate
from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.lake.analytics import CallSummary
from cellwatch.store import AllowListEntry, Prisoner, SeizureItem
from cellwatch.tro.models import TroApplication, TroLine

PRIVILEGED = "PRIVILEGED"


def look_up(access: Access, text: str, reason: str | None = None,
            hint: str | None = None, lake: AnalyticEngine | None = None) -> dict[str, Any]:
    """:func:`knowledge_of`, once the identifier is opened as the device page opens it.

    Known in the principal's establishments, it needs a ``reason`` outside its own
    organisation (else :class:`~cellwatch.access.service.ReasonRequired`, audited) and the
    read is audited. Unknown there, the answer still says what ``text`` is, and shows only
    what lies in the principal's scope (a record known only elsewhere: the refusal audited).
    """
    info = classify(text, hint=hint)
    # Nothing of it in scope to open (NotFound): knowledge_of shows no more than that.
    with suppress(NotFound):
        open_identifier(access, info.value, info.type.name, reason, label=info.display)
    return knowledge_of(access, text, hint, lake=lake)


def knowledge_of(access: Access, text: str, hint: str | None = None,
                 lake: AnalyticEngine | None = None,
                 calls: CallSummary | None = None) -> dict[str, Any]:
    """What ``text`` is and what the store knows of it, as the principal may see it.

    ``lake``: the engine to read the lake through (the server's shared connection, with
    the files' footers cached); without it a DuckDB one is opened and closed for this
    look-up (a look-up is a page's read: it must not wait for Spark). ``calls``: the
    identifier's call-record count already read through it
    (:func:`~cellwatch.lake.analytics.identifier_calls`, with the device page's timeline),
    not read again; shown only to a principal who may read prisoners, as ever.
    Raises :class:`~cellwatch.errors.InvalidIdentifier` when ``text`` is not one.
    """
    info = classify(text, hint=hint)
    target = Target(Resource.IDENTIFIER, info.value)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        out: dict[str, Any] = {"identifier": info.to_dict(), "explain": explain(info)}
        reasons = _allow_listed(s, info.value)
        out["allow_listed"] = reasons
        if PRIVILEGED in reasons:
            # Privileged communication: nothing is looked up, and the audit says so.
            out["allow_listed"] = [PRIVILEGED]
            out["privileged"] = True
            out["note"] = "this identifier is privileged and is never analysed"
            access.audit(s, "lookup", target, detail={"privileged": True})
            return out
        out["privileged"] = False
        out["seizures"] = _seizures(s, access, info.value)
        out["tro_orders"] = _tro(s, access, info.value)
        out["attributions"] = _attributions(s, access, info.value)
        out["intelligence"] = _intelligence(s, access, info.value)
        out.update(_lake(access, info, lake, calls))
        access.audit(s, "lookup", target, detail={
            key: len(out[key]) for key in ("seizures", "tro_orders", "attributions",
                                           "intelligence", "detections")})
        return out


def _allow_listed(session: Session, value: str) -> list[str]:
    today = date.today()
    rows = session.scalars(select(AllowListEntry).where(AllowListEntry.identifier == value))
    return sorted({r.reason for r in rows
                   if (r.valid_from is None or r.valid_from <= today)
                   and (r.valid_to is None or r.valid_to >= today)})


def _covered(access: Access, column: Any) -> Any:
    scope = access.principal.establishments
    return None if scope is None else column.in_(sorted(scope))


def _seizures(session: Session, access: Access, value: str) -> list[dict[str, Any]]:
    query = select(SeizureItem).where(or_(SeizureItem.imei == value, SeizureItem.imsi == value,
                                          SeizureItem.msisdn == value,
                                          SeizureItem.iccid == value))
    scope = _covered(access, SeizureItem.establishment)
    if scope is not None:
        query = query.where(scope)
    return [{"seizure_ref": r.seizure_ref, "item_no": r.item_no, "ts": r.ts.isoformat(),
             "establishment": r.establishment, "item_type": r.item_type,
             "prison_number": r.prison_number}
            for r in session.scalars(query.order_by(SeizureItem.ts))]


def _tro(session: Session, access: Access, value: str) -> list[dict[str, Any]]:
    query = (select(TroLine, TroApplication).join(
        TroApplication, TroApplication.id == TroLine.application_id)
        .where(TroLine.identifier == value))
    scope = _covered(access, TroApplication.establishment)
    if scope is not None:
        query = query.where(scope)
    return [{"application": app.ref, "establishment": app.establishment, "state": app.state,
             "line_status": line.status, "action": line.action, "order_date":
             app.order_date.isoformat() if app.order_date else None}
            for line, app in session.execute(query.order_by(TroApplication.id))]


def _attributions(session: Session, access: Access, value: str) -> list[dict[str, Any]]:
    # Imported here: attribution is heavy and an identifier look-up may not need it.
    from cellwatch.attribution.export import attribution_rows

    try:
        rows = attribution_rows(access.store, identifier=value)
    except NotFound:  # no attribution run yet: nothing is attributed
        return []
    numbers = sorted({r["prison_number"] for r in rows})
    seen = set(session.scalars(select(Prisoner.prison_number).where(
        Prisoner.prison_number.in_(numbers), visible_prisoners(access.principal)))) \
        if numbers else set()
    keep = ("identifier_type", "prison_number", "probability", "valid_from", "valid_to",
            "status")
    return [{k: str(r[k]) if isinstance(r.get(k), date) else r.get(k) for k in keep}
            for r in rows if r["prison_number"] in seen]


def _intelligence(session: Session, access: Access, value: str) -> list[dict[str, Any]]:
    # The identifiers are a JSON list: narrow in SQL by its text (bound, LIKE-escaped),
    # then match exactly in Python, so the same code serves SQLite and PostgreSQL.
    pattern = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(IntelligenceReport).where(
        visible_intelligence(access.principal),
        cast(IntelligenceReport.identifiers, String).like(pattern, escape="\\"))
    rows = [r for r in session.scalars(query.order_by(IntelligenceReport.ts))
            if value in (r.identifiers or [])]
    disseminate(session, access, rows, "LOOKUP", None)
    return [{"report_ref": r.report_ref, "ts": r.ts.isoformat(),
             "establishment": r.establishment, "grading":
             f"{r.source_evaluation}{r.intelligence_assessment}{r.handling_code}",
             "owner_org": r.owner_org} for r in rows]


def _lake(access: Access, info: IdentifierInfo, shared: AnalyticEngine | None,
          calls: CallSummary | None = None) -> dict[str, Any]:
    """Detections per establishment and call-record counts, from the event lake."""
    out: dict[str, Any] = {"detections": [], "call_records": None}
    if access.settings is None:
        return out
    from cellwatch.lake.analytics import call_summary, identifier_detections
    from cellwatch.lake.engine_choice import engine_for

    value = info.value
    try:
        engine = shared if shared is not None else engine_for(access.settings, "duckdb")
    except LakeError:
        return out
    p = access.principal
    # Only the establishments the principal covers are read (the rest would be dropped):
    # the lake is partitioned by establishment, so the others' files are never opened.
    scope = None if p.establishments is None else sorted(p.establishments)
    # Only the columns an identifier of its type can stand in: one column's equality is
    # pushed into the scan (row groups skipped by their statistics), an OR is not.
    column = {"IMEI": "imei", "IMSI": "imsi"}.get(info.type.name)
    try:
        detections = [] if column is None else identifier_detections(
            engine, column, value, scope, root=access.settings.lake_dir)
        out["detections"] = [{"establishment": e, "count": n, "first_seen": str(first),
                              "last_seen": str(last)} for e, n, first, last in detections
                             if p.covers(e)]
        if p.is_system or permitted(p.roles, Resource.PRISONER, Action.READ):
            # The device page read the count with its call timeline (one scan, not two).
            summary = calls if calls is not None else \
                call_summary(engine, value, info.type.name)
            out["call_records"] = summary.to_dict()
    except LakeError:
        # A lake that cannot be read must not hide what the store knows; say so instead.
        out["lake_error"] = "the event lake could not be read"
    finally:
        if shared is None:
            engine.close()
    return out
