"""The parole summary: everything on the prisoner, redacted for its audience."""

from __future__ import annotations

from pathlib import Path

import pytest
from protect_support import (
    IMEI,
    OTHER,
    PRISONER,
    TODAY,
    VICTIM_ACCOUNT,
    VICTIM_NUMBER,
    attribute,
    estate,
    graph,
    report,
)

from cellwatch.access.principal import SYSTEM, Principal
from cellwatch.access.roles import OrgKind, Role
from cellwatch.errors import AccessDenied
from cellwatch.lake.rule_context import RuleContext
from cellwatch.parole.render import render_html, render_pdf
from cellwatch.parole.summary import build_summary
from cellwatch.settings import Settings
from cellwatch.store import Store

PAROLE = Principal("pb", 7, "PAROLE", OrgKind.PAROLE_BOARD,
                   frozenset({Role.PAROLE_CASE_MANAGER}), frozenset())
OPERATOR = Principal("op", 8, "EE", OrgKind.OPERATOR, frozenset({Role.OPERATOR_LIAISON}),
                     frozenset())


def _ctx(store: Store, settings: Settings) -> RuleContext:
    return RuleContext(settings, store, TODAY)


def test_parole_board_sees_the_contact_but_not_the_person(store: Store, settings: Settings,
                                                          tmp_path: Path) -> None:
    ctx = estate(store, settings, tmp_path)
    graph(store)
    report(ctx, tmp_path, "CR-1", "07700 900222")
    summary = build_summary(_ctx(store, settings), PAROLE, PRISONER)
    kinds = {i.kind for i in summary.items}
    assert {"ATTRIBUTION", "CONTACT_REPORT"} <= kinds
    contact = next(i for i in summary.items if i.kind == "CONTACT_REPORT")
    assert "restraining order" in contact.text
    assert "sms" in contact.text
    html = render_html(summary)
    for secret in (VICTIM_NUMBER, "900111", VICTIM_ACCOUNT, "victim.one", "PP-1"):
        assert secret not in html
    assert IMEI in html
    assert "CRIME/1/26" in html
    pdf = render_pdf(summary)
    assert pdf.startswith(b"%PDF")


def test_operators_and_police_get_nothing(store: Store, settings: Settings,
                                          tmp_path: Path) -> None:
    estate(store, settings, tmp_path)
    with pytest.raises(AccessDenied):
        build_summary(_ctx(store, settings), OPERATOR, PRISONER)
    police = Principal("pc", 9, "MET", OrgKind.POLICE, frozenset({Role.INVESTIGATOR}),
                       frozenset())
    with pytest.raises(AccessDenied):
        build_summary(_ctx(store, settings), police, PRISONER)


def test_below_threshold_is_unconfirmed(store: Store, settings: Settings,
                                        tmp_path: Path) -> None:
    estate(store, settings, tmp_path)
    attribute(store, [("IMEI", IMEI, OTHER, 0.6)])
    (item,) = [i for i in build_summary(_ctx(store, settings), SYSTEM, OTHER).items
               if i.kind == "ATTRIBUTION"]
    assert not item.confirmed
    assert item.text.startswith("UNCONFIRMED: possibly")


def test_below_the_floor_is_left_out(store: Store, settings: Settings,
                                     tmp_path: Path) -> None:
    estate(store, settings, tmp_path)
    attribute(store, [("IMEI", IMEI, OTHER, 0.3)])
    items = build_summary(_ctx(store, settings), SYSTEM, OTHER).items
    assert [i for i in items if i.kind == "ATTRIBUTION"] == []


def test_a_referral_to_the_board_is_not_called_an_allegation(store: Store, settings: Settings,
                                                             tmp_path: Path) -> None:
    """A matter passed to the Parole Board is said as a referral between agencies; only a
    crime-in-prison referral is a police allegation (found on the demo's review page)."""
    from cellwatch.access.models import Organisation, Referral

    estate(store, settings, tmp_path)
    with store.session() as s:
        s.add_all([Organisation(code="HEI-SIT", name="Hewell security", kind="ESTABLISHMENT",
                                establishment="HEI"),
                   Organisation(code="PAROLE", name="Parole Board", kind="PAROLE_BOARD")])
        s.flush()
        s.add(Referral(from_org="HEI-SIT", to_org="PAROLE", prison_number=PRISONER,
                       summary="Parole review due: phone evidence to consider",
                       created_by="hei.analyst"))
        s.commit()
    summary = build_summary(_ctx(store, settings), PAROLE, PRISONER)
    referral = next(i for i in summary.items if i.kind == "REFERRAL")
    assert referral.text.startswith("Referral from HEI-SIT to PAROLE: Parole review due")
    assert "Crime-in-prison" not in referral.text
    assert "allegation" not in render_html(summary).split("Parole review due")[1].split("</tr>")[0]
