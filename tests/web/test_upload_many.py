"""Issue 16, item 6: the web upload takes several files and a zip as ``cellwatch ingest
DIR`` does (the same service): each file's kind recognised, reference data first, one
report per file, a file the user may not load or of no kind refused with its reason while
the others go in, and a hostile zip (traversal, bomb, nested) refused whole."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_client import estate_with_liaisons, sign_in

from cellwatch.api.app import create_app
from cellwatch.ingest.service.folders import ORDER
from cellwatch.settings import Settings
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import IngestBatch, Prisoner, SeizureItem, Store

SEIZURES = (b"seizure_ref,item_no,ts,establishment,item_type\r\n"
            b"SZ-W,1,2026-03-01T10:00:00Z,HEI,HANDSET\r\n")
PRISONERS = b"prison_number,surname,forenames,establishment\r\nB7777CD,NEW,ONE,HEI\r\n"
CALLS = (b"operator,record_type,start_ts,direction,subject_msisdn\r\n"
         b"VODA,VOICE,2026-03-01T10:00:00Z,OUT,+447700900123\r\n")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = scenario_from_mapping({
        "run": {"days": 5, "chunk_days": 3, "rows_per_part": 1000, "messy_formats": False},
        "estate": {"establishments": 1, "codes": ["HEI"], "capacity_scale": 0.06},
        "corruption": {"rate": 0.0}})
    return simulate(scenario, 7, tmp_path_factory.mktemp("sim") / "out", progress=False).out_dir


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _post(client: TestClient, user: str, files: list[tuple[str, bytes]],
          kind: str = "auto") -> tuple[int, str]:
    sign_in(client, user)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ingest").text)
    assert csrf is not None
    page = client.post("/ingest", data={"kind": kind, "csrf_token": csrf[1]},
                       files=[("file", (name, body, "application/octet-stream"))
                              for name, body in files])
    return page.status_code, page.text


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _batches(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        return [(b.kind, b.file_name) for b in
                s.scalars(select(IngestBatch).order_by(IngestBatch.id))]


def test_a_simulated_estate_zipped_goes_in_in_order_with_a_report_per_file(
        client: TestClient, store: Store, simulated: Path) -> None:
    members = {p.relative_to(simulated).as_posix(): p.read_bytes()
               for p in sorted(simulated.rglob("*")) if p.is_file()}
    status, page = _post(client, "nat_admin", [("estate.zip", _zip(members))])
    assert status == 200, page
    batches = _batches(store)
    kinds = [kind for kind, _ in batches]
    assert kinds == sorted(kinds, key=ORDER.index)
    assert {"establishments", "prisoners", "detections", "call_records", "seizures"} <= set(kinds)
    # Every name as the user sent it, inside the zip; never the server's scratch folder.
    assert all(name.startswith("estate.zip/") for _, name in batches)
    assert "/tmp" not in page
    for _, name in batches:
        assert f"{name} as " in page
    # An administrator does not load intelligence: refused with the reason, the rest went in.
    assert 'id="refused-files"' in page
    assert "estate.zip/intelligence_reports.csv" in page
    assert "you may not load intelligence reports files" in page
    # The simulator's ground truth is left out, and said so.
    assert "estate.zip/truth/devices.csv: the simulator" in page


def test_several_files_each_decided_on_its_own(client: TestClient, store: Store) -> None:
    status, page = _post(client, "hei_supervisor", [
        ("seizures.csv", SEIZURES), ("prisoners.csv", PRISONERS), ("export.csv", CALLS),
        ("notes.pdf", b"%PDF-1.4")])
    assert status == 200, page
    assert _batches(store) == [("seizures", "seizures.csv")]
    assert "1 file ingested, 3 refused" in page
    assert "you may not load prisoners files" in page
    assert "you may not load call records files" in page  # known by its header
    assert "<strong>notes.pdf</strong>: neither its name nor its format says" in page
    with store.session() as s:
        assert s.get(Prisoner, "B7777CD") is None
        assert s.scalars(select(SeizureItem)).first() is not None


def test_a_bad_file_among_several_is_said_in_words(client: TestClient, store: Store) -> None:
    status, page = _post(client, "hei_supervisor", [
        ("seizures.csv", SEIZURES), ("seizures_2.csv", SEIZURES.replace(b",", b";"))])
    assert status == 200
    assert "separated by semicolons" in page
    assert len(_batches(store)) == 1


@pytest.mark.parametrize(("members", "said"), [
    ({"seizures.csv": SEIZURES, "../escape.csv": SEIZURES}, "path outside its folder"),
    ({"inner.zip": _zip({"seizures.csv": SEIZURES})}, "nested archives are not opened"),
    ({"seizures.csv": b"0" * (20 * 1024 * 1024)}, "zip bomb"),
])
def test_a_hostile_zip_is_refused_whole(client: TestClient, store: Store,
                                        members: dict[str, bytes], said: str) -> None:
    status, page = _post(client, "hei_supervisor", [("delivery.zip", _zip(members))])
    assert status == 422
    assert said in page
    assert "delivery.zip" in page
    assert 'id="file-error"' in page
    assert _batches(store) == []


def test_a_zip_of_one_chosen_kind_and_a_single_file_as_before(
        client: TestClient, store: Store) -> None:
    status, page = _post(client, "hei_supervisor",
                         [("d.zip", _zip({"a.csv": SEIZURES}))], kind="seizures")
    assert status == 200, page
    assert _batches(store) == [("seizures", "d.zip/a.csv")]
    assert "d.zip/a.csv as seizures" in page
    status, page = _post(client, "hei_supervisor", [("one.csv", SEIZURES.replace(
        b"SZ-W", b"SZ-X"))], kind="seizures")
    assert status == 200
    assert 'id="report"' in page  # the single file's own report
