"""Issue 17, hole 10: bad input answered as bad input, never as a server error or a leak.

Numbers too large for any id, JSON Lines nested thousands deep, upload errors that showed
the server's temporary folder, and bidirectional controls in names (stored as sent,
flagged on ingest, shown neutralised on every page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.fixtures import PASSWORD
from cellwatch.cli import main
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow, Store
from cellwatch.store.reference import Prisoner

Login = Callable[[str], dict[str, str]]
HUGE = "99999999999999999999999"
DEEP = '{"seizure_ref": ' + "[" * 5000 + "]" * 5000 + "}\n"
RLO = "\u202e"


def _web(client: TestClient, user: str) -> None:
    client.cookies.clear()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert csrf is not None
    r = client.post("/signin", follow_redirects=False, data={
        "username": user, "password": PASSWORD, "csrf_token": csrf[1], "next": "/"})
    assert r.status_code == 303


@pytest.mark.parametrize("path", [f"/api/v1/alerts/{HUGE}", f"/api/v1/referrals/{HUGE}",
                                  f"/api/v1/quarantine/{HUGE}", "/api/v1/alerts/2147483648"])
def test_a_number_too_large_for_any_id_is_not_found(client: TestClient, login: Login,
                                                     path: str) -> None:
    r = client.get(path, headers=login("hei_analyst"))
    assert r.status_code == 404, r.text


def test_the_web_answers_a_huge_id_as_not_found(client: TestClient) -> None:
    _web(client, "hei_analyst")
    for path in (f"/alerts/{HUGE}", f"/ingest/quarantine/{HUGE}"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.text[:300])


def test_deep_json_is_a_malformed_file_named_as_sent(client: TestClient, login: Login,
                                                    store: Store) -> None:
    r = client.post("/api/v1/ingest/seizures", headers=login("hei_supervisor"),
                    files={"file": ("deep.jsonl", DEEP.encode(), "application/jsonl")})
    assert r.status_code == 400, r.text
    assert r.json()["detail"] == "deep.jsonl:1: JSON nested too deeply"


def test_upload_answers_never_show_the_servers_temporary_folder(
        client: TestClient, login: Login, store: Store) -> None:
    headers = login("hei_supervisor")
    r = client.post("/api/v1/ingest/seizures", headers=headers,
                    files={"file": ("finds.csv", b"seizure_ref,ts\r\nX,2026-01-01\r\n")})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("finds.csv:1: missing required")
    body = ("seizure_ref,item_no,ts,establishment,item_type\r\n"
            "SZ-1,1,not a time,HEI,HANDSET\r\n")
    r = client.post("/api/v1/ingest/seizures", headers=headers,
                    files={"file": ("finds.csv", body.encode())})
    assert r.status_code == 201
    assert r.json()["file"] == "finds.csv"
    with store.session() as s:
        assert s.scalars(select(IngestBatch.file_name)).all() == ["finds.csv"]
        assert s.scalars(select(QuarantinedRow.file_name)).all() == ["finds.csv"]
    for url in ("/api/v1/ingest/batches", "/api/v1/quarantine"):
        text = client.get(url, headers=headers).text
        assert "cellwatch-upload" not in text
        assert "finds.csv" in text


def test_deep_json_in_the_cli_is_an_error_not_a_traceback(
        settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    path = tmp_path / "deep.jsonl"
    path.write_text(DEEP)
    code = main(["ingest", "seizures", str(path)])
    out = capsys.readouterr()
    assert code == 2
    said = " ".join((out.err + out.out).split())  # Rich wraps at the terminal's width
    assert "Traceback" not in said
    assert "JSON nested too deeply" in said


def test_bidi_controls_are_flagged_on_ingest_and_neutralised_on_pages(
        client: TestClient, login: Login, store: Store) -> None:
    name = f"Smith{RLO}DD4444A"
    body = f"prison_number,surname,forenames,establishment\r\nB1234CD,{name},Test,HEI\r\n"
    r = client.post("/api/v1/ingest/prisoners", headers=login("nat_admin"),
                    files={"file": ("p.csv", body.encode())})
    assert r.status_code == 201, r.text
    assert r.json()["accepted"] == 1
    assert r.json()["flagged"] == {"surname: bidi_control": 1}
    with store.session() as s:
        stored = s.get(Prisoner, "B1234CD")
        assert stored is not None
        assert stored.surname == name  # kept as delivered: it is evidence of what was sent
    _web(client, "hei_analyst")
    page = client.get("/prisoners/B1234CD")
    assert page.status_code == 200
    assert RLO not in page.text
    assert "Smith[U+202E]DD4444A" in page.text
