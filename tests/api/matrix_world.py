"""The world the access matrix is played in: the fixture estate, a user of every role, and
one record of every kind at Hewell (HEI) and at Leeds (LEI), plus C-coded intelligence.

Written as test set-up, as the local ``system`` or straight into the store; what is under
test (the API and the web) reads and changes it through the service layer. Records a write
would use up (a referral to acknowledge, a judgement to undo, an alert to close) are made
fresh for each cell by :class:`World`'s ``fresh_*`` methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from attribution_seed import LEEDS_ONLY, SHARED, SIM, seed_attributions
from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.models import Case, CaseSubject, Organisation, Referral
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.alerts.models import Alert
from cellwatch.attribution.service.attributions import judge_attribution
from cellwatch.guard.models import GuardHold
from cellwatch.protect.models import ContactReport, ProtectedPerson, UpdateRequest
from cellwatch.store import Store
from cellwatch.store.ingest import QuarantinedRow
from cellwatch.takedown.models import TakedownRequest
from cellwatch.tro.models import TroApplication, TroLine
from operator_support import serve_orders

# One column per user: every role, in organisations of every kind.
USERS = ("nat_analyst", "nat_admin", "nat_victim", "wm_analyst", "hei_analyst",
         "hei_supervisor", "hei_liaison", "lei_analyst", "lei_admin", "wmp_investigator",
         "wmp_supervisor", "parole_cm", "voda_liaison", "voda_admin")
EXTRA_USERS = (("nat_victim", "NIU", "victim_liaison"),
               ("hei_liaison", "HEI-SIT", "operator_liaison"),
               ("wmp_supervisor", "WMP", "supervisor"),
               ("voda_admin", "VODA", "administrator"))
# Where the matrix's referrals and shares go: an organisation with no user, so a write in
# one cell never widens what another cell's user sees.
SINK = "M-SINK"
_PRISONER = {"HEI": "A1111AA", "LEI": "A3333CC"}
LEI_ORDER, VODA_LEI = "TRO-LEI-2026-00001", "234150000000019"
__all__ = ["LEEDS_ONLY", "PASSWORD", "SHARED", "SIM", "SINK", "USERS", "World", "build_world"]


@dataclass
class World:
    """Ids of the records each cell reaches for, by establishment (``HEI``, ``LEI``)."""

    store: Store
    alerts: dict[str, int] = field(default_factory=dict)
    takedowns: dict[str, int] = field(default_factory=dict)
    holds: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # VODA lines of HEI's and LEI's orders
    batches: dict[str, int] = field(default_factory=dict)
    quarantine: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)
    # Protected persons owned by the national unit (NIU) and by Hewell's team (HEI), and a
    # report of contact of each.
    persons: dict[str, str] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)
    serial: int = 0

    def next(self) -> int:
        """A number not used before in this world (for refs a write creates)."""
        self.serial += 1
        return self.serial

    def fresh_referral(self, to_est: str) -> int:
        """A referral sent to the security team of ``to_est`` (to acknowledge)."""
        with self.store.session() as s:
            sender = "LEI-SIT" if to_est == "HEI" else "HEI-SIT"
            r = Referral(from_org=sender, to_org=f"{to_est}-SIT", summary="s", status="SENT",
                         prison_number="A1111AA" if to_est == "HEI" else "A3333CC",
                         created_by="system")
            s.add(r)
            s.flush()
            return int(r.id)

    def fresh_acknowledged(self, to_est: str) -> int:
        """A referral to the security team of ``to_est``, acknowledged (for an outcome)."""
        referral = self.fresh_referral(to_est)
        with self.store.session() as s:
            row = s.get(Referral, referral)
            assert row is not None
            row.status, row.acknowledged_by = "ACKNOWLEDGED", "system"
        return referral

    def fresh_update_request(self, to_est: str) -> int:
        """An open request for an update to the security team of ``to_est`` (on the
        referral it sent the other prison, so no record is shared further)."""
        sender, other = (("HEI-SIT", "LEI-SIT") if to_est == "HEI" else ("LEI-SIT", "HEI-SIT"))
        other_est = "LEI" if to_est == "HEI" else "HEI"
        with self.store.session() as s:
            u = UpdateRequest(referral_id=self.referrals[other_est], from_org=other,
                              to_org=sender, prison_number=_PRISONER[other_est],
                              note="matrix", status="OPEN", requested_by="system")
            s.add(u)
            s.flush()
            return int(u.id)

    def fresh_alert(self, est: str) -> int:
        """An open alert at ``est``."""
        with self.store.session() as s:
            n = self.next()
            a = Alert(rule="DEVICE_REAPPEARED", dedupe_key=f"m-{n}", status="OPEN",
                      prison_number="A1111AA" if est == "HEI" else "A3333CC",
                      establishment=est, summary=f"alert {n}", details={})
            s.add(a)
            s.flush()
            return int(a.id)

    def fresh_takedown(self, est: str) -> int:
        """A drafted takedown request at ``est``."""
        with self.store.session() as s:
            n = self.next()
            t = TakedownRequest(platform="x", account=f"acct{n}", state="DRAFTED",
                                prison_number="A1111AA" if est == "HEI" else "A3333CC",
                                establishment=est, reason="r", created_by="system")
            s.add(t)
            s.flush()
            return int(t.id)

    def fresh_hold(self, est: str) -> int:
        """A guard hold at ``est``."""
        with self.store.session() as s:
            n = self.next()
            h = GuardHold(identifier_type="IMEI", identifier=f"35209900176{n:04d}",
                          establishment=est, flag="STAFF_PATTERN", status="HELD", evidence={})
            s.add(h)
            s.flush()
            return int(h.id)

    def fresh_judgement(self, est: str) -> int:
        """A judgement by the team of ``est`` on its prisoner's attribution of SHARED."""
        user, prisoner = ("hei_analyst", "A1111AA") if est == "HEI" else ("lei_analyst",
                                                                           "A3333CC")
        with self.store.session() as s:
            access = Access(self.store, principal_for(s, user))
        return int(judge_attribution(access, "IMEI", SHARED, prisoner, "UNSURE", "matrix").id)

    def fresh_case(self, est: str) -> str:
        """A case owned by the security team of ``est``, naming its prisoner."""
        with self.store.session() as s:
            ref = f"M-CASE-{self.next()}"
            case = Case(ref=ref, title=ref, kind="CASE", owner_org=f"{est}-SIT",
                        establishment=est, status="OPEN", created_by="system")
            s.add(case)
            s.flush()
            s.add(CaseSubject(case_id=case.id, prison_number=_PRISONER[est]))
            return ref

    def fresh_order(self, est: str) -> str:
        """A TRO application of ``est`` in DRAFT."""
        with self.store.session() as s:
            ref = f"TRO-{est}-2026-{self.next() + 100:05d}"
            s.add(TroApplication(ref=ref, establishment=est, state="DRAFT",
                                 created_by="system"))
            return ref

    def fresh_quarantine(self, est: str) -> int:
        """A quarantined seizure row of ``est``, in the batch of its team."""
        with self.store.session() as s:
            row = s.get(QuarantinedRow, self.quarantine[est])
            assert row is not None
            copy = QuarantinedRow(**{c.key: getattr(row, c.key) for c in
                                     QuarantinedRow.__table__.columns if c.key != "id"})
            s.add(copy)
            s.flush()
            return int(copy.id)


def _orders(store: Store) -> dict[str, int]:
    served = serve_orders(store)
    with store.session() as s:
        app = TroApplication(ref=LEI_ORDER, establishment="LEI", state="SERVED",
                             created_by="lei_analyst", court="Leeds",
                             order_date=date(2026, 3, 20), served_date=date(2026, 3, 20))
        s.add(app)
        s.flush()
        line = TroLine(application_id=app.id, line_no=1, identifier_type="IMSI",
                       identifier=VODA_LEI, operator="Vodafone UK", action="DISCONNECT_SIM",
                       status="PENDING", evidence={}, evidence_days=4, score=0.9,
                       compliance_due=date(2026, 3, 27))
        s.add(line)
        s.flush()
        return {"HEI": served.voda, "LEI": int(line.id)}


def _cases(store: Store) -> None:
    with store.session() as s:
        for ref, org, est, prisoner in (("CASE-HEI", "HEI-SIT", "HEI", "A1111AA"),
                                        ("CASE-LEI", "LEI-SIT", "LEI", "A3333CC")):
            case = Case(ref=ref, title=ref, kind="CASE", owner_org=org, establishment=est,
                        status="OPEN", created_by="system")
            s.add(case)
            s.flush()
            s.add(CaseSubject(case_id=case.id, prison_number=prisoner))


def _quarantined(store: Store, client_upload: object) -> tuple[dict[str, int], dict[str, int]]:
    del client_upload
    with store.session() as s:
        rows = s.execute(select(QuarantinedRow.id, QuarantinedRow.batch_id,
                                QuarantinedRow.raw)).all()
    quarantine, batches = {}, {}
    for row_id, batch_id, raw in rows:
        est = str((raw or {}).get("establishment", ""))
        quarantine.setdefault(est, row_id)
        batches.setdefault(est, batch_id)
    return quarantine, batches


def _persons(world: World) -> None:
    with world.store.session() as s:
        for key, owner in (("NIU", "NIU"), ("HEI", "HEI-SIT")):
            ref = f"PP-M-{key}"
            s.add(ProtectedPerson(person_ref=ref, prison_number="A1111AA",
                                  condition="RESTRAINING_ORDER", owner_org=owner))
            s.flush()
            report = ContactReport(report_ref=f"CR-M-{key}", received_ts=now(),
                                   person_ref=ref, channel="SMS", sender_type="MSISDN",
                                   sender="+447700900999", resolution="OPEN")
            s.add(report)
            s.flush()
            world.persons[key], world.reports[key] = ref, int(report.id)


def build_world(store: Store, upload: object) -> World:
    """Everything the matrix reaches for; ``upload(user, kind, csv)`` loads a file as a user
    (through the API, so batches and quarantined rows are theirs)."""
    build_estate(store)
    admin = Access(store, SYSTEM)
    for username, org, role in EXTRA_USERS:
        create_user(admin, username, org, [role], PASSWORD)
    world = World(store)
    world.lines = _orders(store)
    seed_attributions(store)
    _cases(store)
    with store.session() as s:
        s.execute(update(Organisation).where(Organisation.code == "VODA")
                  .values(network="Vodafone UK"))
        s.add(Organisation(code=SINK, name="no user", kind="POLICE", active=True))
    _persons(world)
    for est in ("HEI", "LEI"):
        world.alerts[est] = world.fresh_alert(est)
        world.takedowns[est] = world.fresh_takedown(est)
        world.holds[est] = world.fresh_hold(est)
        world.referrals[est] = world.fresh_referral(est)
    assert callable(upload)
    bad = "seizure_ref,item_no,ts,establishment,item_type\r\nSZ-{e},1,not a time,{e},HANDSET\r\n"
    upload("hei_supervisor", "seizures", bad.format(e="HEI"))
    upload("lei_admin", "seizures", bad.format(e="LEI"))
    world.quarantine, world.batches = _quarantined(store, upload)
    return world


def now() -> datetime:
    """A fixed instant for bodies that need one."""
    return datetime(2026, 3, 23, 9, tzinfo=UTC)
