"""``cellwatch identify``: the identifier, then what the store knows (as the system principal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cellwatch.cli import main


def test_identify_prints_what_it_is_and_what_is_known(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CELLWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CELLWATCH_DATABASE_URL", raising=False)
    allow = tmp_path / "allow.csv"
    allow.write_text("identifier,reason\r\n07700 900123,STAFF\r\n0116 120 2275,PRIVILEGED\r\n",
                     encoding="utf-8")
    assert main(["ingest", "allow_list", str(allow)]) == 0
    capsys.readouterr()
    assert main(["identify", "07700 900123"]) == 0
    out = capsys.readouterr().out
    assert "+447700900123" in out
    assert "allow-listed: STAFF" in out
    assert main(["identify", "01161202275", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["privileged"] is True
    assert "seizures" not in doc
    assert main(["identify", "12345678901234567"]) == 2
