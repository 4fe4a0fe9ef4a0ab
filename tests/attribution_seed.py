"""One attribution run over the fixture estate (three attributions, one link), shared by
the CLI, API and web tests that judge, read or export attributions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from cellwatch.attribution.models import Attribution, AttributionRun, EvidenceItem, IdentityLink
from cellwatch.store import Store

SHARED = "353456789012348"  # attributed to A1111AA (Hewell) and A3333CC (Leeds)
LEEDS_ONLY = "356938035643809"  # attributed to A3333CC (Leeds) alone
UNKNOWN = "490154203237518"  # known nowhere
SIM = "234101234567890"  # linked to SHARED


def finished_run(s: Session, at: datetime) -> int:
    """Add a finished attribution run (DuckDB, by ``system``) and return its id."""
    run_row = AttributionRun(status="DONE", engine="duckdb", run_by="system", params={},
                             finished_at=at)
    s.add(run_row)
    s.flush()
    return int(run_row.id)


def seed_attributions(store: Store) -> int:
    """Store one finished run (three attributions, one link); return its id."""
    day = date(2026, 5, 1)
    seen = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with store.session() as s:
        run_id = finished_run(s, seen)
        for identifier, prisoner, p in ((SHARED, "A1111AA", 0.8), (SHARED, "A3333CC", 0.2),
                                        (LEEDS_ONLY, "A3333CC", 0.9)):
            a = Attribution(run_id=run_id, identifier_type="IMEI", identifier=identifier,
                            prison_number=prisoner, probability=p, rank=1, valid_from=day,
                            valid_to=day)
            s.add(a)
            s.flush()
            s.add(EvidenceItem(attribution_id=a.id, kind="CELL", description="seen in cell",
                               weight_log2=2.0, count=3))
        s.add(IdentityLink(a_type="IMEI", a=SHARED, b_type="IMSI", b=SIM, source="DETECTION",
                           first_seen=seen, last_seen=seen, count=4, status="ACTIVE"))
        return run_id
