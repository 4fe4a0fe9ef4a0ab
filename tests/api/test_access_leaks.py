"""Issue 17's remaining leaks, each attack reproduced first, then shown closed."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from test_access_holes import web_sign_in

from cellwatch.alerts.models import Alert
from cellwatch.store import Store

Login = Callable[[str], dict[str, str]]
V1 = "/api/v1"
UNKNOWN = 987654321


def _main(page: str, *ids: int | str) -> str:
    """A page's <main>, without its CSRF token and with the ids asked for blanked."""
    found = re.search(r"<main.*?</main>", page, re.S)
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", found[0] if found else page)
    for ident in ids:
        text = re.sub(rf"(?<![\w-]){re.escape(str(ident))}(?![\w-])", "<id>", text)
    return text


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found[1]


def _alert(store: Store, establishment: str, prison_number: str) -> int:
    with store.session() as s:
        alert = Alert(rule="NEW_DEVICE", dedupe_key=f"leak|{prison_number}",
                      prison_number=prison_number, establishment=establishment,
                      status="OPEN", summary="a new device")
        s.add(alert)
        s.flush()
        return alert.id


def test_alert_action_on_another_prisons_alert_words_as_an_unknown_one(
        client: TestClient, store: Store) -> None:
    hidden = _alert(store, "HEI", "A1111AA")
    web_sign_in(client, "lei_analyst")
    token = _csrf(client, "/queues/alerts")
    act = {"csrf_token": token, "one": f"acknowledge:{hidden}"}
    answers = [client.post("/queues/alerts/action", data=act)]
    # The estate moves on between two probes: Leeds gets an alert of its own.
    _alert(store, "LEI", "A3333CC")
    answers.append(client.post("/queues/alerts/action", data={**act,
                                                              "one": f"acknowledge:{UNKNOWN}"}))
    assert [a.status_code for a in answers] == [404, 404]
    assert _main(answers[0].text, hidden) == _main(answers[1].text, UNKNOWN)
    assert f"Not done: alert {hidden} not found" in answers[0].text
