"""The victim-protection kinds go in through the ingest framework, and bad rows wait."""

from __future__ import annotations

from pathlib import Path

from protect_support import PRISONER, VICTIM_ACCOUNT, VICTIM_NUMBER, estate, load, write
from sqlalchemy import select

from cellwatch.ingest.registry import get_handler
from cellwatch.protect.models import (
    ContactReport,
    ProtectedIdentifier,
    ProtectedPerson,
    SocialObservation,
)
from cellwatch.settings import Settings
from cellwatch.store import QuarantinedRow, Store


def test_kinds_are_registered() -> None:
    for kind in ("protected_persons", "protected-identifiers", "contact_reports",
                 "social_observations"):
        assert get_handler(kind).name == kind.replace("-", "_")


def test_protected_persons_and_identifiers(store: Store, settings: Settings,
                                           tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    summary = load(ctx, "protected_persons", write(tmp_path / "bad.csv", [
        {"person_ref": "PP-2", "prison_number": "Z9999ZZ", "condition": "OTHER"},
        {"person_ref": "PP-3", "prison_number": PRISONER, "condition": "SOMETHING"}]))
    assert (summary.accepted, summary.quarantined) == (0, 2)
    with store.session() as s:
        person = s.get(ProtectedPerson, "PP-1")
        assert person is not None
        assert person.condition == "RESTRAINING_ORDER"
        idents = sorted(s.scalars(select(ProtectedIdentifier.identifier)))
        reasons = sorted(s.scalars(select(QuarantinedRow.reason)))
    assert idents == sorted([VICTIM_NUMBER, VICTIM_ACCOUNT])
    assert any("unknown prisoner" in r for r in reasons)


def test_contact_reports_normalise_senders(store: Store, settings: Settings,
                                           tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    summary = load(ctx, "contact_reports", write(tmp_path / "cr.csv", [
        {"report_ref": "CR-1", "received_ts": "2026-10-12T09:00:00", "channel": "sms",
         "sender": "0044 7700 900222", "person_ref": "PP-1"},
        {"report_ref": "CR-2", "received_ts": "2026-10-12T09:00:00Z", "channel": "SOCIAL_DM",
         "sender": "https://www.facebook.com/some_one", "person_ref": "PP-1"},
        {"report_ref": "CR-3", "received_ts": "2026-10-12T09:00:00Z", "channel": "SMS",
         "sender": "07700900222", "person_ref": "PP-404"},
        {"report_ref": "CR-4", "received_ts": "2026-10-12T09:00:00Z", "channel": "SMS",
         "sender": "not a sender at all", "person_ref": "PP-1"}]))
    assert (summary.accepted, summary.quarantined) == (2, 2)
    with store.session() as s:
        rows = {r.report_ref: r for r in s.scalars(select(ContactReport))}
    assert rows["CR-1"].sender == "+447700900222"
    assert rows["CR-1"].sender_type == "MSISDN"
    # Local time without an offset is Europe/London (BST in October).
    assert rows["CR-1"].received_ts.hour == 8
    assert rows["CR-2"].sender == "facebook:some_one"
    assert rows["CR-1"].resolution == "OPEN"
    again = load(ctx, "contact_reports", tmp_path / "cr.csv")
    assert again.accepted == 0


def test_social_observations_keep_unresolved_references(store: Store, settings: Settings,
                                                        tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    summary = load(ctx, "social_observations", write(tmp_path / "so.csv", [
        {"observation_ref": "SO-1", "observed_ts": "2026-10-12T09:00:00Z",
         "platform": "instagram", "account": "@Harasser_99", "establishment": "XYZ",
         "prison_number": PRISONER}]))
    assert summary.accepted == 1
    with store.session() as s:
        obs = s.scalars(select(SocialObservation)).one()
    assert obs.account == "instagram:harasser_99"
    assert obs.platform == "instagram"
    assert obs.extra is not None
    assert "establishment: unresolved_reference" in obs.extra["_flags"]
