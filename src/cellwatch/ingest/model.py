"""The value types of ingest: a sniffed file, a row's problem, a summary, a quarantined row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

FileFormat = Literal["csv", "jsonl", "parquet", "xml"]


@dataclass(frozen=True)
class SourceFile:
    """A file that passed :func:`~cellwatch.ingest.sniff.sniff`: usable as a whole.

    ``header`` holds the column names lower-cased and stripped, in file order (for
    JSON Lines: every key seen, in first-seen order); ``rows`` counts the records.
    """

    path: Path
    format: FileFormat
    sha256: str
    size: int
    header: tuple[str, ...]
    rows: int
    bom: bool = False

    @property
    def name(self) -> str:
        """The file name as recorded in batches and quarantine."""
        return str(self.path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: the field (None for the row as a whole) and why."""

    field: str | None
    reason: str

    @property
    def key(self) -> str:
        """The reason as counted in summaries: ``field: reason``."""
        return f"{self.field}: {self.reason}" if self.field else self.reason

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form, as kept in the quarantine's ``problems`` column."""
        return {"field": self.field or "", "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Problem:
        """Inverse of :meth:`to_dict`."""
        return cls(data.get("field") or None, data["reason"])


@dataclass(frozen=True)
class RawRow:
    """A record as read from a file: its line, its values by lower-cased column name.

    Values are stripped strings (JSON scalars are kept as they came) with empty = None;
    ``problems`` are those found while reading (e.g. a wrong number of fields).
    """

    line: int
    values: dict[str, Any]
    problems: tuple[Problem, ...] = ()


@dataclass
class IngestSummary:
    """What one ingest (or retry) did, as printed by the CLI and returned by the API."""

    kind: str
    file: str
    batch_id: int | None = None
    read: int = 0
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)
    # True when the very same file (same sha256) had already been ingested completely.
    already_ingested: bool = False

    def add_problems(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        """Count one quarantined row and each of its reasons."""
        self.quarantined += 1
        for problem in problems:
            self.reasons[problem.key] = self.reasons.get(problem.key, 0) + 1

    def flag(self, name: str, count: int = 1) -> None:
        """Count a row stored with a flag (e.g. an ambiguous local time)."""
        self.flagged[name] = self.flagged.get(name, 0) + count

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class QuarantineItem:
    """A quarantined row handed to :meth:`KindHandler.retry`: its id, origin and raw values."""

    id: int
    batch_id: int
    file: str
    line: int
    raw: dict[str, Any]


@dataclass
class RetryResult:
    """What a handler's retry did: a summary, the rows that went in, the rows still failing."""

    summary: IngestSummary
    resolved: list[int] = field(default_factory=list)
    failed: dict[int, list[Problem]] = field(default_factory=dict)
