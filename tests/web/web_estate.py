"""A small, known estate for the browser tests: two prisons, their teams and a national unit.

Written through the store's models as test set-up (the pages under test read it back
through the service layer). Names and identifiers are fictitious; the numbers are in
Ofcom's drama range and the IMEIs pass the Luhn check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher
from web_browser import PASSWORD

from cellwatch.access.models import Organisation, Referral, User
from cellwatch.alerts.models import Alert
from cellwatch.store import Establishment, Location, Occupancy, Prisoner, SeizureItem, Store
from cellwatch.tro.models import TroApplication, TroLine, TroTransition

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
HEWELL, LEEDS = "HEI", "LEI"
# user -> (organisation, roles)
USERS = {
    "hei.analyst": ("HEI-SIT", ["analyst", "supervisor"]),
    "lei.analyst": ("LEI-SIT", ["analyst"]),
    # A colleague to hand alerts to: the alerts service assigns only to active users.
    "duty.officer": ("HEI-SIT", ["analyst"]),
    "national.analyst": ("NATIONAL-INTEL", ["analyst", "supervisor", "administrator"]),
    # The Parole Board: sees a prisoner only once he is referred to it for a review.
    "parole.manager": ("PAROLE", ["parole_case_manager"]),
}
PRISONERS = {
    # prison number: (surname, forenames, establishment, cell)
    "A1234BC": ("SMITH", "John", HEWELL, "HEI-A-2-014"),
    "B2345CD": ("JONES", "Peter", HEWELL, "HEI-A-2-015"),
    "C3456DE": ("TAYLOR", "Mark", LEEDS, "LEI-B-1-003"),
}
SEIZED_IMEI = "353456789012348"
SEIZED_NUMBER = "+447700900123"
ORDER_REF = "TRO-HEI-2025-00001"
# Shared alerts: (rule, summary, establishment, prison number)
ALERTS = (
    ("FLAGGED_DEVICE_DETECTED", "Flagged handset detected on B wing", HEWELL, "B2345CD"),
    ("DISCONNECTED_IDENTIFIER_REAPPEARED", "Disconnected SIM seen again on A-2", HEWELL,
     "A1234BC"),
    ("PAROLE_REVIEW_APPROACHING", "Phone evidence before a parole review", HEWELL, "A1234BC"),
    ("FLAGGED_DEVICE_DETECTED", "Flagged handset detected at Leeds", LEEDS, "C3456DE"),
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def build(store: Store) -> None:
    """Write the test estate into ``store``."""
    assert _luhn_ok(SEIZED_IMEI)
    hasher = PasswordHasher()
    digest = hasher.hash(PASSWORD)
    with store.session() as db:
        db.add_all([
            Establishment(code=HEWELL, name="Hewell (HMP)", region="West Midlands",
                          category="B", capacity=1000),
            Establishment(code=LEEDS, name="Leeds (HMP)", region="Yorkshire",
                          category="B", capacity=1100),
        ])
        db.flush()
        for code, wings in ((HEWELL, "AB"), (LEEDS, "AB")):
            for wing in wings:
                w = f"{code}-{wing}"
                db.add(Location(code=w, establishment=code, type="WING"))
                db.flush()
                for landing in (1, 2, 3):
                    lcode = f"{w}-{landing}"
                    db.add(Location(code=lcode, establishment=code, type="LANDING",
                                    parent_code=w, floor=landing - 1))
                    db.flush()
                    for cell in range(1, 21):
                        db.add(Location(code=f"{lcode}-{cell:03d}", establishment=code,
                                        type="CELL", parent_code=lcode, capacity=1))
        db.flush()
        for number, (surname, forenames, est, cell) in PRISONERS.items():
            db.add(Prisoner(prison_number=number, surname=surname, forenames=forenames,
                            establishment=est, date_of_birth=date(1990, 1, 1),
                            reception_date=date(2024, 1, 5),
                            next_parole_review_date=date(2025, 9, 1)))
            db.flush()
            db.add(Occupancy(prison_number=number, location_code=cell,
                             start_ts=NOW - timedelta(days=200)))
        db.add(SeizureItem(seizure_ref="HEI-2025-0042", item_no=1,
                           ts=NOW - timedelta(days=3), establishment=HEWELL,
                           location_code="HEI-A-2-014", search_type="CELL", item_type="HANDSET",
                           imei=SEIZED_IMEI, msisdn=SEIZED_NUMBER, make="Nokia", model="105",
                           prison_number="A1234BC"))
        db.add_all([
            Organisation(code="NATIONAL-INTEL", name="National Intelligence Unit",
                         kind="NATIONAL"),
            Organisation(code="HEI-SIT", name="Hewell security team", kind="ESTABLISHMENT",
                         establishment=HEWELL),
            Organisation(code="LEI-SIT", name="Leeds security team", kind="ESTABLISHMENT",
                         establishment=LEEDS),
            Organisation(code="PAROLE", name="Parole Board", kind="PAROLE_BOARD"),
        ])
        db.flush()
        for username, (org, roles) in USERS.items():
            db.add(User(username=username, org_code=org, roles=roles, password_hash=digest))
        app = TroApplication(ref=ORDER_REF, establishment=HEWELL, state="DRAFT",
                             created_by="hei.analyst", created_at=NOW, updated_at=NOW)
        db.add(app)
        db.flush()
        db.add(TroLine(application_id=app.id, line_no=1, identifier_type="IMEI",
                       identifier=SEIZED_IMEI, operator="Vodafone UK", action="BLOCK_HANDSET"))
        db.add(TroTransition(application_id=app.id, from_state=None, to_state="DRAFT",
                             actor="hei.analyst", at=NOW, reason="application drafted"))
        for n, (rule, summary, est, pn) in enumerate(ALERTS):
            db.add(Alert(rule=rule, dedupe_key=f"web-test-{n}", status="OPEN", summary=summary,
                         establishment=est, prison_number=pn,
                         created_ts=NOW - timedelta(hours=n)))
        db.add(Referral(from_org="NATIONAL-INTEL", to_org="HEI-SIT", prison_number="A1234BC",
                        summary="Threats sent to a witness from a phone on A wing",
                        crime_reference="WM-2025-0042", status="SENT",
                        created_by="national.analyst", created_at=NOW))
        db.add(Alert(rule="DISCONNECTED_IDENTIFIER_REAPPEARED", dedupe_key="test-1",
                     created_ts=NOW, identifier=SEIZED_IMEI, establishment=HEWELL,
                     prison_number="A1234BC", summary="Seized handset seen again on A wing",
                     priority=2))
