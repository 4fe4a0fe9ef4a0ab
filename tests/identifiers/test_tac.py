"""The bundled Osmocom TAC database and its licence."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cellwatch.identifiers import lookup_tac

DATA = resources.files("cellwatch.identifiers").joinpath("data")
SHARED = Path("/work/shared/data/osmocom-tacdb.csv")


def test_lookup() -> None:
    assert lookup_tac("35675904") == ("Oppo", "N1")
    assert lookup_tac("35-675904") == ("Oppo", "N1")
    assert lookup_tac("356759040000015") == ("Oppo", "N1")  # a whole IMEI is cut to its TAC
    assert lookup_tac("12345678") is None
    assert lookup_tac("3567") is None


def test_rows_with_a_leading_space_are_found() -> None:
    assert lookup_tac("35572302") == ("Nokia", "3120 classic")


def test_bundled_file_keeps_its_licence_line_and_header() -> None:
    lines = DATA.joinpath("osmocom-tacdb.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Osmocom TAC database under CC-BY-SA v3.0 (c) Harald Welte 2016"
    assert lines[1].startswith("tac,name,name")
    licence = DATA.joinpath("LICENSE-tacdb.txt").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in licence
    assert "Harald Welte" in licence


def test_bundled_file_is_unchanged_from_the_shared_copy() -> None:
    if not SHARED.exists():
        return  # outside the project's workspace there is nothing to compare with
    assert DATA.joinpath("osmocom-tacdb.csv").read_bytes() == SHARED.read_bytes()
