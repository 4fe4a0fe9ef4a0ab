"""Issue 16, item 6: an upload's whole-file problems are said in words, with the form
again and no server path: empty, UTF-16 from Excel, another separator, a header with no
rows ("nothing to ingest", no batch), and another kind's file (the kind it looks like)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from web_client import estate_with_liaisons, sign_in

from cellwatch.api.app import create_app
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, Store
from cellwatch.web.upload_checks import problem

HEADER = "seizure_ref,item_no,ts,establishment,item_type\r\n"
ROW = "S-1,1,2026-03-01T10:00:00Z,HEI,HANDSET\r\n"
CASES = {
    "empty": (b"", "is empty: nothing to ingest"),
    "blank": (b"\r\n  \r\n", "is empty: nothing to ingest"),
    "header": (HEADER.encode(), "has a header but no rows: nothing to ingest"),
    "semicolons": ((HEADER + ROW).replace(",", ";").encode(), "separated by semicolons"),
    "tabs": ((HEADER + ROW).replace(",", "\t").encode(), "separated by tabs"),
    "utf16": ((HEADER + ROW).encode("utf-16"), "saved as UTF-16"),
    "utf16-no-bom": ((HEADER + ROW).encode("utf-16-le"), "saved as UTF-16"),
    "prisoners": (b"prison_number,surname,forenames,establishment\r\nA1111AA,SMITH,J,HEI\r\n",
                  "has the columns of a \u201cprisoners\u201d file, not seizures"),
    "nonsense": (b"colour,size\r\nred,3\r\n", "is not a seizures file: its header lacks"),
}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    estate_with_liaisons(store)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_whole_file_problem_is_said_with_the_form_again(
        client: TestClient, store: Store, settings: Settings, case: str) -> None:
    body, said = CASES[case]
    sign_in(client, "hei_supervisor")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ingest").text)
    assert csrf is not None
    page = client.post("/ingest", data={"kind": "seizures", "csrf_token": csrf[1]},
                       files={"file": (f"{case}.csv", body, "text/csv")})
    assert page.status_code == 422
    assert said in page.text
    assert f"{case}.csv" in page.text  # the file as the user named it
    assert "Ingested" not in page.text
    assert 'id="file-error"' in page.text
    assert 'value="seizures" selected' in page.text
    assert str(settings.home) not in page.text
    assert "cellwatch-upload-" not in page.text
    with store.session() as s:  # nothing was stored: no batch
        assert s.scalar(select(func.count()).select_from(IngestBatch)) == 0


def test_a_good_file_still_goes_in(client: TestClient) -> None:
    sign_in(client, "hei_supervisor")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ingest").text)
    assert csrf is not None
    page = client.post("/ingest", data={"kind": "seizures", "csrf_token": csrf[1]},
                       files={"file": ("good.csv", (HEADER + ROW).encode(), "text/csv")})
    assert page.status_code == 200
    assert "Ingested" in page.text


@hsettings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet="abcXYZ019 -:", min_size=1, max_size=8),
                              min_size=5, max_size=5), min_size=0, max_size=4),
       separator=st.sampled_from([";", "\t", "|"]))
def test_any_file_in_utf16_or_another_separator_is_named_so(
        tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]],
        separator: str) -> None:
    folder = tmp_path_factory.mktemp("checks")
    text = HEADER + "".join(",".join(r) + "\r\n" for r in rows)
    utf16 = Path(folder, "a.csv")
    utf16.write_bytes(text.encode("utf-16"))
    assert "UTF-16" in (problem(utf16, "a.csv", "seizures") or "")
    other = Path(folder, "b.csv")
    other.write_text(text.replace(",", separator), encoding="utf-8")
    assert "separated by" in (problem(other, "b.csv", "seizures") or "")
    comma = Path(folder, "c.csv")
    comma.write_text(text, encoding="utf-8")
    assert problem(comma, "c.csv", "seizures") == (
        None if rows else "c.csv has a header but no rows: nothing to ingest.")
