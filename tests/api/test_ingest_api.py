"""Uploads through the API: authorised by kind, size-limited, audited; quarantine and retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cellwatch.access.fixtures import build_estate
from cellwatch.access.models import AuditEntry, IntelligenceReport
from cellwatch.api import create_app
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Store

HEADER = ("report_ref,ts,establishment,source_evaluation,intelligence_assessment,"
          "handling_code,handling_conditions,subjects,identifiers,text\r\n")
GOOD = "IR-U1,2026-05-02T10:00:00Z,HEI,2,B,P,,A1111AA,07700 900123,seen\r\n"
WAITING = "IR-U2,2026-05-02T11:00:00Z,HEI,1,A,P,,B1234CD,,waits for B1234CD\r\n"

Login = Callable[[str], dict[str, str]]


def _upload(client: TestClient, headers: dict[str, str], kind: str, body: str,
            name: str = "reports.csv") -> object:
    return client.post(f"/api/v1/ingest/{kind}", headers=headers,
                       files={"file": (name, body.encode(), "text/csv")})


def test_a_supervisor_uploads_intelligence_and_it_is_owned_and_audited(
        client: TestClient, login: Login, store: Store) -> None:
    r = client.post("/api/v1/ingest/intelligence_reports", headers=login("hei_supervisor"),
                    files={"file": ("reports.csv", (HEADER + GOOD + WAITING).encode())})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["read"], body["accepted"], body["quarantined"]) == (
        "intelligence_reports", 2, 1, 1)
    with store.session() as s:
        report = s.scalars(select(IntelligenceReport)
                           .where(IntelligenceReport.report_ref == "IR-U1")).one()
        assert report.owner_org == "HEI-SIT"
        batch = s.get(IngestBatch, body["batch_id"])
        assert batch is not None
        assert batch.run_by == "hei_supervisor"
        assert batch.file_name.endswith("reports.csv")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "ingest")).one()
        assert entry.principal == "hei_supervisor"
        assert entry.detail["accepted"] == 1


def test_roles_decide_which_kinds_may_be_uploaded(client: TestClient, login: Login,
                                                  store: Store) -> None:
    # An analyst may not load anything; a local administrator may not load reference data.
    r = client.post("/api/v1/ingest/intelligence_reports", headers=login("hei_analyst"),
                    files={"file": ("r.csv", (HEADER + GOOD).encode())})
    assert r.status_code == 403
    r = client.post("/api/v1/ingest/prisoners", headers=login("lei_admin"),
                    files={"file": ("p.csv", b"prison_number,surname,forenames\r\n")})
    assert r.status_code == 403
    with store.session() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
        assert {e.principal for e in denied} == {"hei_analyst", "lei_admin"}
        assert s.scalars(select(IngestBatch)).first() is None


def test_an_unknown_kind_is_a_validation_error(client: TestClient, login: Login) -> None:
    r = client.post("/api/v1/ingest/xml_dump", headers=login("hei_supervisor"),
                    files={"file": ("x.xml", b"<a/>")})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_malformed_and_missing_files_are_client_errors(client: TestClient,
                                                       login: Login) -> None:
    headers = login("hei_supervisor")
    r = client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                    files={"file": ("r.csv", b"report_ref,ts\r\nIR-X,2026-01-01\r\n")})
    assert r.status_code == 400
    assert "missing required" in r.json()["detail"]
    r = client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                    data={"note": "no file"})
    assert r.status_code == 422
    r = client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                    content=b"raw", params={}, )
    assert r.status_code == 422


@pytest.fixture
def small_client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The API with a 2 KiB upload limit."""
    build_estate(store)
    limited = settings.model_copy(update={"max_upload_bytes": 2048})
    with TestClient(create_app(limited, store=store)) as c:
        yield c


def test_an_upload_over_the_limit_is_refused_with_413(small_client: TestClient,
                                                      store: Store) -> None:
    token = small_client.post("/api/v1/auth/token", data={
        "username": "hei_supervisor", "password": "correct horse battery staple"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    big = HEADER + GOOD * 100
    r = small_client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                          files={"file": ("r.csv", big.encode())})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")

    # Without a Content-Length the body is counted as it streams, and refused all the same.
    def chunks() -> Iterator[bytes]:
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n"
        for _ in range(100):
            yield GOOD.encode()

    r = small_client.post("/api/v1/ingest/intelligence_reports", content=chunks(),
                          headers={**headers,
                                   "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413
    with store.session() as s:
        assert s.scalars(select(IngestBatch)).first() is None
    small = small_client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                              files={"file": ("r.csv", (HEADER + GOOD).encode())})
    assert small.status_code == 201


def test_quarantined_row_is_read_and_retried_after_its_prisoner_arrives(
        client: TestClient, login: Login, store: Store) -> None:
    headers = login("hei_supervisor")
    r = client.post("/api/v1/ingest/intelligence_reports", headers=headers,
                    files={"file": ("r.csv", (HEADER + WAITING).encode())})
    [row] = client.get("/api/v1/quarantine", headers=headers).json()
    one = client.get(f"/api/v1/quarantine/{row['id']}", headers=headers)
    assert one.status_code == 200
    assert one.json()["raw"]["report_ref"] == "IR-U2"
    # Another establishment's analyst neither reads it (answered as unknown) nor retries it
    # (no role of an analyst changes the quarantine: refused alike whether it exists).
    other = login("lei_analyst")
    assert client.get(f"/api/v1/quarantine/{row['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/quarantine/{row['id']}/retry",
                       headers=other).status_code == 403
    assert client.post("/api/v1/quarantine/999999/retry", headers=other).status_code == 403
    still = client.post(f"/api/v1/quarantine/{row['id']}/retry", headers=headers)
    assert still.status_code == 200
    assert still.json()["row"]["status"] == "OPEN"
    r = client.post("/api/v1/ingest/prisoners", headers=login("nat_admin"), files={
        "file": ("p.csv", b"prison_number,surname,forenames,establishment\r\n"
                 b"B1234CD,New,Arrival,HEI\r\n")})
    assert r.status_code == 201, r.text
    done = client.post(f"/api/v1/quarantine/{row['id']}/retry", headers=headers)
    assert done.status_code == 200
    assert done.json()["row"]["status"] == "RESOLVED"
    assert done.json()["summary"]["accepted"] == 1
    assert client.get("/api/v1/quarantine/999999", headers=headers).status_code == 404


def test_a_local_team_may_not_write_intelligence_for_another_establishment(
        client: TestClient, login: Login, store: Store) -> None:
    # Berwyn shares Hewell's region, Leeds does not: neither is Hewell's team's to write for.
    rows = [GOOD,
            "IR-L1,2026-05-02T12:00:00Z,LEI,2,B,P,,A3333CC,,seen at Leeds\r\n",
            "IR-B1,2026-05-02T13:00:00Z,bwi,2,B,P,,,,seen at Berwyn\r\n",
            "IR-N1,2026-05-02T14:00:00Z,,2,B,P,,A1111AA,,no establishment named\r\n"]
    headers = login("hei_supervisor")
    r = _upload(client, headers, "intelligence_reports", HEADER + "".join(rows))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["read"], body["accepted"], body["quarantined"]) == (4, 2, 2)
    reason = ("outside the scope of hei_supervisor: a team writes intelligence for its own "
              "establishment, a region for its region's")
    assert body["reasons"] == {f"establishment: {reason}": 2}
    # Refused rows are kept whole in the quarantine, with line, field and reason.
    kept = client.get("/api/v1/quarantine", headers=headers,
                      params={"batch_id": body["batch_id"]}).json()
    assert sorted((q["line"], q["field"], q["reason"], q["raw"]["report_ref"]) for q in kept) == [
        (3, "establishment", reason, "IR-L1"), (4, "establishment", reason, "IR-B1")]
    with store.session() as s:
        stored = set(s.scalars(select(IntelligenceReport.report_ref)
                               .where(IntelligenceReport.report_ref.like("IR-%1"))))
    assert stored == {"IR-U1", "IR-N1"}
    # Retrying as the same user changes nothing: the row is still not theirs to write.
    retried = client.post(f"/api/v1/quarantine/{kept[0]['id']}/retry", headers=headers)
    assert (retried.status_code, retried.json()["row"]["status"]) == (200, "OPEN")
