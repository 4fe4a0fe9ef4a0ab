"""Issue 16, item 6: ``cellwatch ingest DIR`` (or a zip) loads a folder ``cellwatch
simulate`` writes or a partner delivers, each file's kind recognised by manifest, name or
header, reference data first; unknown files and kinds the user may not load are refused
with their reason, the others go in."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from cellwatch.ingest.service.folders import ORDER
from cellwatch.simulate import scenario_from_mapping, simulate
from cellwatch.store import IngestBatch, Prisoner, SeizureItem, Store

Run = Callable[..., tuple[int, str, str]]  # the ``run`` fixture of conftest


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = scenario_from_mapping({
        "run": {"days": 6, "chunk_days": 3, "rows_per_part": 1000, "messy_formats": False},
        "estate": {"establishments": 1, "codes": ["HEI"], "capacity_scale": 0.08},
        "corruption": {"rate": 0.0}})
    return simulate(scenario, 5, tmp_path_factory.mktemp("sim") / "out", progress=False).out_dir


def _kinds_in_order(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(IngestBatch.kind).order_by(IngestBatch.id)))


def test_a_simulated_folder_goes_in_whole_in_dependency_order(
        run: Run, store: Store, simulated: Path) -> None:
    manifest = json.loads((simulated / "manifest.json").read_text(encoding="utf-8"))
    code, out, err = run("system", "ingest", str(simulated), "--json")
    document = json.loads(out)
    assert document["refused"] == [], err
    assert code in (0, 1)
    loaded = [(f["file"], f["kind"], f["by"]) for f in document["files"]]
    assert sorted(loaded) == sorted((f["path"], f["kind"], "manifest")
                                    for f in manifest["files"])
    kinds = _kinds_in_order(store)
    assert kinds == sorted(kinds, key=ORDER.index)
    assert kinds.index("establishments") < kinds.index("detections") < kinds.index("seizures")
    # The ground truth is left out, and said so, file by file.
    truth = {f["path"] for f in manifest["truth"]}
    assert truth <= {f["file"] for f in document["left_out"]}
    assert document["accepted"] > 0
    # The same folder again: every file already in, nothing new.
    code, out, _ = run("system", "ingest", str(simulated), "--json")
    assert all(f["already_ingested"] for f in json.loads(out)["files"])


def test_a_partner_folder_is_recognised_by_name_and_header(
        run: Run, store: Store, simulated: Path, tmp_path: Path) -> None:
    folder = tmp_path / "delivery"
    folder.mkdir()
    shutil.copy(simulated / "establishments.csv", folder / "establishments_2026.csv")
    shutil.copy(simulated / "prisoners.csv", folder / "export-0001.csv")  # by header
    shutil.copy(simulated / "occupancy.csv", folder / "occupancy.csv")
    (folder / "colours.csv").write_text("colour,size\nred,3\n", encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    code, out, _ = run("system", "ingest", str(folder), "--json")
    document = json.loads(out)
    assert code == 2  # files were refused: said, not skipped
    assert [(f["file"], f["by"]) for f in document["files"]] == [
        ("establishments_2026.csv", "name"), ("export-0001.csv", "header"),
        ("occupancy.csv", "name")]
    refused = {r["file"]: r["reason"] for r in document["refused"]}
    assert set(refused) == {"colours.csv", "notes.pdf"}
    assert "header has no kind's required columns" in refused["colours.csv"]
    assert _kinds_in_order(store) == ["establishments", "prisoners", "occupancy"]


def test_a_kind_the_user_may_not_load_is_refused_and_the_rest_goes_in(
        run: Run, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "prisoners.csv").write_text(
        "prison_number,surname,forenames,establishment\nB1234CD,NEW,ARRIVAL,HEI\n",
        encoding="utf-8")
    (folder / "seizures.csv").write_text(
        "seizure_ref,item_no,ts,establishment,item_type\nSZ-F,1,2026-03-01T10:00:00Z,HEI,"
        "HANDSET\n", encoding="utf-8")
    code, out, _ = run("hei_supervisor", "ingest", str(folder), "--json")
    document = json.loads(out)
    assert code == 2
    assert [f["file"] for f in document["files"]] == ["seizures.csv"]
    assert document["refused"] == [{"file": "prisoners.csv", "kind": "prisoners",
                                    "reason": "you may not load prisoners files; someone "
                                              "who may must load it"}]
    with store.session() as s:
        assert s.get(Prisoner, "B1234CD") is None
        assert s.scalars(select(SeizureItem)).first() is not None


def test_a_zip_goes_in_as_its_folder_would_and_a_hostile_one_changes_nothing(
        run: Run, store: Store, simulated: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("establishments.csv", "locations.csv", "prisoners.csv"):
            archive.write(simulated / name, f"delivery/{name}")
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("prisoners.csv", (simulated / "prisoners.csv").read_bytes())
        archive.writestr("../escape.csv", "code,name\nXXX,Nowhere\n")
    code, out, _ = run("system", "ingest", str(hostile), "--json")
    assert code == 2
    assert "path outside its folder" in json.loads(out)["error"]
    assert _kinds_in_order(store) == []
    assert not (tmp_path.parent / "escape.csv").exists()
    code, out, _ = run("system", "ingest", str(good), "--json")
    assert code in (0, 1)
    assert [f["file"] for f in json.loads(out)["files"]] == [
        "delivery/establishments.csv", "delivery/locations.csv", "delivery/prisoners.csv"]
    with store.session() as s:
        names = set(s.scalars(select(IngestBatch.file_name)))
    assert names == {"delivery/establishments.csv", "delivery/locations.csv",
                     "delivery/prisoners.csv"}  # never the server's scratch folder


def test_a_name_that_is_neither_a_folder_nor_a_zip_says_so(run: Run, tmp_path: Path) -> None:
    code, _, err = run("system", "ingest", str(tmp_path / "missing"))
    assert code == 2
    assert "is not a folder or a zip" in " ".join(err.split())
    (tmp_path / "empty" / ".git").mkdir(parents=True)
    (tmp_path / "empty" / ".DS_Store").write_bytes(b"\0")
    code, out, _ = run("system", "ingest", str(tmp_path / "empty"), "--json")
    assert code == 2
    assert "holds no file to ingest" in json.loads(out)["error"]
