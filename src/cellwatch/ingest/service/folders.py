"""A folder of files (or a zip, or several uploaded files) ingested in one go.

``cellwatch ingest DIR`` and the web's upload of several files or a zip both call
:func:`plan_files` and :func:`ingest_plan`, so the rules live here once:

* **kind**: a ``manifest.json`` beside the files (``cellwatch simulate`` writes one)
  names each file's kind, and its ground-truth files are left out, saying so; other files
  are recognised by name (``prisoners.csv``, ``call_records-2026-09.csv``, a file in a
  ``detections/`` folder, a UFDR ``report.xml``), then by header (the one kind whose
  required columns the header holds). A file of no kind, or of two, is
  refused with its reason, never skipped silently;
* **order**: reference data before what refers to it (establishments, locations,
  sensors, prisoners, ... before detections, PIN lists, call records, seizures,
  extractions), so that no row is quarantined for a reference that arrives later;
* **access**: each file's kind is decided as a single upload's is
  (:func:`~cellwatch.ingest.service.uploads.check_ingest`, a refusal audited); a file the
  principal may not load is refused with its reason and the others go in;
* each file is audited as an upload is and the post-ingest hook runs once at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update

from cellwatch.access.service import Access
from cellwatch.alerts.detect.run import run_after_ingest
from cellwatch.errors import Denied, IngestError, InvalidData, MalformedFile
from cellwatch.ingest.batches import IngestContext
from cellwatch.ingest.model import IngestSummary
from cellwatch.ingest.registry import canonical_kind, handlers, ingest_file, kind_names
from cellwatch.ingest.service.archives import ZipLimits, is_zip, unpack_zip
from cellwatch.ingest.service.uploads import audit_ingest, check_ingest
from cellwatch.ingest.sniff import normalise_column
from cellwatch.settings import Settings
from cellwatch.store import IngestBatch, QuarantinedRow

MANIFEST = "manifest.json"
# Reference data first, then what refers to it; a kind not listed goes last.
ORDER = ("establishments", "locations", "sensors", "prisoners", "occupancy", "allow_list",
         "pin_contacts", "protected_persons", "protected_identifiers", "detections",
         "call_records", "seizures", "extractions", "intelligence_reports",
         "social_observations", "contact_reports", "operator_responses")
# Kinds whose handler carries no specification: the columns that name them.
HEADERS = {
    "detections": ("ts", "sensor_id"),
    "call_records": ("operator", "record_type", "start_ts", "direction"),
    "operator_responses": ("order_ref", "identifier", "outcome", "actioned_ts"),
    "extractions": ("record", "imei", "imsi", "iccid", "msisdn"),
}
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
HEAD_BYTES = 64 * 1024

# A check a shell runs on each file before it is ingested (path, name, kind) -> a problem.
Check = Callable[[Path, str, str], "str | None"]
Progress = Callable[["Planned", int, int], None]


@dataclass(frozen=True)
class Planned:
    """A file to ingest: where it is, its name as the user knows it, its kind and why."""

    path: Path
    name: str
    kind: str
    by: str  # "manifest", "name", "header" or "chosen"


@dataclass(frozen=True)
class Refused:
    """A file not ingested, and why (in words, naming the file as the user knows it)."""

    name: str
    reason: str
    kind: str | None = None


@dataclass
class Plan:
    """The files of a folder in the order they go in, the refused and the left-out ones."""

    files: list[Planned] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    left_out: list[Refused] = field(default_factory=list)


@dataclass
class FolderResult:
    """What a folder's ingest did: per file a summary, the refused files, the alerts."""

    plan: Plan
    loaded: list[tuple[Planned, IngestSummary]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    alerts_raised: int = 0


def required_columns() -> dict[str, tuple[str, ...]]:
    """Each kind's required columns: its specification's, else :data:`HEADERS`."""
    found: dict[str, tuple[str, ...]] = {}
    for name, handler in handlers().items():
        spec = getattr(handler, "spec", None)
        required = tuple(getattr(spec, "required", ()) or HEADERS.get(name, ()))
        if required:
            found[name] = required
    return found


def kind_by_name(relative: str) -> str | None:
    """The kind a file's name (or its folder's) says, or None."""
    path = Path(relative)
    if path.name.lower() == "report.xml":
        return "extractions"
    kinds = sorted(kind_names(), key=len, reverse=True)
    for label in (path.stem, *(p for p in reversed(path.parent.parts))):
        text = canonical_kind(label)
        for kind in kinds:
            if text == kind or (text.startswith(kind) and not text[len(kind)].isalpha()):
                return kind
    return None


def header_of(path: Path) -> set[str] | None:
    """The normalised column names of a CSV or JSON Lines file's first record, or None."""
    import csv
    import io

    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = head[:exc.start].decode("utf-8-sig", errors="ignore")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    if lines[0].lstrip().startswith("{"):
        try:
            first = json.loads(lines[0])
        except ValueError:
            return None
        return {normalise_column(str(k)) for k in first} if isinstance(first, dict) else None
    return {normalise_column(c) for c in next(csv.reader(io.StringIO(lines[0])))}


def kinds_by_header(columns: set[str]) -> list[str]:
    """The kinds whose required columns ``columns`` holds (two or more: not ours to pick)."""
    return sorted(kind for kind, required in required_columns().items()
                  if all(c in columns for c in required))


def recognise(path: Path, name: str) -> tuple[str, str] | Refused:
    """(kind, how) for one file, by its name then its header; else why not."""
    kind = kind_by_name(name)
    if kind is not None:
        return kind, "name"
    if not path.name.lower().endswith(TEXT_SUFFIXES + JSON_SUFFIXES):
        return Refused(name, "neither its name nor its format says what kind of file it "
                       "is; name it after its kind (e.g. prisoners.csv)")
    columns = header_of(path)
    if not columns:
        return Refused(name, "it is empty: nothing to ingest")
    fits = kinds_by_header(columns)
    if len(fits) == 1:
        return fits[0], "header"
    if fits:
        return Refused(name, f"its header fits {' and '.join(fits)}; name the file after "
                       "its kind")
    return Refused(name, "its name is no kind's and its header has no kind's required "
                   "columns")


def _manifest(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(path -> kind) of the files a manifest lists, and of its ground-truth files."""
    path = root / MANIFEST
    if not path.is_file():
        return {}, {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        files = {str(f["path"]): str(f["kind"]) for f in document.get("files", [])}
        truth = {str(f["path"]): str(f["kind"]) for f in document.get("truth", [])}
    except (ValueError, TypeError, KeyError, AttributeError):
        raise MalformedFile(MANIFEST, "it is not a manifest cellwatch can read "
                            "(files: a list of path and kind)") from None
    return files, truth


def order_key(kind: str) -> tuple[int, str]:
    """Where ``kind`` goes in the order of loading."""
    return (ORDER.index(kind) if kind in ORDER else len(ORDER), kind)


def plan_folder(root: Path) -> Plan:
    """Every file under ``root`` (hidden ones aside), recognised and put in order."""
    listed, truth = _manifest(root)
    found = [(path, path.relative_to(root).as_posix()) for path in sorted(root.rglob("*"))
             if path.is_file()]
    return plan_files(found, listed, truth)


def _system_file(name: str) -> bool:
    # Hidden files and the metadata macOS puts in a zip (__MACOSX/, ._x, .DS_Store).
    return any(part.startswith(".") or part == "__MACOSX" for part in Path(name).parts)


def plan_upload(received: Sequence[tuple[Path, str]], scratch: Path,
                chosen: str | None = None, limits: ZipLimits | None = None) -> Plan:
    """Plan the files of one upload (path, name as sent): a zip is unpacked into
    ``scratch`` and planned as a folder (its manifest honoured), its files named
    ``ZIP/MEMBER``; a hostile or unreadable zip is refused whole; the other files are
    recognised one by one. ``chosen`` is the kind the user picked for every file."""
    plan = Plan()
    loose: list[tuple[Path, str]] = []
    for index, (path, name) in enumerate(received):
        if not is_zip(path):
            loose.append((path, name))
            continue
        root = scratch / f"zip-{index}"
        root.mkdir(parents=True)
        try:
            unpack_zip(path, root, name, limits)
            listed, truth = ({}, {}) if chosen else _manifest(root)
        except MalformedFile as bad:
            plan.refused.append(Refused(name, bad.reason))
            continue
        found = [(p, f"{name}/{p.relative_to(root).as_posix()}") for p in sorted(root.rglob("*"))
                 if p.is_file()]
        inner = plan_files(found, {f"{name}/{k}": v for k, v in listed.items()},
                           {f"{name}/{k}": v for k, v in truth.items()}, chosen)
        _merge(plan, inner)
    _merge(plan, plan_files(loose, chosen=chosen))
    plan.files.sort(key=lambda p: (*order_key(p.kind), p.name))
    return plan


def _merge(plan: Plan, more: Plan) -> None:
    plan.files += more.files
    plan.refused += more.refused
    plan.left_out += more.left_out


def plan_files(found: Iterable[tuple[Path, str]], listed: dict[str, str] | None = None,
               truth: dict[str, str] | None = None, chosen: str | None = None) -> Plan:
    """Recognise and order ``found`` (path, name as the user knows it).

    ``listed``/``truth`` come from a manifest; ``chosen`` is a kind the user named for
    every file (``cellwatch ingest KIND FILE...``, the web form's select).
    """
    listed, truth = listed or {}, truth or {}
    plan = Plan()
    known = set(kind_names())
    for path, name in found:
        if _system_file(name):
            plan.left_out.append(Refused(name, "a hidden or system file, not data"))
        elif Path(name).name == MANIFEST and not chosen:
            plan.left_out.append(Refused(name, "the folder's manifest"))
        elif name in truth:
            plan.left_out.append(Refused(name, "the simulator's ground truth (manifest: "
                                         "truth), not data to ingest", truth[name]))
        elif chosen or name in listed:
            kind = canonical_kind(chosen or listed[name])
            if kind in known:
                plan.files.append(Planned(path, name, kind, "chosen" if chosen else
                                          "manifest"))
            else:
                plan.refused.append(Refused(name, f"its kind {kind!r} is not one cellwatch "
                                            "takes", kind))
        else:
            got = recognise(path, name)
            if isinstance(got, Refused):
                plan.refused.append(got)
            else:
                plan.files.append(Planned(path, name, *got))
    plan.files.sort(key=lambda p: (*order_key(p.kind), p.name))
    return plan


def ingest_plan(access: Access, settings: Settings, plan: Plan,
                check: Check | None = None, progress: Progress | None = None,
                max_file_bytes: int | None = None, rename: bool = True) -> FolderResult:
    """Ingest the planned files in order, as the principal; see the module for the rules.

    ``check`` is a shell's own look at a file before it goes in (the web's
    whole-file problems in words); ``max_file_bytes`` refuses bigger files (uploads);
    ``rename`` records each batch under the file's name as sent, not the server's path.
    """
    result = FolderResult(plan, refused=list(plan.refused))
    ctx = IngestContext(access.store, settings, access.principal.username)
    total = len(plan.files)
    for index, item in enumerate(plan.files):
        if progress is not None:
            progress(item, index, total)
        reason = _refusal(access, item, check, max_file_bytes)
        if reason is None:
            try:
                summary = ingest_file(ctx, item.kind, item.path)
            except (MalformedFile, InvalidData, IngestError) as exc:
                if exc.http_status >= 500:
                    raise
                reason = _said(exc)
            else:
                if rename:
                    name_as_sent(access, item.path, item.name, summary)
                audit_ingest(access, item.kind, item.name, summary)
                result.loaded.append((item, summary))
                continue
        result.refused.append(Refused(item.name, reason, item.kind))
    if progress is not None and total:
        progress(plan.files[-1], total, total)
    result.alerts_raised = run_after_ingest(settings, access.store,
                                            [s for _, s in result.loaded])
    return result


def _refusal(access: Access, item: Planned, check: Check | None,
             max_file_bytes: int | None) -> str | None:
    try:
        check_ingest(access, item.kind)
    except Denied:
        # Audited by check_ingest; the words say what the user can do about it.
        return (f"you may not load {item.kind.replace('_', ' ')} files; someone who may "
                "must load it")
    if max_file_bytes is not None and item.path.stat().st_size > max_file_bytes:
        return f"it is larger than the {max_file_bytes:,} bytes allowed for one file"
    return check(item.path, item.name, item.kind) if check is not None else None


def _said(exc: InvalidData | IngestError) -> str:
    if isinstance(exc, MalformedFile):
        line = f" (line {exc.line})" if exc.line else ""
        return f"{exc.reason}{line}"
    return exc.message


def name_as_sent(access: Access, path: Path, name: str, summary: IngestSummary) -> None:
    """Record a file under the name the user knows, not where the server put it."""
    summary.file = name
    if summary.batch_id is None or str(path) == name:
        return
    with access.store.session() as s:
        s.execute(update(IngestBatch).where(IngestBatch.id == summary.batch_id,
                                            IngestBatch.file_name == str(path))
                  .values(file_name=name))
        s.execute(update(QuarantinedRow).where(QuarantinedRow.batch_id == summary.batch_id,
                                               QuarantinedRow.file_name == str(path))
                  .values(file_name=name))


def counts(result: FolderResult) -> dict[str, int]:
    """Totals over the files loaded (read, accepted, updated, duplicates, quarantined)."""
    names = ("read", "accepted", "updated", "duplicates", "quarantined")
    return {n: sum(int(getattr(s, n)) for _, s in result.loaded) for n in names}


def refused_names(result: FolderResult) -> Sequence[str]:
    """The names of the files refused, in the order met."""
    return [r.name for r in result.refused]
