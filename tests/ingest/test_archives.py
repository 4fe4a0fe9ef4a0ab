"""A zip from outside is unpacked only when nothing in it is hostile: paths that leave
the folder, links, nested zips, too many members, and bombs (by the sizes declared, by
the ratio, and by a header that lies about the size) refuse the whole archive."""

from __future__ import annotations

import contextlib
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cellwatch.errors import MalformedFile
from cellwatch.ingest.service.archives import ZipLimits, is_zip, unpack_zip

CSV = b"code,name\nHEI,Hewell\n"


def _zip(path: Path, members: dict[str, bytes],
         method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refused(path: Path, into: Path, limits: ZipLimits | None = None) -> str:
    with pytest.raises(MalformedFile) as caught:
        unpack_zip(path, into, "delivery.zip", limits)
    assert caught.value.path == "delivery.zip"  # the name the user knows, no server path
    return caught.value.reason


def test_a_plain_zip_unpacks_into_its_folder(tmp_path: Path) -> None:
    into = tmp_path / "out"
    into.mkdir()
    written = unpack_zip(_zip(tmp_path / "a.zip", {"a/establishments.csv": CSV,
                                                   "b.csv": CSV}), into)
    assert sorted(p.relative_to(into).as_posix() for p in written) == [
        "a/establishments.csv", "b.csv"]
    assert (into / "a" / "establishments.csv").read_bytes() == CSV
    assert is_zip(tmp_path / "a.zip")
    assert not is_zip(into / "b.csv")


@pytest.mark.parametrize("name", ["../x.csv", "a/../../x.csv", "/etc/x.csv",
                                  "..\\x.csv", "C:/x.csv"])
def test_a_path_outside_the_folder_refuses_the_archive(tmp_path: Path, name: str) -> None:
    into = tmp_path / "deep" / "out"
    into.mkdir(parents=True)
    reason = _refused(_zip(tmp_path / "t.zip", {"ok.csv": CSV, name: CSV}), into)
    assert "path outside its folder" in reason
    assert list(into.iterdir()) == []  # decided before a byte was written
    assert not (tmp_path / "deep" / "x.csv").exists()


def test_a_nested_zip_is_not_opened(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"x.csv": CSV}).read_bytes()
    assert "nested" in _refused(_zip(tmp_path / "n.zip", {"inner.zip": inner}), tmp_path)
    # Renamed, it is still a zip by its bytes.
    out = tmp_path / "out"
    out.mkdir()
    assert "zip inside the zip" in _refused(
        _zip(tmp_path / "m.zip", {"data.csv": inner}, zipfile.ZIP_STORED), out)


def test_a_bomb_is_refused_by_its_ratio_and_by_its_declared_size(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "b.zip", {"detections.csv": b"0" * (50 * 1024 * 1024)})
    assert bomb.stat().st_size < 200 * 1024
    assert "zip bomb" in _refused(bomb, tmp_path)
    many = _zip(tmp_path / "m.zip", {f"f{i}.csv": CSV * 100 for i in range(5)})
    small = ZipLimits(max_total_bytes=len(CSV) * 300)
    assert "over the" in _refused(many, tmp_path, small)
    assert "over the" in _refused(many, tmp_path, ZipLimits(max_member_bytes=len(CSV) * 50))
    assert "holds 5 files" in _refused(many, tmp_path, ZipLimits(max_members=4))


def test_a_header_that_lies_about_the_size_is_refused(tmp_path: Path) -> None:
    real = b"prison_number,surname\n" + b"A1234BC,SMITH\n" * 5000
    path = _zip(tmp_path / "lie.zip", {"prisoners.csv": real})
    data = bytearray(path.read_bytes())
    # Declare 100 bytes in the local header (offset 22) and the central directory (24).
    data[22:26] = struct.pack("<I", 100)
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 100)
    path.write_bytes(bytes(data))
    into = tmp_path / "out"
    into.mkdir()
    # zipfile reads no more than the declared 100 bytes, then the CRC gives the lie away.
    assert "cannot be unpacked (Bad CRC-32" in _refused(path, into)
    assert list(into.iterdir()) == []  # the part written is not left behind


def test_a_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("prisoners.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert "is a link" in _refused(path, tmp_path)


def test_not_a_zip_says_so(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 but nothing else")
    assert "not a zip that can be read" in _refused(path, tmp_path)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ab./\\:", min_size=1, max_size=12), min_size=1,
                max_size=4, unique=True))
def test_nothing_is_ever_written_outside_the_folder(names: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        into = root / "a" / "b"
        into.mkdir(parents=True)
        path = root / "h.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name in names:
                archive.writestr(name, CSV)
        with contextlib.suppress(MalformedFile):
            unpack_zip(path, into)
        outside = [p for p in root.rglob("*") if p.is_file() and p != path
                   and not p.resolve().is_relative_to(into.resolve())]
        assert outside == []
