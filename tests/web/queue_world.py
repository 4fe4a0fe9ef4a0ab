"""Thirty rows at Hewell (and a few at Leeds) in each of the six work queues.

Hewell's rows differ in the filtered fields (status, priority, score, dates) so each
filter and sort has something to tell apart; a few cells start with ``=`` so the CSV
export has formulas to neutralise; identifiers start with 0 so a CSV that let them turn
into numbers would lose a digit. Nothing here is read back through our own code: the
tests look at pages and CSV files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cellwatch.access.models import Referral
from cellwatch.alerts.models import Alert
from cellwatch.guard.models import GuardHold
from cellwatch.store import IngestBatch, QuarantinedRow, Store
from cellwatch.tro.materialise import batch_watermark, policy_fingerprint
from cellwatch.tro.models import TroApplication, TroCandidate, TroCandidateRun
from cellwatch.tro.policy import default_policy

N = 30
DAY0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.invalid","x")'
EVIDENCE = {"days": 8, "work_share": 1.0, "weekday_share": 0.9, "zones": 4,
            "access_share": 0.0, "cell_nights": 0, "linked": []}


def day(i: int) -> datetime:
    """Row ``i``'s date: one a day from 1 March 2026 (noon UTC)."""
    return DAY0 + timedelta(days=i)


def ident(i: int) -> str:
    """A valid IMEI starting with 0 (a number would drop it): 14 digits and the Luhn
    check digit."""
    body = f"01{i:012d}"
    total = 0
    for n, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if n % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def seed(store: Store) -> None:
    """The six queues' rows, over the fixture estate (build_estate already run)."""
    with store.session() as s:
        for i in range(N):
            s.add(Alert(rule="FLAGGED_DEVICE_DETECTED", dedupe_key=f"q{i}",
                        status=("OPEN", "ASSIGNED", "ACKNOWLEDGED")[i % 3],
                        establishment="HEI", prison_number="A1111AA", identifier=ident(i),
                        summary=FORMULA if i == 0 else f"hewell alert {i}",
                        priority=1 + i % 3, created_ts=day(i), last_seen=day(i),
                        assigned_to="hei_analyst" if i % 3 == 1 else None))
            s.add(TroApplication(ref=f"TRO-HEI-{i:03d}", establishment="HEI",
                                 state="DRAFT" if i % 2 else "FILED",
                                 created_by="hei_analyst", created_at=day(i),
                                 updated_at=day(i)))
            # Other phones than the candidates: a held phone is never a candidate.
            s.add(GuardHold(identifier_type="IMEI", identifier=ident(100 + i),
                            establishment="HEI",
                            flag="STAFF_PATTERN", status="HELD" if i % 2 else "RELEASED",
                            evidence=EVIDENCE, first_flagged_at=day(i),
                            decision_reason=FORMULA if i == 0 else None))
            s.add(Referral(from_org="WMP" if i % 2 else "HEI-SIT",
                           to_org="HEI-SIT" if i % 2 else "WMP",
                           prison_number="A1111AA", summary=f"referral {i}",
                           crime_reference=FORMULA if i == 1 else f"CR{i:04d}",
                           created_by="someone", created_at=day(i)))
        s.add(Alert(rule="FLAGGED_DEVICE_DETECTED", dedupe_key="leeds", status="OPEN",
                    establishment="LEI", prison_number="A3333CC", summary="leeds alert",
                    priority=1, created_ts=day(1), last_seen=day(1)))
        s.add(TroApplication(ref="TRO-LEI-001", establishment="LEI", state="DRAFT",
                             created_by="lei_analyst", created_at=day(1), updated_at=day(1)))
        s.add(GuardHold(identifier_type="IMEI", identifier="490154203237518",
                        establishment="LEI", flag="STAFF_PATTERN", status="HELD",
                        evidence=EVIDENCE))
        s.add(Referral(from_org="WMP", to_org="LEI-SIT", summary="leeds referral",
                       created_by="someone", created_at=day(1)))
        batch = IngestBatch(kind="seizures", file_name="seizures.csv", file_sha256="0" * 64,
                            file_size=1, file_format="csv", run_by="hei_supervisor",
                            status="DONE", finished_at=day(0))
        other = IngestBatch(kind="seizures", file_name="leeds.csv", file_sha256="1" * 64,
                            file_size=1, file_format="csv", run_by="lei_analyst",
                            status="DONE", finished_at=day(0))
        s.add_all([batch, other])
        s.flush()
        for i in range(N):
            s.add(QuarantinedRow(batch_id=batch.id, kind="seizures", file_name="seizures.csv",
                                 line=i + 2, field="imei",
                                 reason=FORMULA if i == 0 else f"bad imei {i}",
                                 problems=[], raw={"imei": ident(i)},
                                 status="OPEN" if i % 2 else "DISCARDED", created_at=day(i)))
        s.add(QuarantinedRow(batch_id=other.id, kind="seizures", file_name="leeds.csv", line=2,
                             reason="leeds row", problems=[], raw={}, status="OPEN"))
        s.flush()
        newest, count = batch_watermark(s)
        run = TroCandidateRun(batch_watermark=newest, batch_count=count,
                              policy_sha256=policy_fingerprint(default_policy()),
                              trigger="read", candidates=N + 1)
        s.add(run)
        s.flush()
        for i in range(N + 1):
            s.add(TroCandidate(
                run_id=run.id, identifier_type="IMEI", identifier=ident(i),
                establishment="HEI" if i < N else "LEI", operator="Vodafone UK",
                evidence_days=3 + i, first_seen=day(i) - timedelta(days=3), last_seen=day(i),
                score=round(0.5 + i / 100, 2), detection_days=3, detections=10, call_days=0,
                seizures=0, home_imsi=None, linked_imsis=[], linked_imeis=[], locations=[],
                seizure_refs=[]))
