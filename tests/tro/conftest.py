"""A small estate for the TRO tests: two prisons, sensors inside and on the perimeter,
an allow list, a seizure, and a lake written in the documented layout."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tro_estate import IMEI_B, IMEI_STAFF, IMSI_B, START, Estate

from cellwatch.settings import Settings
from cellwatch.store import (
    AllowListEntry,
    Establishment,
    Location,
    Prisoner,
    SeizureItem,
    Sensor,
    Store,
)


@pytest.fixture
def estate(settings: Settings, store: Store) -> Estate:
    """HEI (Hewell) and BWI (Berwyn) with wing and perimeter sensors, a staff phone, a seizure."""
    with store.session() as s:
        s.add(Establishment(code="HEI", name="Hewell (HMP)", latitude=52.3188, longitude=-1.9868))
        s.add(Establishment(code="BWI", name="Berwyn (HMP)", latitude=53.0476, longitude=-2.9714))
        s.flush()
        s.add(Location(code="HEI-A", establishment="HEI", type="WING"))
        s.add(Location(code="HEI-PER", establishment="HEI", type="PERIMETER"))
        s.add(Location(code="BWI-A", establishment="BWI", type="WING"))
        s.add(Prisoner(prison_number="A1234BC", surname="Smith", forenames="John",
                       establishment="HEI"))
        s.flush()
        s.add(Sensor(sensor_id="HEI-MA-1", establishment="HEI", kind="MANAGED_ACCESS",
                     location_code="HEI-A"))
        s.add(Sensor(sensor_id="HEI-MA-P", establishment="HEI", kind="MANAGED_ACCESS",
                     location_code="HEI-PER"))
        s.add(Sensor(sensor_id="HEI-RF-1", establishment="HEI", kind="RF_DETECTOR",
                     location_code="HEI-A"))
        s.add(Sensor(sensor_id="BWI-MA-1", establishment="BWI", kind="MANAGED_ACCESS",
                     location_code="BWI-A"))
        s.add(AllowListEntry(identifier_type="IMEI", identifier=IMEI_STAFF, reason="STAFF",
                             valid_from=date(2025, 1, 1)))
        s.add(AllowListEntry(identifier_type="MSISDN", identifier="+442079460000",
                             reason="PRIVILEGED", description="solicitors"))
        s.add(SeizureItem(seizure_ref="HEI-SZ-1", item_no=1, ts=START + timedelta(days=20),
                          establishment="HEI", location_code="HEI-A", item_type="HANDSET_WITH_SIM",
                          imei=IMEI_B, imsi=IMSI_B, prison_number="A1234BC"))
    return Estate(settings, store)
