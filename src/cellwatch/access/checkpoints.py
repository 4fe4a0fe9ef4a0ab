"""Signed checkpoints of the audit chain, kept outside the database.

A keyed hash chain stops anyone without the key from rewriting rows, but not from
deleting the newest ones: the rows left still chain. So after every transaction that
appended to the log, its newest row's id and hash are signed (HMAC-SHA256 with the
audit key) and appended as one line to a file in the checkpoint folder
(``audit-YYYY-MM-DD.jsonl``), which the database cannot reach. ``audit verify`` then
checks every checkpoint: each must be signed with the key and name a row that exists
with that very hash. Removing rows, or rewriting and re-hashing them, breaks that.

The folder should be append-only to the service account (``chattr +a`` on Linux, or a
log shipper copying lines off the host); docs/operations.md says how.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cellwatch.errors import ForgedCheckpoint

PREFIX = "audit-"


@dataclass(frozen=True)
class Checkpoint:
    """One signed line: the chain's newest row (id and hash) when a transaction committed."""

    id: int
    hash: str
    ts: str
    where: str  # file and line, for messages


def _signature(key: bytes, row_id: int, row_hash: str, ts: str) -> str:
    return hmac.new(key, f"{row_id}:{row_hash}:{ts}".encode(), hashlib.sha256).hexdigest()


def write(folder: Path, key: bytes, row_id: int, row_hash: str) -> None:
    """Append a signed checkpoint of row ``row_id`` to today's file in ``folder``."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ts = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = json.dumps({"id": row_id, "hash": row_hash, "ts": ts,
                       "sig": _signature(key, row_id, row_hash, ts)}, separators=(",", ":"))
    path = folder / f"{PREFIX}{now:%Y-%m-%d}.jsonl"
    # One write() of one short line with O_APPEND: lines of concurrent writers never mix.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read(folder: Path, key: bytes) -> Iterator[Checkpoint]:
    """Every checkpoint in ``folder``; raises :class:`ForgedCheckpoint` at a bad one."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob(f"{PREFIX}*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                where = f"{path.name} line {number}"
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    row_id, row_hash, ts, sig = (int(doc["id"]), str(doc["hash"]),
                                                 str(doc["ts"]), str(doc["sig"]))
                except (ValueError, KeyError, TypeError) as exc:
                    raise ForgedCheckpoint(f"checkpoint {where} cannot be read") from exc
                if not hmac.compare_digest(sig, _signature(key, row_id, row_hash, ts)):
                    raise ForgedCheckpoint(f"checkpoint {where} is not signed with the audit key")
                yield Checkpoint(row_id, row_hash, ts, where)
