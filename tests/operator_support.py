"""Operators and orders served on them, for the tests of the operators' view (TRO lines).

Written as test set-up: organisations and users through the directory service as the
local ``system``, orders straight into the store (the view under test reads them back
through the service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from cellwatch.access.directory import create_org, create_user
from cellwatch.access.fixtures import PASSWORD
from cellwatch.access.models import Organisation
from cellwatch.access.principal import SYSTEM, Principal, principal_for
from cellwatch.access.service import Access
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.tro.models import TroApplication, TroLine

EE_IMSI = "234300000000011"  # EE (234-30)
EE_UNSERVED = "234300000000029"  # EE, on an order granted but not yet served
VODA_IMSI = "234150000000001"  # Vodafone UK (234-15)
SERVED_REF, GRANTED_REF = "TRO-HEI-2026-00001", "TRO-HEI-2026-00002"
# What an operator must never be shown, though the order holds it.
PRISONER, SURNAME = "A1111AA", "Smith"
EVIDENCE = {"prison_number": PRISONER, "seizure_refs": ["HEI-SZ-1"], "locations": ["HEI-A-1"]}
LINE_KEYS = {"order_ref", "line_id", "line_no", "identifier_type", "identifier", "action",
             "served_date", "compliance_due", "status", "operator_ref", "actioned_ts",
             "working_days_late"}


def add_operator(store: Store, code: str, network: str | None, username: str) -> None:
    """An operator organisation answering for ``network``, with one liaison user."""
    admin = Access(store, SYSTEM)
    create_org(admin, code, f"{code} network", "OPERATOR", network=network)
    create_user(admin, username, code, ["operator_liaison"], PASSWORD)


def access_as(store: Store, settings: Settings, username: str) -> Access:
    """The user as a principal on the store, as the API and web resolve one."""
    with store.session() as s:
        principal: Principal = principal_for(s, username)
    return Access(store, principal, settings)


@dataclass(frozen=True)
class Served:
    """The line ids of :func:`serve_orders`."""

    ee: int
    voda: int
    unserved: int


def serve_orders(store: Store) -> Served:
    """Over the access fixture estate: EE's ``ee_liaison``, the fixture's Vodafone liaison
    answering for Vodafone UK, an order served at Hewell with an EE and a Vodafone line, and
    an order granted (not served) with another EE line."""
    add_operator(store, "EE-OPS", "EE", "ee_liaison")
    with store.session() as s:
        s.execute(update(Organisation).where(Organisation.code == "VODA")
                  .values(network="Vodafone UK"))
        served = TroApplication(ref=SERVED_REF, establishment="HEI", state="SERVED",
                                created_by="hei_analyst", court="Worcester",
                                order_date=date(2026, 3, 20), served_date=date(2026, 3, 20),
                                notes=f"{SURNAME} {PRISONER}")
        granted = TroApplication(ref=GRANTED_REF, establishment="HEI", state="GRANTED",
                                 created_by="hei_analyst", court="Worcester",
                                 order_date=date(2026, 3, 20))
        s.add_all([served, granted])
        s.flush()
        for app, no, identifier, operator in ((served, 1, EE_IMSI, "EE"),
                                              (served, 2, VODA_IMSI, "Vodafone UK"),
                                              (granted, 1, EE_UNSERVED, "EE")):
            s.add(TroLine(application_id=app.id, line_no=no, identifier_type="IMSI",
                          identifier=identifier, operator=operator, action="DISCONNECT_SIM",
                          status="PENDING", evidence=EVIDENCE, evidence_days=4, score=0.9,
                          compliance_due=date(2026, 3, 27) if app is served else None))
        s.flush()
        ids = dict(s.execute(select(TroLine.identifier, TroLine.id)).all())
    return Served(ids[EE_IMSI], ids[VODA_IMSI], ids[EE_UNSERVED])
