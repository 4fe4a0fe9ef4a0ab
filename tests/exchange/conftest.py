"""The joint-working fixture estate plus one attribution run, on every engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem
from cellwatch.store import Store

# identifier type, identifier, prisoner, probability, status
ATTRIBUTIONS = (
    ("IMEI", "356938035643809", "A1111AA", 0.97, "PROPOSED"),
    ("MSISDN", "+447911123456", "A1111AA", 0.93, "PROPOSED"),
    ("ACCOUNT", "instagram:jd_hewell", "A1111AA", 0.81, "PROPOSED"),
    ("IMSI", "234150123456789", "A2222BB", 0.88, "PROPOSED"),
    ("IMEI", "490154203237518", "A3333CC", 0.75, "PROPOSED"),
    ("MSISDN", "+447700900999", "A3333CC", 0.2, "PROPOSED"),  # below the sharing floor
)


@pytest.fixture
def exchange_estate(store: Store) -> Store:
    """The access fixture estate with a finished attribution run and evidence."""
    build_estate(store)
    with store.session() as s:
        run = AttributionRun(engine="duckdb", run_by="test", params={}, status="DONE",
                             finished_at=datetime(2026, 5, 2, tzinfo=UTC))
        s.add(run)
        s.flush()
        for kind, value, number, p, status in ATTRIBUTIONS:
            a = Attribution(run_id=run.id, identifier_type=kind, identifier=value,
                            prison_number=number, probability=p, rank=1,
                            valid_from=date(2026, 4, 1), valid_to=date(2026, 4, 30),
                            status=status)
            s.add(a)
            s.flush()
            s.add(EvidenceItem(attribution_id=a.id, kind="cell", description=
                               f"seen in {number}'s cell on 12 nights", weight_log2=5.5,
                               count=12, first_seen=date(2026, 4, 1),
                               last_seen=date(2026, 4, 30)))
    return store


@pytest.fixture
def as_user(exchange_estate: Store) -> Callable[[str], Access]:
    """``as_user("hei_supervisor")``: an :class:`Access` acting as that user."""

    def make(username: str) -> Access:
        with exchange_estate.session() as s:
            return Access(exchange_estate, principal_for(s, username))

    return make
