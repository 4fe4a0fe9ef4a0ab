"""Senders resolve through the identity graph with the attribution's probability; the
unresolved stay open and resolve when new links arrive."""

from __future__ import annotations

from pathlib import Path

from protect_support import (
    HARASSER_ACCOUNT,
    IMEI,
    MSISDN,
    OTHER,
    PRISONER,
    attribute,
    estate,
    graph,
    load,
    report,
    write,
)
from sqlalchemy import select

from cellwatch.protect.models import ContactReport, ContactResolution
from cellwatch.protect.resolve import HOP_FACTOR, resolve_identifier, resolve_open_reports
from cellwatch.settings import Settings
from cellwatch.store import Store


def test_number_resolves_through_sim_to_handset(store: Store, settings: Settings,
                                                tmp_path: Path) -> None:
    estate(store, settings, tmp_path)
    graph(store)
    with store.session() as s:
        (cand,) = resolve_identifier(s, "MSISDN", MSISDN)
    assert cand.prison_number == PRISONER
    assert abs(cand.probability - round(0.93 * 0.8 * HOP_FACTOR**2, 4)) < 1e-3
    assert cand.device == f"IMEI {IMEI}"
    assert "IMSI" in cand.path


def test_unresolved_report_stays_open_until_links_arrive(store: Store, settings: Settings,
                                                         tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    report(ctx, tmp_path, "CR-1", "07700 900222")
    with store.session() as s:
        assert s.scalars(select(ContactReport.resolution)).one() == "OPEN"
    graph(store)
    assert resolve_open_reports(store) == {"open": 0, "resolved": 1}
    with store.session() as s:
        res = s.scalars(select(ContactResolution)).one()
    assert res.prison_number == PRISONER
    assert res.probability > 0.8


def test_account_resolves_by_observations_and_attribution(store: Store, settings: Settings,
                                                          tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    with store.session() as s:
        assert resolve_identifier(s, "ACCOUNT", HARASSER_ACCOUNT) == []
    load(ctx, "social_observations", write(tmp_path / "so.csv", [
        {"observation_ref": f"SO-{i}", "observed_ts": "2026-10-12T09:00:00Z",
         "platform": "instagram", "account": "harasser_99", "prison_number": PRISONER}
        for i in range(2)]))
    attribute(store, [("ACCOUNT", HARASSER_ACCOUNT, OTHER, 0.3)])
    with store.session() as s:
        cands = resolve_identifier(s, "ACCOUNT", HARASSER_ACCOUNT)
    assert [c.prison_number for c in cands] == [PRISONER, OTHER]
    assert abs(cands[0].probability - 0.84) < 1e-6  # two observers at 0.6 each


def test_rejected_links_are_not_walked(store: Store, settings: Settings,
                                       tmp_path: Path) -> None:
    from cellwatch.attribution.models import IdentityLink

    estate(store, settings, tmp_path)
    graph(store)
    with store.session() as s:
        for link in s.scalars(select(IdentityLink)):
            link.status = "REJECTED"
    with store.session() as s:
        assert resolve_identifier(s, "MSISDN", MSISDN) == []
