"""Identifier knowledge and the intelligence export, through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.models import Dissemination, IntelligenceReport
from cellwatch.store import AllowListEntry, SeizureItem, Store

Login = Callable[[str], dict[str, str]]
PHONE = "+447700900123"


def _seed(store: Store) -> None:
    with store.session() as s:
        for ref in ("IR-P-HEI", "IR-C-WMP"):
            report = s.scalars(select(IntelligenceReport)
                               .where(IntelligenceReport.report_ref == ref)).one()
            report.identifiers = [PHONE]
        s.add(SeizureItem(seizure_ref="SZ-1", item_no=1, ts=datetime(2026, 5, 3, tzinfo=UTC),
                          establishment="HEI", item_type="SIM", msisdn=PHONE))
        s.add(AllowListEntry(identifier_type="MSISDN", identifier="+441161202275",
                             reason="PRIVILEGED", valid_from=date(2020, 1, 1)))


def test_knowledge_respects_scope_and_handling_codes(client: TestClient, login: Login,
                                                     store: Store) -> None:
    _seed(store)
    hei = client.get("/api/v1/identifiers/07700 900123", headers=login("hei_analyst")).json()
    assert hei["identifier"]["value"] == PHONE
    assert [r["report_ref"] for r in hei["intelligence"]] == ["IR-P-HEI"]  # not the C item
    assert [z["seizure_ref"] for z in hei["seizures"]] == ["SZ-1"]
    lei = client.get("/api/v1/identifiers/07700 900123", headers=login("lei_analyst")).json()
    assert lei["seizures"] == []
    assert lei["intelligence"] == []
    wmp = client.get("/api/v1/identifiers/07700 900123",
                     headers=login("wmp_investigator")).json()
    assert [r["report_ref"] for r in wmp["intelligence"]] == ["IR-C-WMP"]
    with store.session() as s:
        assert s.scalars(select(Dissemination.to_org)
                         .where(Dissemination.channel == "LOOKUP")).all() == ["WMP"]


def test_a_privileged_identifier_says_only_that(client: TestClient, login: Login,
                                                store: Store) -> None:
    _seed(store)
    r = client.get("/api/v1/identifiers/0116 120 2275", headers=login("nat_analyst")).json()
    assert r["privileged"] is True
    assert r["allow_listed"] == ["PRIVILEGED"]
    assert "seizures" not in r
    assert "intelligence" not in r


def test_export_is_csv_of_allowed_items_needs_a_reason_and_records_disseminations(
        client: TestClient, login: Login, store: Store) -> None:
    headers = login("hei_supervisor")
    assert client.get("/api/v1/intelligence/export", headers=headers).status_code == 403
    r = client.get("/api/v1/intelligence/export",
                   headers={**headers, "Cellwatch-Reason": "monthly review"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("report_ref,ts,establishment")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["IR-P-HEI"]
    analyst = login("hei_analyst")
    assert client.get("/api/v1/intelligence/export", headers={
        **analyst, "Cellwatch-Reason": "x"}).status_code == 403
