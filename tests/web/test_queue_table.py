"""Every work queue sorts, filters, pages and exports; bulk actions confirm, then act row
by row through the services (refusals reported against their row, audited).

Over HTTP with the real app and store (TestClient, the sign-in form); the rows are those of
:mod:`queue_world` (30 at Hewell per queue, a few at Leeds the Hewell team must not see).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from queue_world import FORMULA, N, ident, seed
from sqlalchemy import select
from web_client import sign_in

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry
from cellwatch.api import create_app
from cellwatch.errors import InvalidData
from cellwatch.settings import Settings
from cellwatch.store import Store
from cellwatch.web.alerts import QUEUE as ALERTS
from cellwatch.web.candidates import CANDIDATES, REFERRALS
from cellwatch.web.guard import QUEUE as GUARD
from cellwatch.web.queues import ORDERS, QUARANTINE


@dataclass(frozen=True)
class Case:
    """One queue as the tests drive it."""

    path: str
    row: str            # the prefix of its rows' ids
    user: str
    total: int          # rows the user sees without a filter
    sort: str           # a sortable column whose order the test checks
    first_asc: str      # text in the first row sorted ascending
    first_desc: str     # ... and descending
    filter: str         # a query narrowing it
    filtered: int       # rows left
    key: str            # a CSV column holding an identifier or reference
    key_value: str      # a value that must come out as written
    hidden: str         # text of a Leeds row the Hewell user must never get


CASES = {
    "alerts": Case("/queues/alerts", "alert", "hei_analyst", N, "last_seen",
                   "01 Mar 2026", "30 Mar 2026", "status=ASSIGNED&priority=2", 10,
                   "identifier", ident(4), "leeds alert"),
    "candidates": Case("/queues/candidates", "candidate", "hei_analyst", N, "score",
                       ident(0), ident(29), "score=0.70&from=2026-03-10", 10,
                       "identifier", ident(20), ident(30)),
    "orders": Case("/queues/orders", "order", "hei_analyst", N, "ref", "TRO-HEI-000",
                   "TRO-HEI-029", "state=DRAFT&from=2026-03-11&to=2026-03-20", 5,
                   "ref", "TRO-HEI-007", "TRO-LEI-001"),
    "guard": Case("/queues/guard", "phone", "hei_analyst", N, "identifier", ident(100),
                  ident(129), "status=HELD&from=2026-03-21", 5, "identifier", ident(123),
                  "490154203237518"),
    "referrals": Case("/queues/referrals", "referral", "hei_analyst", N, "created_at",
                      "referral 0", "referral 29", "direction=in&status=SENT", 15,
                      "crime_reference", "CR0003", "leeds referral"),
    "quarantine": Case("/queues/quarantine", "quarantined-row", "hei_supervisor", N, "line",
                       "evil.invalid", "bad imei 29", "status=OPEN&from=2026-03-21", 5,
                       "reason", "bad imei 21", "leeds row"),
}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    build_estate(store)
    seed(store)
    with TestClient(create_app(settings, store=store)) as c:
        yield c


def _rows(page: str, prefix: str) -> list[str]:
    """The rows of the queue table, in order, as their text."""
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    found = re.findall(rf'<tr class="govuk-table__row" id="{prefix}-[^"]+">(.*?)</tr>',
                       body, re.S)
    return [re.sub(r"<[^>]+>", " ", row) for row in found]


def _csrf(page: str) -> str:
    """The token of the queue's own bulk form (as a browser would post it)."""
    found = re.search(r'action="/queues/[a-z]+/bulk" id="[a-z]+-form"[^>]*>\s*'
                      r'<input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "no bulk form with its token"
    return found[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_queue_sorts_filters_pages_and_exports(client: TestClient, name: str) -> None:
    case = CASES[name]
    sign_in(client, case.user)
    # Pages: 25 and then the rest, the pager linking them.
    first = client.get(f"{case.path}?per_page=25")
    assert first.status_code == 200, first.text
    assert len(_rows(first.text, case.row)) == 25
    assert 'id="page-next"' in first.text
    assert 'id="page-prev"' not in first.text
    second = client.get(f"{case.path}?per_page=25&page=2")
    assert len(_rows(second.text, case.row)) == case.total - 25
    assert 'id="page-prev"' in second.text
    assert 'id="page-next"' not in second.text
    assert case.hidden not in first.text + second.text
    # Sorts, either way, on the column asked for.
    up = _rows(client.get(f"{case.path}?sort={case.sort}&dir=asc&per_page=100").text,
               case.row)
    down = _rows(client.get(f"{case.path}?sort={case.sort}&dir=desc&per_page=100").text,
                 case.row)
    assert len(up) == len(down) == case.total
    assert case.first_asc in up[0]
    assert case.first_desc in down[0]
    assert case.first_desc in up[-1]
    # Filters narrow it (in the service's query: the page and the export alike).
    narrowed = client.get(f"{case.path}?{case.filter}&per_page=100")
    assert narrowed.status_code == 200
    assert len(_rows(narrowed.text, case.row)) == case.filtered
    # The export is the filtered view, every page of it, identifiers as written.
    exported = client.get(f"{case.path}?{case.filter}&per_page=25&format=csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == case.filtered
    everything = list(csv.DictReader(io.StringIO(
        client.get(f"{case.path}?format=csv&per_page=25").text)))
    assert len(everything) == case.total
    assert case.key_value in {r[case.key] for r in everything}
    assert case.hidden not in client.get(f"{case.path}?format=csv").text


def test_a_formula_in_a_cell_is_neutralised_in_the_export(client: TestClient) -> None:
    sign_in(client, "hei_analyst")
    for path, column in (("/queues/alerts", "summary"), ("/queues/quarantine", "reason"),
                         ("/queues/referrals", "crime_reference"),
                         ("/queues/guard", "decision_reason")):
        sign_in(client, "hei_supervisor" if "quarantine" in path else "hei_analyst")
        rows = list(csv.DictReader(io.StringIO(client.get(f"{path}?format=csv").text)))
        cells = [r[column] for r in rows if FORMULA in r[column]]
        assert cells == ["'" + FORMULA], path


@pytest.mark.parametrize(("query", "said"), [
    ("sort=password", "cannot be sorted by 'password'"),
    ("colour=red", "no filter called colour"),
    ("from=yesterday", "enter a date as YYYY-MM-DD"),
    ("priority=9", "'9' is not one of P1, P2, P3, P4"),
    ("per_page=7", "Rows per page must be one of 25, 50, 100, 200"),
    ("page=0", "Page must be a whole number from 1"),
    ("dir=sideways", "Sort direction must be asc or desc"),
])
def test_a_bad_query_is_said_on_the_page(client: TestClient, query: str, said: str) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(f"/queues/alerts?{query}")
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert said in html.unescape(page.text)
    # The queue is still there, unfiltered, to carry on from.
    assert len(_rows(page.text, "alert")) == N
    # Nor is a bad query exported.
    assert client.get(f"/queues/alerts?{query}&format=csv").headers[
        "content-type"].startswith("text/html")


@pytest.mark.parametrize(("path", "noun"), [
    ("/queues/alerts", "alert"), ("/queues/candidates", "candidate"),
    ("/queues/orders", "order"), ("/queues/guard", "phone"),
    ("/queues/referrals", "referral"), ("/queues/quarantine", "quarantined row")])
def test_selecting_nothing_says_so(client: TestClient, path: str, noun: str) -> None:
    sign_in(client, "hei_supervisor")
    csrf = _csrf(client.get(path).text)
    answer = client.post(f"{path}/bulk", data={"csrf_token": csrf, "action": "x",
                                               "view": "status=OPEN&sort=bogus"})
    assert answer.status_code == 422
    assert f"Select at least one {noun}" in answer.text
    assert 'id="filter-form"' in answer.text  # the queue again, not an error page


def _confirm_then_act(client: TestClient, path: str, fields: dict[str, str],
                      selected: list[str]) -> tuple[str, str]:
    csrf = _csrf(client.get(path).text)
    data = {"csrf_token": csrf, "selected": selected, "view": "per_page=25", **fields}
    confirm = client.post(f"{path}/bulk", data=data)
    assert confirm.status_code == 200, confirm.text
    assert 'name="confirmed" value="yes"' in confirm.text
    done = client.post(f"{path}/bulk", data={**data, "confirmed": "yes"})
    return confirm.text, done.text


def _audit(store: Store, action: str, resource: str) -> list[tuple[str, str, str]]:
    with store.session() as s:
        return [(e.principal, e.resource_id or "", e.outcome) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == action,
                                     AuditEntry.resource_type == resource))]


def _ids(page: str, prefix: str) -> list[str]:
    return re.findall(rf'id="{prefix}-(\d+)"', page)


def test_bulk_acknowledge_confirms_and_reports_each_alert(client: TestClient,
                                                          store: Store) -> None:
    sign_in(client, "hei_analyst")
    queue = client.get("/queues/alerts?status=OPEN&per_page=25").text
    mine = _ids(queue, "alert")[:2]
    sign_in(client, "lei_analyst")
    leeds = _ids(client.get("/queues/alerts").text, "alert")
    sign_in(client, "hei_analyst")
    confirm, done = _confirm_then_act(client, "/queues/alerts", {"action": "acknowledge"},
                                      [*mine, *leeds])
    assert "hewell alert" in confirm
    assert "leeds alert" not in confirm
    assert f"alert {leeds[0]} (not found)" in confirm
    assert "Acknowledge: 2 of 3 done" in done
    assert f"alert {leeds[0]} not found" in done
    acknowledged = _audit(store, "acknowledge", "alert")
    assert {("hei_analyst", i, "allowed") for i in mine} <= set(acknowledged)
    assert ("hei_analyst", leeds[0], "denied") in acknowledged
    page = client.get("/queues/alerts?status=ACKNOWLEDGED&per_page=100").text
    assert all(f'id="alert-{i}"' in page for i in mine)


def test_nothing_changes_before_the_confirmation(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    held = _ids(client.get("/queues/guard?status=HELD").text, "phone")[:2]
    csrf = _csrf(client.get("/queues/guard").text)
    confirm = client.post("/queues/guard/bulk", data={
        "csrf_token": csrf, "selected": held, "action": "release", "reason": "cell search"})
    assert confirm.status_code == 200
    assert "Release as contraband: check the 2 phones" in confirm.text
    assert _audit(store, "guard.release", "guard") == []
    assert len(_rows(client.get("/queues/guard?status=HELD").text, "phone")) == N // 2


def test_bulk_actions_of_the_other_queues(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    # Guard: a reason is required, and then each phone is released.
    held = _ids(client.get("/queues/guard?status=HELD").text, "phone")[:2]
    csrf = _csrf(client.get("/queues/guard").text)
    missing = client.post("/queues/guard/bulk", data={
        "csrf_token": csrf, "selected": held, "action": "release"})
    assert missing.status_code == 422
    assert "Enter the reason" in missing.text
    _, done = _confirm_then_act(client, "/queues/guard",
                                {"action": "release", "reason": "cell search"}, held)
    assert "2 of 2 done" in done
    # Referrals: received ones acknowledged; a sent one is refused on its row.
    received = _ids(client.get("/queues/referrals?direction=in&status=SENT").text,
                    "referral")[:2]
    sent = _ids(client.get("/queues/referrals?direction=out").text, "referral")[:1]
    _, done = _confirm_then_act(client, "/queues/referrals", {"action": "acknowledge"},
                                [*received, *sent])
    assert "Acknowledge: 2 of 3 done" in done
    assert "Not done" in done
    # Quarantine: discarded with the reason given, each audited; another team's row is
    # refused on its own line.
    sign_in(client, "lei_analyst")
    leeds = _ids(client.get("/queues/quarantine").text, "quarantined-row")
    sign_in(client, "hei_supervisor")
    rows = _ids(client.get("/queues/quarantine?status=OPEN").text, "quarantined-row")[:3]
    _, done = _confirm_then_act(client, "/queues/quarantine",
                                {"action": "discard", "reason": "duplicate of batch 9"},
                                [*rows, *leeds])
    assert "Discard: 3 of 4 done" in done
    assert {r for _, r, o in _audit(store, "discard", "quarantine") if o == "allowed"} \
        >= set(rows)
    # Orders: approving takes a supervisor; the analyst is refused on each row.
    sign_in(client, "hei_analyst")
    drafts = re.findall(r'value="(TRO-HEI-\d+)"',
                        client.get("/queues/orders?state=DRAFT").text)[:2]
    _, done = _confirm_then_act(client, "/queues/orders",
                                {"action": "approve", "reason": "checked"}, drafts)
    assert "Approve: 0 of 2 done" in done
    sign_in(client, "hei_supervisor")
    _, done = _confirm_then_act(client, "/queues/orders",
                                {"action": "approve", "reason": "checked"}, drafts)
    assert "Approve: 2 of 2 done" in done
    assert len(_rows(client.get("/queues/orders?state=APPROVED").text, "order")) == 2
    # Candidates: one draft application for the ticked identifiers.
    sign_in(client, "hei_analyst")
    keys = [f"HEI:IMEI:{ident(28)}", f"HEI:IMEI:{ident(29)}", f"LEI:IMEI:{ident(30)}"]
    _, done = _confirm_then_act(client, "/queues/candidates", {"action": "draft"}, keys)
    assert "Draft an application: 2 of 3 done" in done
    assert re.search(r"in TRO-", done)


@given(st.dictionaries(st.sampled_from(["sort", "dir", "page", "per_page", "status",
                                        "priority", "from", "to", "x", "assignee"]),
                       st.text(max_size=12), max_size=6))
@hsettings(max_examples=200, deadline=None)
def test_any_query_is_a_view_or_a_said_problem(params: dict[str, str]) -> None:
    for queue in (ALERTS, CANDIDATES, ORDERS, GUARD, REFERRALS, QUARANTINE):
        try:
            view = queue.parse(params)
        except InvalidData as exc:
            problems = exc.errors["query"]
        else:
            assert view.sort in {c.key for c in queue.columns if c.sortable}
            assert view.page >= 1
            assert view.per_page in (25, 50, 100, 200)
            # The pager's links parse back to the same view.
            assert queue.parse(dict(parse_qsl(view.query(page=view.page)))) == view
            continue
        # Refused: every problem said in words, none left out.
        assert problems
        assert all(isinstance(p, str) and p for p in problems)
