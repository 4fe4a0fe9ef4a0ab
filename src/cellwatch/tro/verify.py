"""Verification after disconnection: reappearance alerts, VERIFIED orders, and the
time from first detection to disconnection per establishment.

The scan runs in DuckDB over the lake; each reappearance raises one alert in the shared
alerts table (key: rule, line, identifiers), updated in place with its sightings when the
scan runs again. The prisoner is the line's attributed one, else who the identifier
resolves to on the day it reappeared.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy import inspect, select

from cellwatch.alerts.models import Alert
from cellwatch.alerts.raising import AlertDraft, Raised, priority, upsert_alert
from cellwatch.alerts.rules import load_rules
from cellwatch.lake.analytic_engine import AnalyticEngine
from cellwatch.protect.resolve import resolve_identifier
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow
from cellwatch.tro.models import TroApplication, TroLine
from cellwatch.tro.orders import transition
from cellwatch.tro.policy import EvidencePolicy, default_policy
from cellwatch.tro.reference import open_lake
from cellwatch.tro.responses import DISCONNECTED_OUTCOMES
from cellwatch.tro.verify_sql import reappearances_sql

_TS = pa.timestamp("us", tz="UTC")
_DISCONNECTED_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("application_id", pa.int64()), ("establishment", pa.string()),
    ("identifier_type", pa.string()), ("identifier", pa.string()), ("actioned_ts", _TS),
    ("last_seen", _TS),
])
_ATTRIBUTION_SCHEMA = pa.schema([("identifier_type", pa.string()), ("identifier", pa.string()),
                                 ("prison_number", pa.string())])
_ACTIONED_STATES = ("ACKNOWLEDGED", "DISCONNECTED", "VERIFIED")
# Rule names (rules.yaml; the first is the interchange's name for it).
REAPPEARED = "DISCONNECTED_IDENTIFIER_REAPPEARED"
HANDSET_NEW_SIM = "TRO_HANDSET_NEW_SIM"
REPLACEMENT_DEVICE = "TRO_REPLACEMENT_DEVICE"
_SUMMARIES = {
    REAPPEARED: "{subject} reappeared after disconnection on {ref} (first {first})",
    HANDSET_NEW_SIM: ("handset {subject} of {ref} is in use with a new SIM {new} (first {first}):"
                      " recommend a handset block"),
    REPLACEMENT_DEVICE: ("{new} attributed to {prisoner} first seen {first}, after {subject} of "
                         "{ref} went quiet: a likely replacement"),
}


@dataclass
class VerifyResult:
    """What a scan found: new alerts, reappearances already alerted, orders verified."""

    new_alerts: list[dict[str, Any]] = field(default_factory=list)
    known: int = 0
    verified: list[str] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)


def _disconnected(store: Store) -> tuple[pa.Table, dict[int, tuple[str, str, int]]]:
    with store.session() as s:
        rows = s.execute(
            select(TroLine, TroApplication.ref, TroApplication.establishment)
            .join(TroApplication, TroApplication.id == TroLine.application_id)
            .where(TroApplication.state.in_(_ACTIONED_STATES),
                   TroLine.status.in_(DISCONNECTED_OUTCOMES), TroLine.actioned_ts.is_not(None))
        ).all()
    table = pa.Table.from_pylist([
        {"line_id": ln.id, "application_id": ln.application_id, "establishment": est,
         "identifier_type": ln.identifier_type, "identifier": ln.identifier,
         "actioned_ts": ln.actioned_ts, "last_seen": ln.last_seen}
        for ln, _ref, est in rows], schema=_DISCONNECTED_SCHEMA)
    return table, {ln.id: (ref, est, ln.application_id) for ln, ref, est in rows}


def _attributions(store: Store) -> pa.Table:
    rows: list[dict[str, Any]] = []
    try:
        from cellwatch.attribution.models import Attribution
    except ImportError:  # pragma: no cover - degrade: no replacement check without it
        return _ATTRIBUTION_SCHEMA.empty_table()
    if inspect(store.engine).has_table(Attribution.__tablename__):
        with store.session() as s:
            rows = [{"identifier_type": t, "identifier": i, "prison_number": p}
                    for t, i, p in s.execute(
                        select(Attribution.identifier_type, Attribution.identifier,
                               Attribution.prison_number).distinct()
                        .where(Attribution.status != "REJECTED"))]
    return pa.Table.from_pylist(rows, schema=_ATTRIBUTION_SCHEMA)


def scan_reappearances(engine: AnalyticEngine, store: Store,
                       as_of: date | None = None) -> VerifyResult:
    """Raise one alert per reappearance, or update its sightings if raised before."""
    table, lines = _disconnected(store)
    engine.register("tro_ref_disconnected", table)
    engine.register("tro_ref_attributions", _attributions(store))
    found = engine.run(reappearances_sql()).to_pylist()
    rules = load_rules()
    result = VerifyResult()
    with store.session() as s:
        for row in found:
            ref, establishment, application_id = lines[row["line_id"]]
            key = f"{row['rule']}:{row['line_id']}:{row['subject']}:{row['new_identifier'] or ''}"
            first: datetime = row["first_ts"]
            identifier = row["new_identifier"] or row["subject"]
            prisoner = row["prison_number"]
            if prisoner is None and row["rule"] == REAPPEARED:
                cands = resolve_identifier(s, _type_of(table, row["line_id"]), row["subject"],
                                           first.date())
                prisoner = cands[0].prison_number if cands else None
            summary = _SUMMARIES[row["rule"]].format(
                subject=row["subject"], ref=ref, new=row["new_identifier"],
                prisoner=prisoner, first=first.isoformat(timespec="seconds"))
            raised = upsert_alert(s, AlertDraft(
                row["rule"], key, f"{summary}; {row['sightings']} sighting(s)",
                prison_number=prisoner, identifier=identifier, establishment=establishment,
                details={"order_ref": ref, "subject": row["subject"],
                         "first_ts": first.isoformat(), "sightings": row["sightings"],
                         "application_id": application_id, "line_id": row["line_id"]},
                priority=priority(rules[row["rule"]].severity), first_seen=first,
                last_seen=row.get("last_ts") or first, evidence_count=int(row["sightings"]),
                as_of=as_of))
            result.raised.append(raised)
            if raised.new:
                result.new_alerts.append({"alert_id": raised.alert.id, "rule": row["rule"],
                                          "summary": raised.alert.summary})
            else:
                result.known += 1
    return result


def _type_of(table: pa.Table, line_id: int) -> str:
    ids = table.column("line_id").to_pylist()
    return str(table.column("identifier_type")[ids.index(line_id)])


def _alerted(s: Any, application_id: int) -> bool:
    """Whether a reappearance or new-SIM alert names a line of the application."""
    for details in s.scalars(select(Alert.details).where(
            Alert.rule.in_((REAPPEARED, HANDSET_NEW_SIM)))):
        if (details or {}).get("application_id") == application_id:
            return True
    return False


def verify(
    settings: Settings, store: Store, actor: str, as_of: datetime | None = None,
    policy: EvidencePolicy | None = None,
) -> VerifyResult:
    """Scan for reappearances, then mark VERIFIED each DISCONNECTED order whose lines have
    stayed quiet for the policy's quiet period (no reappearance alert on any line)."""
    policy = policy or default_policy()
    engine = open_lake(settings)
    try:
        result = scan_reappearances(engine, store)
    finally:
        engine.close()
    now = as_of or utcnow()
    quiet = timedelta(days=policy.verification.quiet_days)
    with store.session() as s:
        apps = s.scalars(select(TroApplication).where(TroApplication.state == "DISCONNECTED")).all()
        ready = []
        for app in apps:
            lines = s.scalars(select(TroLine).where(TroLine.application_id == app.id)).all()
            if not _alerted(s, app.id) and all(
                    ln.actioned_ts is not None and ln.actioned_ts + quiet <= now for ln in lines):
                ready.append(app.ref)
    for ref in ready:
        transition(store, settings, actor, ref, "VERIFIED",
                   f"no reappearance in the {policy.verification.quiet_days} days after "
                   "disconnection")
        result.verified.append(ref)
    return result


def time_to_disconnection(store: Store) -> list[dict[str, Any]]:
    """Per establishment: lines disconnected, and days from first detection to disconnection
    (median, mean, max)."""
    with store.session() as s:
        rows = s.execute(
            select(TroApplication.establishment, TroLine.first_seen, TroLine.actioned_ts)
            .join(TroLine, TroLine.application_id == TroApplication.id)
            .where(TroLine.status == "DONE", TroLine.first_seen.is_not(None),
                   TroLine.actioned_ts.is_not(None))
        ).all()
    days: dict[str, list[float]] = {}
    for establishment, first_seen, actioned in rows:
        if first_seen is None or actioned is None:
            continue
        days.setdefault(establishment, []).append((actioned - first_seen).total_seconds() / 86400)
    return [
        {"establishment": est, "lines": len(v), "median_days": round(statistics.median(v), 1),
         "mean_days": round(statistics.fmean(v), 1), "max_days": round(max(v), 1)}
        for est, v in sorted(days.items())
    ]
