"""Judging on the device and prisoner pages: the forms are shown only to users who may
judge there, a posted verdict goes through :mod:`cellwatch.attribution.service.attributions` (as
``cellwatch judge`` and ``/api/v1/judgements`` do: decided, recorded under the user,
audited) and comes back to the page it was posted from with a banner, a judgement can be
undone, and a refusal is shown on that page with why.

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

from attribution_seed import finished_run
from audit_support import audited
from cellwatch.access.directory import create_user
from cellwatch.access.fixtures import PASSWORD, build_estate
from cellwatch.access.principal import SYSTEM, principal_for
from cellwatch.access.service import Access
from cellwatch.api.app import create_app
from cellwatch.attribution.models import Attribution, IdentityLink, Judgement
from cellwatch.attribution.service.attributions import judge_attribution
from cellwatch.cases.service import create_case, share_case
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
        run_id = finished_run(s, seen)
        s.add_all(Attribution(run_id=run_id, identifier_type="IMEI", identifier=HANDSET,
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


def _post(client: TestClient, url: str, page: str = PAGE, **fields: str) -> tuple[int, str]:
    """Post a form of ``page`` (its CSRF token included); (status, where it went or what
    came back)."""
    token = _csrf(client.get(page).text)
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
    # A crafted post for Leeds' prisoner: refused by the service layer as an unknown
    # prisoner is (issue 17), and audited.
    status, _ = _post(client, f"{PAGE}/judgements", form="attr-A3333CC",
                         target="attribution", prison_number="A3333CC", verdict="REJECTED",
                         reason=REASON)
    assert status == 404
    assert audited(store, "hei_analyst", "attribution") == [
        ("update", f"IMEI {HANDSET} PRISONER A3333CC", "denied")]
    # Without the session's form token.
    r = client.post(f"{PAGE}/judgements", follow_redirects=False, data={
        "csrf_token": "forged", "target": "attribution", "prison_number": "A1111AA",
        "verdict": "REJECTED", "reason": REASON})
    assert r.status_code == 422
    assert "the form has expired" in r.text
    assert _judgements(store) == []


PRISONER_PAGE = "/prisoners/A1111AA"


def _card_key(page: str) -> str:
    """The key of the one judging form on a prisoner page (named by the attribution)."""
    [key] = re.findall(r'<form method="post" action="/identifiers/IMEI/\d+/judgements" '
                       r'novalidate id="judge-(attr-\d+)">', page)
    return key


def _form(page: str, marker: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields (but the CSRF token) of the form holding ``marker``:
    what the page itself would post."""
    at = page.index(marker)
    html = page[page.rindex("<form", 0, at):page.index("</form>", at)]
    action = re.search(r'action="([^"]+)"', html)
    assert action is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    del fields["csrf_token"]
    return action[1], fields


def test_an_attribution_is_judged_and_undone_from_the_prisoner_page(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(PRISONER_PAGE).text
    key = _card_key(page)
    assert f'<label class="govuk-label" for="reason-{key}">Reason</label>' in page
    assert "Judge the attribution of IMEI " + HANDSET in page
    assert "Not judged yet." in page
    action, fields = _form(page, f'id="judge-{key}"')
    assert action == f"{PAGE}/judgements"
    assert fields == {"form": key, "target": "attribution", "back": "prisoner",
                      "prison_number": "A1111AA"}
    status, where = _post(client, action, PRISONER_PAGE, verdict="CONFIRMED", reason=REASON,
                          **fields)
    assert status == 303
    assert where.startswith(f"{PRISONER_PAGE}?done=")
    page = client.get(where).text
    assert f"Confirmed the attribution of IMEI {HANDSET} to A1111AA" in page  # the banner
    card = page[page.index(f'id="judging-{key}"'):]
    assert REASON.replace("'", "&#39;") in card
    assert "Not judged yet." not in page
    assert _judgements(store) == [("A1111AA", "CONFIRMED", "hei_analyst", None)]
    target = f"IMEI {HANDSET} PRISONER A1111AA"
    assert audited(store, "hei_analyst", "attribution") == [("judge", target, "allowed")]

    # The undo button on the card returns to the prisoner page too.
    [judgement_id] = [int(i) for i in re.findall(r'id="undo-(\d+)"', page)]
    action, fields = _form(page, f'id="undo-{judgement_id}"')
    assert action == f"{PAGE}/judgements/{judgement_id}/undo"
    status, where = _post(client, action, PRISONER_PAGE, **fields)
    assert status == 303
    assert where.startswith(f"{PRISONER_PAGE}?done=")
    page = client.get(where).text
    assert f"Undid judgement {judgement_id}" in page
    assert "undone by hei_analyst" in page
    assert _judgements(store) == [("A1111AA", "CONFIRMED", "hei_analyst", "hei_analyst")]
    assert audited(store, "hei_analyst", "attribution")[-1] == ("undo", target, "allowed")


def test_a_missing_reason_on_the_prisoner_page_is_shown_by_its_box(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    page = client.get(PRISONER_PAGE).text
    key = _card_key(page)
    action, fields = _form(page, f'id="judge-{key}"')
    status, page = _post(client, action, PRISONER_PAGE, verdict="REJECTED", reason=" ",
                         **fields)
    assert status == 422
    assert "<h1 class=\"govuk-heading-l\">Smith, Test</h1>" in page  # the prisoner page
    assert f'<a href="#reason-{key}">Enter the reason for your judgement</a>' in page
    assert f'<p id="reason-{key}-error" class="govuk-error-message">' in page
    assert f'aria-describedby="reason-{key}-hint reason-{key}-error"' in page
    # The folded form is open, so the error and the box are in view.
    assert '<details class="govuk-details cw-judge-details" open>' in page
    assert _judgements(store) == []


def test_only_known_pages_are_gone_back_to(client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    fields = {"form": "attr-A1111AA", "target": "attribution", "prison_number": "A1111AA",
              "verdict": "UNSURE", "reason": REASON}
    for back in ("https://evil.example/", "//evil.example", "/prisoners/A3333CC", "PRISONER"):
        status, where = _post(client, f"{PAGE}/judgements", back=back, **fields)
        assert status == 303
        assert where.startswith(f"{PAGE}?done="), back
    # "prisoner" with something other than a prison number does not build a way back either.
    first = min(int(i) for i in re.findall(r'id="undo-(\d+)"', client.get(PAGE).text))
    status, where = _post(client, f"{PAGE}/judgements/{first}/undo", back="prisoner",
                          prison_number="/../../signout")
    assert status == 303
    assert where.startswith(f"{PAGE}?done=")


def test_a_refused_judgement_says_why_on_the_page_it_came_from(
        client: TestClient, store: Store) -> None:
    sign_in(client, "hei_analyst")
    # A crafted post for Leeds' prisoner from Hewell's device page: answered as an unknown
    # prisoner is (issue 17), with nothing of where he is held; the refusal audited.
    status, page = _post(client, f"{PAGE}/judgements", form="attr-A3333CC",
                         target="attribution", prison_number="A3333CC", verdict="REJECTED",
                         reason=REASON)
    unknown = _post(client, f"{PAGE}/judgements", form="attr-Z9999ZZ", target="attribution",
                    prison_number="Z9999ZZ", verdict="REJECTED", reason=REASON)
    assert status == unknown[0] == 404
    assert "prisoner A3333CC not found" in page
    assert page.replace("A3333CC", "N") == unknown[1].replace("Z9999ZZ", "N")
    assert "LEI" not in page
    assert audited(store, "hei_analyst", "attribution") == [
        ("update", f"IMEI {HANDSET} PRISONER A3333CC", "denied")]

    # From the prisoner page to one the user cannot see: the usual refusal, nothing of them.
    status, page = _post(client, f"{PAGE}/judgements", PRISONER_PAGE, form="attr-1",
                         target="attribution", back="prisoner", prison_number="A3333CC",
                         verdict="REJECTED", reason=REASON)
    assert status == 404  # answered as an unknown prisoner is (issue 17)
    assert "Page not found" in page
    assert "O&#39;Brien" not in page

    # Leeds' judgement, undone from Hewell: Hewell cannot see it, so it is answered as an
    # unknown judgement is (issue 17), the refusal audited.
    with store.session() as s:
        leeds = Access(store, principal_for(s, "lei_analyst"))
    judgement = judge_attribution(leeds, "IMEI", HANDSET, "A3333CC", "UNSURE", "two cells")
    status, page = _post(client, f"{PAGE}/judgements/{judgement.id}/undo")
    assert status == 404
    assert f"no judgement {judgement.id}" in page
    assert "A3333CC" not in page
    assert audited(store, "hei_analyst", "attribution")[-1] == (
        "update", f"IMEI {HANDSET} PRISONER A3333CC", "denied")
    assert _judgements(store) == [("A3333CC", "UNSURE", "lei_analyst", None)]

    # Once Leeds shares a case on him, Hewell's team reads him but still may not judge: a
    # refusal that says why on the device page (what it names, the user may now see).
    create_case(leeds, "OP-HERON", "Heron", subjects=["A3333CC"])
    share_case(Access(store, SYSTEM), "OP-HERON", "HEI-SIT")
    status, page = _post(client, f"{PAGE}/judgements", form="attr-A3333CC",
                         target="attribution", prison_number="A3333CC", verdict="REJECTED",
                         reason=REASON)
    assert status == 403
    assert "<title>Error: IMEI" in page  # the device page, not the error page
    assert ("<li>You cannot record a judgement on the attribution to A3333CC: the prisoner is "
            "not held in an establishment you cover</li>") in page
    assert "principal" not in page  # the policy's own words are not shown
    assert audited(store, "hei_analyst", "attribution")[-1] == (
        "update", f"IMEI {HANDSET} PRISONER A3333CC", "denied")
    assert _judgements(store) == [("A3333CC", "UNSURE", "lei_analyst", None)]


def test_a_role_without_judging_is_told_so_on_the_prisoner_page(
        client: TestClient, store: Store) -> None:
    """A regional investigator reads Hewell's prisoner (with a reason) but does not judge."""
    create_user(Access(store, SYSTEM), "wm_investigator", "WMROCU", ["investigator"],
                PASSWORD)
    sign_in(client, "wm_investigator")
    prompt = client.get(PRISONER_PAGE).text
    assert "Why are you opening" in prompt
    given = client.post("/reason", follow_redirects=False, data={
        "csrf_token": _csrf(prompt), "key": "PRISONER:A1111AA", "next": PRISONER_PAGE,
        "reason": "Operation Kestrel, report IR-2026-7"})
    assert given.status_code == 303
    page = client.get(PRISONER_PAGE).text
    assert "Smith, Test" in page
    assert "judge-attr" not in page  # no form for a role that may not judge
    status, page = _post(client, f"{PAGE}/judgements", PRISONER_PAGE, form="attr-1",
                         target="attribution", back="prisoner", prison_number="A1111AA",
                         verdict="CONFIRMED", reason=REASON)
    assert status == 403
    assert "Smith, Test" in page
    assert (f"You cannot record a judgement on the attribution of IMEI {HANDSET} to A1111AA: "
            "your role does not allow judging attributions") in page
    assert audited(store, "wm_investigator", "attribution") == [
        ("update", f"IMEI {HANDSET} PRISONER A1111AA", "denied")]
    assert _judgements(store) == []


def test_a_role_that_may_not_judge_is_refused_before_it_is_asked_for_a_reason(
        client: TestClient, store: Store) -> None:
    # Administrators read the device page (the national one once it states why) but hold
    # no attribution update right: with or without a reason, a crafted post is refused
    # (403), never a "give a reason" for the judgement nor for opening the page.
    for user in ("lei_admin", "nat_admin"):
        sign_in(client, user)
        token = _csrf(client.get("/").text)
        for reason in ("", REASON):
            r = client.post(f"{PAGE}/judgements", follow_redirects=False, data={
                "csrf_token": token, "form": "attr-A3333CC", "target": "attribution",
                "prison_number": "A3333CC", "verdict": "CONFIRMED", "reason": reason})
            assert r.status_code == 403
            assert "your role does not allow judging attributions" in r.text
            assert "Enter the reason for your judgement" not in r.text
            assert 'action="/reason"' not in r.text
        assert [outcome for *_, outcome in audited(store, user, "attribution")] == [
            "denied", "denied"]
    assert _judgements(store) == []
