"""A zip of files to ingest, unpacked safely into a folder of our own.

A zip comes from outside (a partner's delivery, a web upload), so nothing in it is
trusted: the whole archive is refused, before a byte is written, when a member's name
leaves the folder (``../x``, ``/etc/x``, ``C:\\x``), is a link, is encrypted, is itself a
zip, or when there are too many members or their declared uncompressed sizes exceed the
limits; while unpacking, a member that inflates past its declared size (a lying header,
the classic zip bomb) stops the unpacking and refuses the archive too.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cellwatch.errors import MalformedFile

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How much one archive may hold: members, bytes per member, bytes in all."""

    max_members: int = 500
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    # A text export compresses perhaps 10-20x; 200x is a bomb, whatever the sizes say.
    max_ratio: int = 200


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a zip archive (by its first bytes, not its name)."""
    with path.open("rb") as handle:
        return handle.read(4) == ZIP_MAGIC


def _member_path(name: str, archive: str) -> PurePosixPath:
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if clean.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise MalformedFile(archive, f"it holds a path outside its folder ({name!r}); "
                            "nothing in it was ingested")
    return PurePosixPath(*[p for p in parts if p not in ("", ".")])


def _check_member(info: zipfile.ZipInfo, archive: str, limits: ZipLimits) -> None:
    name = info.filename
    if info.flag_bits & 0x1:
        raise MalformedFile(archive, f"{name} is encrypted; send the files unencrypted")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise MalformedFile(archive, f"{name} is a link; a delivery holds files only")
    if name.lower().endswith(".zip"):
        raise MalformedFile(archive, f"{name} is a zip inside the zip; nested archives "
                            "are not opened: unpack it and send its files")
    if info.file_size > limits.max_member_bytes:
        raise MalformedFile(archive, f"{name} unpacks to {info.file_size:,} bytes, over the "
                            f"{limits.max_member_bytes:,} allowed for one file")
    if info.compress_size and info.file_size > limits.max_ratio * info.compress_size \
            and info.file_size > CHUNK:
        raise MalformedFile(archive, f"{name} would unpack to {info.file_size:,} bytes from "
                            f"{info.compress_size:,}: refused as a zip bomb")


def unpack_zip(path: Path, into: Path, name: str | None = None,
               limits: ZipLimits | None = None) -> list[Path]:
    """Unpack the zip ``path`` (called ``name`` to the user) into the empty folder ``into``.

    Returns the files written. Raises :class:`MalformedFile` naming the archive and the
    member for anything hostile (see the module); nothing is left half-trusted: the
    caller owns ``into`` and removes it.
    """
    label = name or path.name
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise MalformedFile(label, f"it is not a zip that can be read ({exc})") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_members:
            raise MalformedFile(label, f"it holds {len(members):,} files, over the "
                                f"{limits.max_members:,} allowed")
        declared = 0
        targets = []
        for info in members:
            _check_member(info, label, limits)
            declared += info.file_size
            targets.append((info, _member_path(info.filename, label)))
        if declared > limits.max_total_bytes:
            raise MalformedFile(label, f"it unpacks to {declared:,} bytes, over the "
                                f"{limits.max_total_bytes:,} allowed")
        return [_extract(archive, info, relative, into, label) for info, relative in targets]


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, relative: PurePosixPath,
             into: Path, label: str) -> Path:
    target = into.joinpath(*relative.parts)
    # Belt and braces: whatever the name check missed, the resolved path stays inside.
    if not target.resolve().is_relative_to(into.resolve()):
        raise MalformedFile(label, f"it holds a path outside its folder ({info.filename!r})")
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                # The header's size is the sender's word; the bytes are counted as they come.
                if written > info.file_size:
                    raise MalformedFile(label, f"{info.filename} unpacks to more than the "
                                        f"{info.file_size:,} bytes it declares: refused as "
                                        "a zip bomb")
                if written == len(chunk) and chunk.startswith(ZIP_MAGIC):
                    raise MalformedFile(label, f"{info.filename} is a zip inside the zip; "
                                        "nested archives are not opened")
                out.write(chunk)
    except MalformedFile:
        target.unlink(missing_ok=True)
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        # A CRC that fails is a header lying about the contents (or a damaged archive).
        if target.is_file():
            target.unlink()
        raise MalformedFile(label, f"{info.filename} cannot be unpacked ({exc})") from None
    return target
