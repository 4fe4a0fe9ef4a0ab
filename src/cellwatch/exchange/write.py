"""Write exports to files atomically: a refused or failed export leaves no file behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from cellwatch.access.service import Access
from cellwatch.exchange.collect import ExchangeData, ExportScope, collect
from cellwatch.exchange.service import atomically


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    path: Path
    persons: int
    attributions: int
    intelligence: int
    objects: int


def _atomic(out: Path, write: Callable[[TextIO], int]) -> int:
    def to(path: Path) -> int:
        with path.open("w", encoding="utf-8") as fh:
            return write(fh)

    return atomically(out, to)


def _summary(out: Path, data: ExchangeData, objects: int) -> ExportSummary:
    return ExportSummary(out, len(data.persons), len(data.attributions),
                         len(data.intelligence), objects)


def export_stix(access: Access, out: Path, scope: ExportScope = ExportScope(),
                reason: str = "", now: datetime | None = None) -> ExportSummary:
    """Write a STIX 2.1 bundle of what the principal may share.

    >>> # export_stix(access, Path("share.json"), ExportScope(establishment="HEI"), "op X")
    """
    from cellwatch.exchange.stix import build_bundle

    data = collect(access, scope, reason, "stix", out.name)
    bundle = build_bundle(data, now or datetime.now(UTC))

    def write(fh: TextIO) -> int:
        fh.write(bundle.serialize(pretty=True))
        fh.write("\n")
        return len(bundle.objects)

    return _summary(out, data, _atomic(out, write))


def export_ftm(access: Access, out: Path, scope: ExportScope = ExportScope(
        include_intelligence=False), reason: str = "") -> ExportSummary:
    """Write FollowTheMoney entities as JSON lines (one entity per line)."""
    from cellwatch.exchange.ftm import entities

    data = collect(access, scope, reason, "ftm", out.name)

    def write(fh: TextIO) -> int:
        n = 0
        for entity in entities(data):
            fh.write(json.dumps(entity.to_dict(), sort_keys=True, ensure_ascii=False))
            fh.write("\n")
            n += 1
        return n

    return _summary(out, data, _atomic(out, write))
