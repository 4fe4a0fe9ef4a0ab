"""The ingest, quarantine, status and init commands: exit codes and JSON documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cellwatch.cli import main
from cellwatch.settings import Settings


@pytest.fixture
def run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Run the CLI against this test's store; return (exit code, parsed JSON or stdout)."""
    monkeypatch.setenv("CELLWATCH_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("CELLWATCH_DATABASE_URL", settings.database_url)
    # The local administrator: loading reference data (sensors) is its work, and a name that
    # is no active user is refused (test_cli_ingest_access.py).
    monkeypatch.setenv("CELLWATCH_PRINCIPAL", "system")

    def invoke(*argv: str) -> tuple[int, Any]:
        code = main(list(argv))
        out = capsys.readouterr().out
        return code, json.loads(out) if "--json" in argv else out

    return invoke


SENSORS = "sensor_id,establishment,kind\nS1,HEI,RF_DETECTOR\nS2,NOP,RF_DETECTOR\nS3,HEI,laser\n"


def test_init_loads_the_prison_register_once(run: Any) -> None:
    code, first = run("init", "--json")
    assert code == 0
    # The register's STC2, STC3 and ZZGHI are not HMPPS establishment codes: left out.
    assert first["establishments"]["accepted"] == 170
    assert first["establishments"]["flagged"] == {"not_an_establishment_code": 3}
    code, again = run("init", "--json")
    assert code == 0
    assert again["establishments"]["already_ingested"]
    code, status = run("status", "--json")
    assert status["totals"]["establishments"] == 170
    assert status["establishments"]["HEI"]["name"] == "Hewell (HMP)"


def test_ingest_quarantine_fix_retry_status(run: Any, tmp_path: Path) -> None:
    run("init")
    path = tmp_path / "sensors.csv"
    path.write_text(SENSORS)
    code, doc = run("ingest", "sensors", str(path), "--json")
    assert code == 1
    assert (doc["read"], doc["accepted"], doc["duplicates"], doc["quarantined"]) == (3, 1, 0, 2)
    assert doc["reasons"] == {
        "establishment: unknown establishment": 1,
        "kind: not one of RF_DETECTOR, MANAGED_ACCESS, HANDHELD": 1,
    }
    code, again = run("ingest", "sensors", str(path), "--json")
    assert (code, again["duplicates"], again["files"][0]["already_ingested"]) == (0, 3, True)

    code, listed = run("quarantine", "list", "--kind", "sensors", "--json")
    assert listed["count"] == 2
    first, second = (row["id"] for row in listed["rows"])
    code, shown = run("quarantine", "show", str(first), "--json")
    assert shown["raw"]["establishment"] == "NOP"
    assert run("quarantine", "fix", str(first), "establishment=HEI")[0] == 0
    code, retried = run("quarantine", "retry", str(first), "--json")
    assert (code, retried["accepted"], retried["quarantined"]) == (0, 1, 0)
    code, _ = run("quarantine", "discard", str(second), "--reason", "vendor test row")
    assert code == 0
    assert run("quarantine", "list", "--json")[1]["count"] == 0

    code, status = run("status", "--json")
    assert status["establishments"]["HEI"]["sensors"] == 2
    assert status["kinds"]["sensors"]["quarantined_open"] == 0
    assert status["kinds"]["sensors"]["batches"] == 2  # the file and the retry
    assert "lake" in status


def test_several_files_and_a_malformed_one(run: Any, tmp_path: Path) -> None:
    run("init")
    good = tmp_path / "a.jsonl"
    good.write_text('{"sensor_id": "S9", "establishment": "hei", "kind": "handheld"}\n')
    bad = tmp_path / "b.csv"
    bad.write_bytes(b"")
    code, doc = run("ingest", "sensors", str(good), str(bad), "--json")
    assert code == 2
    assert doc["accepted"] == 1
    assert [f["file"] for f in doc["files"]] == [str(good)]
    assert doc["errors"] == [{"file": str(bad), "line": None, "reason": "empty file (0 bytes)"}]


def test_unusable_input_exit_2(run: Any, tmp_path: Path) -> None:
    assert run("ingest", "gadgets", str(tmp_path / "x.csv"))[0] == 2
    path = tmp_path / "x.csv"
    path.write_text("sensor_id\nS1\n")
    assert run("ingest", "call-records-nope", str(path))[0] == 2
    assert run("ingest", "sensors", str(path))[0] == 2  # required columns missing
    assert run("quarantine", "show", "12345")[0] == 1
