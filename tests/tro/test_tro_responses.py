"""Operator responses: validation collects every problem; re-ingest is harmless; batch files
split per operator; unknown operators are never guessed."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from tro_estate import IMEI_B, IMSI_A, IMSI_B, Estate

from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.registry import get_handler
from cellwatch.ingest.sniff import sniff
from cellwatch.tro.batch import write_batches
from cellwatch.tro.candidates import find_candidates
from cellwatch.tro.orders import create_application, get_order, transition
from cellwatch.tro.responses import clean_response


def test_clean_response_reports_every_problem() -> None:
    response, problems = clean_response({"order_ref": "", "identifier": "12",
                                         "outcome": "maybe", "actioned_ts": "yesterday"})
    assert response is None
    assert {f for f, _ in problems} == {"order_ref", "identifier", "outcome", "actioned_ts"}
    ok, none = clean_response({"order_ref": "TRO-1", "identifier": "07700 900123",
                               "outcome": "disputed", "actioned_ts": "2026-03-01T10:00:00"})
    assert none == []
    assert ok is not None
    assert ok.identifier == "+447700900123"
    assert ok.outcome == "DISPUTED"


def _served_order(estate: Estate) -> str:
    estate.detect("HEI-MA-1", [0, 1, 2], IMSI_A, None)
    found = find_candidates(estate.settings, estate.store, establishment="HEI")
    order = create_application(estate.store, "tester", "HEI", found)
    for state in ("APPROVED", "FILED"):
        transition(estate.store, estate.settings, "tester", order.ref, state, "step")
    transition(estate.store, estate.settings, "tester", order.ref, "GRANTED", "made",
               court="Worcester", order_date=date(2026, 3, 20))
    transition(estate.store, estate.settings, "tester", order.ref, "SERVED", "served",
               on=date(2026, 3, 20))
    return order.ref


def test_batch_files_one_per_operator(estate: Estate, tmp_path: Path) -> None:
    ref = _served_order(estate)
    written = write_batches(estate.store, estate.settings, ref, tmp_path)
    assert set(written) == {"Vodafone UK", "O2 (Virgin Media O2)"}
    with written["O2 (Virgin Media O2)"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["identifier"] for r in rows} == {IMSI_B, IMEI_B}
    assert {r["compliance_due"] for r in rows} == {"2026-03-27"}


def test_responses_ingest_quarantines_and_is_idempotent(estate: Estate, tmp_path: Path) -> None:
    ref = _served_order(estate)
    path = tmp_path / "o2.csv"
    path.write_text(
        "Order_Ref,Identifier,Outcome,Actioned_TS,operator_ref\n"
        f"{ref},{IMSI_B},done,2026-03-23T09:00:00Z,O2-1\n"
        f"{ref},{IMEI_B},DISPUTED,2026-03-23T09:00:00Z,O2-2\n"
        f"{ref},{IMSI_B},BOGUS,2026-03-23T09:00:00Z,O2-3\n")
    ctx = IngestContext.create(estate.store, estate.settings)
    handler = get_handler("operator-responses")
    summary = handler.ingest(ctx, sniff(path))
    assert (summary.accepted, summary.quarantined) == (2, 1)
    order = get_order(estate.store, ref)
    assert order.state == "ACKNOWLEDGED"  # a dispute stops it at ACKNOWLEDGED
    status = {ln.identifier: ln.status for ln in order.lines}
    assert status[IMSI_B] == "DONE"
    assert status[IMEI_B] == "DISPUTED"
    assert status[IMSI_A] == "PENDING"
    # the same answers again (another file) change nothing
    again = tmp_path / "o2-again.csv"
    again.write_text(path.read_text().replace("O2-3", "O2-4"))
    summary2 = handler.ingest(ctx, sniff(again))
    assert (summary2.accepted, summary2.duplicates) == (0, 2)
