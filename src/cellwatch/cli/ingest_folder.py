"""``cellwatch ingest DIR`` (or ``FILE.zip``): every file of a folder, in dependency order.

Each file's kind comes from the folder's manifest, its name or its header, and the files
go in reference data first (:mod:`cellwatch.ingest.service.folders`, the web's rule for
several files or a zip), with a progress bar. A file of no kind, one the principal may not
load, or an unusable one is refused with its reason; the others still go in.

Exit codes as ``cellwatch ingest KIND FILE...``: 0 every row went in, 1 rows were
quarantined, 2 a file was refused (or the folder or zip could not be read).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cellwatch.cli.context import console, print_json, settings_from_env
from cellwatch.cli.ingest import COUNTS, acting_access, refuse
from cellwatch.errors import MalformedFile, UnknownKind
from cellwatch.ingest.service.archives import is_zip, unpack_zip
from cellwatch.ingest.service.folders import (
    FolderResult,
    Planned,
    counts,
    ingest_plan,
    plan_folder,
)


def ingest_folder_command(target: Path, as_json: bool) -> None:
    """Load every file of the folder or zip ``target`` (see the module)."""
    if not target.exists() or not (target.is_dir() or is_zip(target)):
        refuse(UnknownKind(f"{target} is not a folder or a zip; to load files name their "
                           "kind: cellwatch ingest KIND FILE..."), as_json)
    settings = settings_from_env()
    access = acting_access(settings, as_json)
    with tempfile.TemporaryDirectory(prefix="cellwatch-zip-") as scratch:
        root = target
        if not target.is_dir():
            root = Path(scratch)
            try:
                unpack_zip(target, root, target.name)
            except MalformedFile as bad:
                refuse(MalformedFile(target.name, bad.reason), as_json)
        try:
            plan = plan_folder(root)
        except MalformedFile as bad:
            refuse(bad, as_json)
        if not plan.files and not plan.refused:
            refuse(MalformedFile(target.name, "it holds no file to ingest"), as_json)
        if as_json:
            result = ingest_plan(access, settings, plan, rename=not target.is_dir())
        else:
            result = _with_bar(access, settings, plan, rename=not target.is_dir())
    document = as_document(result)
    if as_json:
        print_json(document)
    else:
        show(console(), result)
    code = 2 if result.refused else 1 if document["quarantined"] else 0
    if code:
        raise SystemExit(code)


def _with_bar(access: Any, settings: Any, plan: Any, rename: bool) -> FolderResult:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=len(plan.files))

        def step(item: Planned, done: int, total: int) -> None:
            bar.update(task, completed=done,
                       description=escape(f"{item.kind}: {item.name}") if done < total
                       else "done")

        return ingest_plan(access, settings, plan, progress=step, rename=rename)


def as_document(result: FolderResult) -> dict[str, Any]:
    """One JSON document: totals, each file loaded, each refused and each left out."""
    return {**counts(result), "alerts_raised": result.alerts_raised,
            "files": [{**s.to_dict(), "file": item.name, "kind": item.kind, "by": item.by}
                      for item, s in result.loaded],
            "refused": [{"file": r.name, "kind": r.kind, "reason": r.reason}
                        for r in result.refused],
            "left_out": [{"file": r.name, "reason": r.reason} for r in result.plan.left_out]}


def show(out: Console, result: FolderResult) -> None:
    """A table of the files loaded in order, then the left-out and refused files."""
    # One line per file, not a table: file names are long and terminals often narrow.
    for number, (item, s) in enumerate(result.loaded, start=1):
        note = "already ingested; " if s.already_ingested else ""
        figures = ", ".join(f"{n} {getattr(s, n)}" for n in COUNTS)
        out.print(escape(f"{number}. {item.name} as {item.kind} (by {item.by}): {note}"
                         f"{figures}; batch {s.batch_id}"), highlight=False)
    reasons: dict[str, list[str]] = {}
    for r in result.plan.left_out:
        reasons.setdefault(r.reason, []).append(r.name)
    for reason, names in reasons.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        out.print(escape(f"left out, {reason}: {shown}"), highlight=False)
    out.print(f"alerts raised: {result.alerts_raised}", highlight=False)
    err = Console(stderr=True)
    for r in result.refused:
        err.print(f"[bold red]refused:[/] {escape(r.name)}: {escape(r.reason)}",
                  highlight=False)
