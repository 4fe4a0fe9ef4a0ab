"""The statistics page shows the figures `cellwatch stats` prints (one service call), per
month and per establishment or region, charted; its CSV holds the same rows, formula-like
cells neutralised; a bad date is said, not a crash.

No browser: FastAPI's TestClient signs in through the real sign-in form.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_client import estate_with_liaisons, sign_in

from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.reports.service import statistics_for
from cellwatch.settings import Settings
from cellwatch.store import Store


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _expected(store: Store, settings: Settings, user: str, by: str = "establishment"):  # type: ignore[no-untyped-def]
    with store.session() as s:
        access = Access(store, principal_for(s, user), settings)
    return statistics_for(access, by)  # type: ignore[arg-type]


@pytest.mark.parametrize(("user", "by"), [("nat_analyst", "establishment"),
                                          ("nat_analyst", "region"),
                                          ("hei_analyst", "establishment")])
def test_the_page_and_its_csv_hold_the_cli_s_figures(
        client: TestClient, store: Store, settings: Settings, user: str, by: str) -> None:
    table = _expected(store, settings, user, by)
    assert table.rows, "the fixture estate has finds to count"
    sign_in(client, user)
    page = client.get("/statistics", params={"by": by})
    assert page.status_code == 200
    totals_row = page.text.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    shown = [int(n.replace(",", "")) for n in re.findall(r'numeric">([\d,]+)<', totals_row)]
    assert shown == [table.totals()[n] for n in table.statistics]
    assert page.text.count("<svg") == len(table.statistics)
    answer = client.get("/statistics.csv", params={"by": by})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [table.group_column, "month", *table.statistics]
    assert len(rows) - 1 == len(table.rows)
    for row, want in zip(rows[1:], table.rows, strict=True):
        assert row[0] == str(want[table.group_column])
        assert [int(v) for v in row[2:]] == [int(want[n]) for n in table.statistics]
    if user == "hei_analyst":  # only their own establishment
        assert {r[0] for r in rows[1:]} <= {"HEI"}


def test_a_bad_date_is_said(client: TestClient) -> None:
    sign_in(client, "nat_analyst")
    page = client.get("/statistics", params={"start": "2026-13-01"})
    assert page.status_code == 422
    assert "enter from as YYYY-MM-DD" in page.text
