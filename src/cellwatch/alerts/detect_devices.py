"""FLAGGED_DEVICE_DETECTED and DISCONNECTED_IDENTIFIER_REAPPEARED.

A device (handset or SIM) the latest run attributes, at or above the confirmation
threshold, to a prisoner with a protected person in force is flagged; each week it is
detected raises one alert (``key = identifier|prisoner|ISO week``), so a phone in daily use
is a weekly reminder rather than a flood. Detections are counted in DuckDB.

Reappearances are found by the TRO verification scan (:mod:`cellwatch.tro.verify`),
which records them in ``tro_alerts``; this rule carries each into the shared alerts once
(``key = tro:<id>``), adding the prisoner the identifier is attributed to.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select

from cellwatch.alerts.context import RuleContext
from cellwatch.alerts.detect_contact import protected_prisoners
from cellwatch.alerts.lifecycle import raise_alert
from cellwatch.alerts.models import Alert
from cellwatch.attribution.models import Attribution
from cellwatch.protect.resolve import latest_run, resolve_identifier
from cellwatch.store import Prisoner

FLAGGED = "FLAGGED_DEVICE_DETECTED"
REAPPEARED = "DISCONNECTED_IDENTIFIER_REAPPEARED"

# Detections of flagged handsets and SIMs, per identifier and ISO week. One equi-join per
# identifier type: a join on "IMEI matches OR IMSI matches" cannot be hashed, and DuckDB
# compared every detection with every flagged device (18 s on a year's estate; 2.8 s so).
DETECTIONS_SQL = """
WITH hits AS (
    SELECT f.identifier_type, f.identifier, f.prison_number, d.ts
    FROM detections d JOIN cw_flagged f ON f.identifier_type = 'IMEI' AND d.imei = f.identifier
    WHERE d.ts >= f.valid_from
    UNION ALL
    SELECT f.identifier_type, f.identifier, f.prison_number, d.ts
    FROM detections d JOIN cw_flagged f ON f.identifier_type = 'IMSI' AND d.imsi = f.identifier
    WHERE d.ts >= f.valid_from
)
SELECT identifier_type, identifier, prison_number, strftime(ts, '%G-W%V') AS week,
       min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n
FROM hits
GROUP BY ALL
ORDER BY first_ts
"""


def _flagged(ctx: RuleContext, prisoners: dict[str, list[str]]) -> pa.Table:
    threshold = ctx.settings.parole_probability_threshold
    with ctx.store.session() as s:
        run_id = latest_run(s)
        rows = [] if run_id is None else list(s.scalars(select(Attribution).where(
            Attribution.run_id == run_id, Attribution.identifier_type.in_(("IMEI", "IMSI")),
            Attribution.prison_number.in_(sorted(prisoners)),
            Attribution.probability >= threshold, Attribution.status != "REJECTED")))
    return pa.table({
        "identifier_type": [a.identifier_type for a in rows],
        "identifier": [a.identifier for a in rows],
        "prison_number": [a.prison_number for a in rows],
        "valid_from": pa.array([a.valid_from for a in rows], pa.date32()),
    })


def flagged_device_detected(ctx: RuleContext) -> list[Alert]:
    """One alert per flagged device, prisoner and week with detections."""
    prisoners = protected_prisoners(ctx)
    flagged = _flagged(ctx, prisoners)
    if flagged.num_rows == 0:
        return []
    hits = ctx.query(DETECTIONS_SQL, tables={"cw_flagged": flagged})
    raised: list[Alert] = []
    with ctx.store.session() as s:
        for h in hits:
            est = s.scalars(select(Prisoner.establishment).where(
                Prisoner.prison_number == h["prison_number"])).first()
            alert = raise_alert(
                s, FLAGGED, f"{h['identifier']}|{h['prison_number']}|{h['week']}",
                prison_number=h["prison_number"], identifier=h["identifier"],
                establishment=est,
                summary=(f"{h['identifier_type']} {h['identifier']}, attributed to "
                         f"{h['prison_number']} who has a protected person, detected "
                         f"{h['n']} time(s) in {h['week']} (first "
                         f"{h['first_ts']:%Y-%m-%d %H:%M} UTC)"),
                details={"week": h["week"], "detections": int(h["n"]),
                         "protected_persons": len(prisoners[h["prison_number"]])})
            if alert is not None:
                raised.append(alert)
    return raised


def disconnected_identifier_reappeared(ctx: RuleContext) -> list[Alert]:
    """Carry TRO reappearance alerts into the shared table with the attributed prisoner."""
    try:
        from cellwatch.tro.models import TroAlert
    except ImportError:  # the TRO package is optional in a build without it
        return []
    raised: list[Alert] = []
    with ctx.store.session() as s:
        for t in s.scalars(select(TroAlert).where(TroAlert.rule == REAPPEARED)
                           .order_by(TroAlert.id)):
            prison_number = t.prison_number
            if prison_number is None and t.identifier and t.identifier_type:
                cands = resolve_identifier(s, t.identifier_type, t.identifier,
                                           t.created_ts.date())
                prison_number = cands[0].prison_number if cands else None
            alert = raise_alert(s, REAPPEARED, f"tro:{t.id}", prison_number=prison_number,
                                identifier=t.identifier, establishment=t.establishment,
                                summary=t.summary,
                                details={"tro_alert_id": t.id, **(t.details or {})})
            if alert is not None:
                raised.append(alert)
    return raised
