"""The page bench's command line: an option is never taken for the folder it builds in."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwatch.bench.pages import main


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["-h"], 0), (["--bogus"], 2)])
def test_options_build_nothing(argv: list[str], code: int, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    assert list(tmp_path.iterdir()) == []  # no "--help/" estate left behind
    said = capsys.readouterr()
    assert "usage" in said.out + said.err
