"""Applications and orders: create from candidates, move through the lifecycle, read back.

Every change of state goes through :func:`transition`, which checks the lifecycle
(raising IllegalTransition naming both states and the allowed ones), records who,
when and why in ``tro_transitions`` and in the shared audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cellwatch.errors import Conflict, InvalidData, NotFound
from cellwatch.identifiers import classify
from cellwatch.settings import Settings
from cellwatch.store import Establishment, Store, utcnow
from cellwatch.tro.audit import audit_tro_action
from cellwatch.tro.calendar import add_working_days
from cellwatch.tro.candidates import Candidate
from cellwatch.tro.lifecycle import Lifecycle, default_lifecycle
from cellwatch.tro.models import TroApplication, TroLine, TroTransition

# An identifier on an application in one of these states is not free for another one.
_FINISHED = ("REFUSED", "REVOKED", "EXPIRED")


@dataclass(frozen=True)
class Order:
    """An application or order as read back: the row, its lines and its history."""

    application: TroApplication
    lines: tuple[TroLine, ...]
    transitions: tuple[TroTransition, ...]

    @property
    def ref(self) -> str:
        return self.application.ref

    @property
    def state(self) -> str:
        return self.application.state

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for ``--json`` and the API."""
        a = self.application
        return {
            "ref": a.ref, "establishment": a.establishment, "state": a.state,
            "court": a.court, "court_ref": a.court_ref, "order_date": a.order_date,
            "served_date": a.served_date, "created_by": a.created_by,
            "lines": [
                {"line_no": ln.line_no, "identifier_type": ln.identifier_type,
                 "identifier": ln.identifier, "operator": ln.operator, "action": ln.action,
                 "status": ln.status, "compliance_due": ln.compliance_due,
                 "actioned_ts": ln.actioned_ts, "evidence_days": ln.evidence_days,
                 "score": ln.score}
                for ln in self.lines
            ],
            "transitions": [
                {"from": t.from_state, "to": t.to_state, "actor": t.actor, "at": t.at,
                 "reason": t.reason}
                for t in self.transitions
            ],
        }


def _normalise(identifier: str) -> tuple[str, str]:
    info = classify(identifier)
    if str(info.type) not in ("IMEI", "IMSI", "MSISDN"):
        raise InvalidData(f"{identifier}: a TRO names an IMEI, IMSI or number, not {info.type}")
    return str(info.type), info.value


def select_for_application(
    candidates: Sequence[Candidate], establishment: str, identifiers: Sequence[str] | None
) -> list[Candidate]:
    """The candidates of ``establishment`` named by ``identifiers`` (all of them if None).

    Every identifier must be a candidate there: an order needs evidence of use in the
    institution, so one without it is refused, with every such identifier listed.
    """
    here = {c.identifier: c for c in candidates if c.establishment == establishment}
    if identifiers is None:
        return list(here.values())
    chosen, missing = [], []
    for raw in identifiers:
        _kind, value = _normalise(raw)
        if value in here:
            chosen.append(here[value])
        else:
            missing.append(raw)
    if missing:
        raise InvalidData(
            f"no evidence of use in {establishment} for: {', '.join(missing)}",
            {"identifiers": [f"{m}: not a candidate in {establishment}" for m in missing]},
        )
    return chosen


def create_application(
    store: Store, actor: str, establishment: str, candidates: Sequence[Candidate],
    reason: str = "application drafted", lifecycle: Lifecycle | None = None,
) -> Order:
    """Draft an application for ``candidates`` (all of one establishment)."""
    lifecycle = lifecycle or default_lifecycle()
    if not candidates:
        raise InvalidData("an application needs at least one identifier")
    if any(c.establishment != establishment for c in candidates):
        raise InvalidData(f"every identifier of an application must be of {establishment}")
    with store.session() as s:
        if s.get(Establishment, establishment) is None:
            raise NotFound(f"establishment {establishment} is not known")
        _refuse_live_duplicates(s, [c.identifier for c in candidates])
        now = utcnow()
        app = TroApplication(ref=f"PENDING-{now.timestamp()}", establishment=establishment,
                             state=lifecycle.initial, created_by=actor, created_at=now,
                             updated_at=now)
        s.add(app)
        s.flush()
        app.ref = f"TRO-{establishment}-{now.year}-{app.id:05d}"
        for n, c in enumerate(candidates, start=1):
            s.add(TroLine(application_id=app.id, line_no=n, identifier_type=c.identifier_type,
                          identifier=c.identifier, operator=c.operator, action=c.action,
                          status="PENDING", evidence=c.evidence(),
                          evidence_days=c.evidence_days, first_seen=c.first_seen,
                          last_seen=c.last_seen, score=c.score))
        s.add(TroTransition(application_id=app.id, from_state=None, to_state=app.state,
                            actor=actor, at=now, reason=reason))
        audit_tro_action(s, actor, "tro.create", app.ref, reason,
                         {"identifiers": [c.identifier for c in candidates]})
        ref = app.ref
    return get_order(store, ref)


def _refuse_live_duplicates(session: Session, identifiers: Sequence[str]) -> None:
    taken = session.execute(
        select(TroLine.identifier, TroApplication.ref)
        .join(TroApplication, TroApplication.id == TroLine.application_id)
        .where(TroLine.identifier.in_(identifiers), TroApplication.state.not_in(_FINISHED))
    ).all()
    if taken:
        listed = ", ".join(f"{i} ({r})" for i, r in taken)
        raise Conflict(f"already on a live TRO application: {listed}")


def transition(
    store: Store, settings: Settings, actor: str, ref: str, target: str, reason: str, *,
    court: str | None = None, court_ref: str | None = None, order_date: date | None = None,
    on: date | None = None, lifecycle: Lifecycle | None = None,
) -> Order:
    """Move order ``ref`` to ``target``, recording who, when and why.

    ``on`` is the day the step happened (default today); on SERVED it starts each
    pending line's compliance period of ``settings.tro_compliance_working_days``.
    """
    lifecycle = lifecycle or default_lifecycle()
    if not reason.strip():
        raise InvalidData("a transition needs a reason", {"reason": ["required"]})
    with store.session() as s:
        app = _load(s, ref)
        spec = lifecycle.check(app.state, target.upper(), app.ref)
        fields = {"court": court or app.court, "order_date": order_date or app.order_date}
        missing = [name for name in spec.requires if not fields.get(name)]
        if missing:
            raise InvalidData(f"{spec.name} needs {', '.join(missing)}",
                              {name: ["required"] for name in missing})
        now = utcnow()
        day = on or now.date()
        previous = app.state
        app.state, app.updated_at = spec.name, now
        app.court, app.order_date = court or app.court, order_date or app.order_date
        app.court_ref = court_ref or app.court_ref
        if spec.name == "SERVED":
            app.served_date = day
            due = add_working_days(day, settings.tro_compliance_working_days)
            for line in s.scalars(select(TroLine).where(TroLine.application_id == app.id,
                                                        TroLine.status == "PENDING")):
                line.compliance_due = due
        s.add(TroTransition(application_id=app.id, from_state=previous, to_state=spec.name,
                            actor=actor, at=now, reason=reason))
        audit_tro_action(s, actor, "tro.transition", ref, reason,
                         {"from": previous, "to": spec.name})
    return get_order(store, ref)


def _load(session: Session, ref: str) -> TroApplication:
    app = session.scalars(select(TroApplication).where(TroApplication.ref == ref)).first()
    if app is None:
        raise NotFound(f"no TRO application {ref}")
    return app


def get_order(store: Store, ref: str) -> Order:
    """Read an application or order with its lines and history."""
    with store.session() as s:
        app = _load(s, ref)
        lines = s.scalars(select(TroLine).where(TroLine.application_id == app.id)
                          .order_by(TroLine.line_no)).all()
        history = s.scalars(select(TroTransition).where(TroTransition.application_id == app.id)
                            .order_by(TroTransition.id)).all()
        return Order(app, tuple(lines), tuple(history))


def list_orders(store: Store, establishment: str | None = None) -> list[dict[str, Any]]:
    """Every application with its state and number of lines, newest first."""
    with store.session() as s:
        query = (select(TroApplication.ref, TroApplication.establishment, TroApplication.state,
                        func.count(TroLine.id))
                 .join(TroLine, TroLine.application_id == TroApplication.id, isouter=True)
                 .group_by(TroApplication.id).order_by(TroApplication.id.desc()))
        if establishment:
            query = query.where(TroApplication.establishment == establishment)
        return [{"ref": r, "establishment": e, "state": st, "lines": n}
                for r, e, st, n in s.execute(query)]
