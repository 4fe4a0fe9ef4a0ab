"""Write exports to files atomically and audit them once written.

An export is audited as ``export ... allowed`` only when its file is complete (written
to ``FILE.partial``, audited, then moved into place); an export that fails while being
written is audited as ``failed`` with the error and leaves no file behind. A refusal is
audited where it happens (by :class:`~cellwatch.access.service.Access`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from cellwatch.access import audit as audit_log
from cellwatch.access.policy import Target
from cellwatch.access.roles import Resource
from cellwatch.access.service import Access
from cellwatch.exchange.rows import ExchangeData, ExportScope, audit_detail
from cellwatch.exchange.service.collect import collect
from cellwatch.exchange.service.exports import atomically

# The scope the shells build (re-exported: the shells import only the service).
__all__ = ["ExportScope", "ExportSummary", "export_ftm", "export_misp", "export_stix",
           "text_file", "written_audited"]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    path: Path
    persons: int
    attributions: int
    intelligence: int
    objects: int


def written_audited(access: Access, out: Path, fmt: str, data: ExchangeData, reason: str,
                    write: Callable[[Path], int]) -> ExportSummary:
    """``write(path) -> objects`` the export to ``out`` atomically, audited when written."""
    target = Target(Resource.PRISONER)
    detail = audit_detail(data, fmt, out.name)

    def audited(path: Path) -> int:
        try:
            n = write(path)
        except Exception as exc:
            audit_log.append_now(access.store, audit_log.AuditEvent(
                principal=access.principal.username, org=access.principal.org_code,
                action="export", resource_type=str(target.type), resource_id=None,
                outcome="failed", reason=reason or None,
                detail={**detail, "error": f"{type(exc).__name__}: {exc}"}))
            raise
        with access.transaction() as s:
            access.audit(s, "export", target, reason=reason or None,
                         detail={**detail, "objects": n})
        return n

    objects = atomically(out, audited)
    return ExportSummary(out, len(data.persons), len(data.attributions),
                         len(data.intelligence), objects)


def text_file(write: Callable[[TextIO], int]) -> Callable[[Path], int]:
    """Adapt a writer of an open UTF-8 text file to one of a path."""
    def to(path: Path) -> int:
        with path.open("w", encoding="utf-8", newline="") as fh:
            return write(fh)

    return to


def export_stix(access: Access, out: Path, scope: ExportScope = ExportScope(),
                reason: str = "", now: datetime | None = None) -> ExportSummary:
    """Write a STIX 2.1 bundle of what the principal may share.

    >>> # export_stix(access, Path("share.json"), ExportScope(establishment="HEI"), "op X")
    """
    from cellwatch.exchange.stix import build_bundle

    data = collect(access, scope, reason)

    def write(fh: TextIO) -> int:
        bundle = build_bundle(data, now or datetime.now(UTC))
        # Compact: the library's pretty printer is quadratic in the number of objects.
        fh.write(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n")
        return len(bundle["objects"])

    return written_audited(access, out, "stix", data, reason, text_file(write))


def export_misp(access: Access, out: Path, scope: ExportScope = ExportScope(),
                reason: str = "", now: datetime | None = None) -> ExportSummary:
    """Write one MISP event (MISP's JSON) of what the principal may share."""
    from cellwatch.exchange.misp import build_event

    data = collect(access, scope, reason)

    def write(fh: TextIO) -> int:
        event = build_event(data, now or datetime.now(UTC))
        # MISP's import format wraps the event: {"Event": {...}}.
        fh.write('{"Event":' + event.to_json(sort_keys=True) + "}")
        fh.write("\n")
        return len(event.objects)

    return written_audited(access, out, "misp", data, reason, text_file(write))


def export_ftm(access: Access, out: Path, scope: ExportScope = ExportScope(
        include_intelligence=False), reason: str = "") -> ExportSummary:
    """Write FollowTheMoney entities as JSON lines (one entity per line)."""
    from cellwatch.exchange.ftm import entities

    data = collect(access, scope, reason)

    def write(fh: TextIO) -> int:
        n = 0
        for entity in entities(data):
            fh.write(json.dumps(entity.to_dict(), sort_keys=True, ensure_ascii=False))
            fh.write("\n")
            n += 1
        return n

    return written_audited(access, out, "ftm", data, reason, text_file(write))
