"""Judging on the device page: the forms are shown only to users who may judge there, a
posted verdict goes through :mod:`cellwatch.access.attributions` (as ``cellwatch judge``
and ``/api/v1/judgements`` do: decided, recorded under the user, audited) and comes back
to the page with a banner, and a judgement can be undone.

No browser: FastAPI's TestClient signs in through the real sign-in form. One attribution
run over the fixture estate: HANDSET attributed to a Hewell and to a Leeds prisoner, its
SIM linked to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import sign_in

from audit_support import audited
from cellwatch.access.attributions import judge_attribution
from cellwatch.access.fixtures import build_estate
from cellwatch.access.principal import principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution, AttributionRun, IdentityLink, Judgement
from cellwatch.settings import Settings
from cellwatch.store import Store

HANDSET = "353456789012348"
SIM = "234101234567890"
PAGE = f"/identifiers/IMEI/{HANDSET}"
REASON = "cellmate's phone, per search record SR-118"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The whole app over the fixture estate and one attribution run."""
    build_estate(store)
    day, seen = date(2026, 5, 1), datetime(2026, 5, 1, 9, tzinfo=UTC)
    with store.session() as s:
        run = AttributionRun(status="DONE", engine="duckdb", run_by="system", params={},
                             finished_at=seen)
        s.add(run)
        s.flush()
        s.add_all(Attribution(run_id=run.id, identifier_type="IMEI", identifier=HANDSET,
                              prison_number=prisoner, probability=p, rank=1, valid_from=day,
                              valid_to=day)
                  for prisoner, p in (("A1111AA", 0.8), ("A3333CC", 0.2)))
        s.add(IdentityLink(a_type="IMEI", a=HANDSET, b_type="IMSI", b=SIM, source="DETECTION",
                           first_seen=seen, last_seen=seen, count=4, status="ACTIVE"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _post(client: TestClient, url: str, **fields: str) -> tuple[int, str]:
    """Post a form of the device page (its CSRF token included); (status, where it went)."""
    token = _csrf(client.get(PAGE).text)
    r = client.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)
    return r.status_code, r.headers.get("location", r.text)


def _judgements(store: Store) -> list[tuple[str, str, str, str | None]]:
    with store.session() as s:
        return [(j.object, j.verdict, j.by, j.undone_by)
                for j in s.scalars(select(Judgement).order_by(Judgement.id))]


def test_the_forms_are_shown_only_where_the_user_may_judge(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(PAGE).text
    # Hewell's prisoner and the link: forms with a labelled reason box in a fieldset.
    assert 'id="judge-attr-A1111AA"' in page
    assert '<label class="govuk-label" for="reason-attr-A1111AA">Reason</label>' in page
    assert "<legend" in page
    assert "Judge the attribution to A1111AA" in page
    assert re.search(r'id="judge-link-\d+"', page)
    # Leeds' prisoner is not on Hewell's page at all.
    assert "A3333CC" not in page

    # Leeds' team judges its prisoner; Leeds' administrator sees that, and no form.
    with store.session() as s:
        leeds = Access(store, principal_for(s, "lei_analyst"))
    judge_attribution(leeds, "IMEI", HANDSET, "A3333CC", "UNSURE", "two cells share it")
    sign_in(client, "lei_admin")
    page = client.get(PAGE).text
    assert "two cells share it" in page
    assert "lei_analyst" in page
    assert "judge-attr" not in page
    assert "judge-link" not in page
    assert "/undo" not in page
    # The Parole Board covers no establishment: the device is not found for it.
    sign_in(client, "parole_cm")
    refused = client.get(PAGE)
    assert refused.status_code == 404
    assert "judge-" not in refused.text


def test_a_rejection_is_recorded_shown_and_undone(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    status, where = _post(client, f"{PAGE}/judgements", form="attr-A1111AA",
                          target="attribution", prison_number="A1111AA", verdict="REJECTED",
                          reason=REASON)
    assert status == 303
    assert where.startswith(f"{PAGE}?done=")
    page = client.get(where).text
    assert "Rejected the attribution to A1111AA" in page  # the banner
    assert REASON.replace("'", "&#39;") in page
    assert _judgements(store) == [("A1111AA", "REJECTED", "hei_analyst", None)]
    target = f"IMEI {HANDSET} PRISONER A1111AA"
    assert audited(store, "hei_analyst", "attribution") == [("judge", target, "allowed")]

    [judgement_id] = [int(i) for i in re.findall(r'id="undo-(\d+)"', page)]
    status, where = _post(client, f"{PAGE}/judgements/{judgement_id}/undo")
    assert status == 303
    page = client.get(where).text
    assert f"Undid judgement {judgement_id}" in page
    assert "undone by hei_analyst" in page
    assert 'id="undo-' not in page
    assert _judgements(store) == [("A1111AA", "REJECTED", "hei_analyst", "hei_analyst")]
    assert audited(store, "hei_analyst", "attribution")[-1] == ("undo", target, "allowed")


def test_a_link_is_judged_from_its_row(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    status, where = _post(client, f"{PAGE}/judgements", form="link-1", target="link",
                          other_type="IMSI", other=SIM, verdict="CONFIRMED",
                          reason="SIM found in the handset")
    assert status == 303
    assert f"Confirmed the link to IMSI {SIM}" in client.get(where).text
    with store.session() as s:
        assert s.scalars(select(IdentityLink.status)).one() == "CONFIRMED"


def test_a_judgement_without_a_reason_shows_the_page_again_with_the_error(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    status, page = _post(client, f"{PAGE}/judgements", form="attr-A1111AA",
                         target="attribution", prison_number="A1111AA", verdict="CONFIRMED",
                         reason="  ")
    assert status == 422
    assert '<a href="#reason-attr-A1111AA">Enter the reason for your judgement</a>' in page
    assert 'id="reason-attr-A1111AA-error"' in page
    # Too long for the record: what was typed comes back in the box.
    status, page = _post(client, f"{PAGE}/judgements", form="attr-A1111AA",
                         target="attribution", prison_number="A1111AA", verdict="CONFIRMED",
                         reason="x" * 2001)
    assert status == 422
    assert "The reason must be 2000 characters or fewer" in page
    assert "x" * 2001 in page
    assert _judgements(store) == []


def test_a_refused_or_forged_judgement_records_nothing(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    # A crafted post for Leeds' prisoner: refused by the service layer, and audited.
    status, _ = _post(client, f"{PAGE}/judgements", form="attr-A3333CC",
                         target="attribution", prison_number="A3333CC", verdict="REJECTED",
                         reason=REASON)
    assert status == 403
    assert audited(store, "hei_analyst", "attribution") == [
        ("update", f"IMEI {HANDSET} PRISONER A3333CC", "denied")]
    # Without the session's form token.
    r = client.post(f"{PAGE}/judgements", follow_redirects=False, data={
        "csrf_token": "forged", "target": "attribution", "prison_number": "A1111AA",
        "verdict": "REJECTED", "reason": REASON})
    assert r.status_code == 422
    assert "the form has expired" in r.text
    assert _judgements(store) == []
