"""``cellwatch ingest KIND FILE...``: load files, quarantine bad rows, print a summary.
``cellwatch ingest DIR`` (or a ``.zip``) loads a folder, each file's kind recognised and
the files in dependency order (:mod:`cellwatch.ingest.service.folders`), with a progress bar.

The command acts as ``CELLWATCH_PRINCIPAL`` and loads only the kinds that principal may
load: the rule of API and web uploads (:func:`cellwatch.ingest.service.uploads.check_ingest`),
refused and audited the same way. ``system`` loads everything. The files are loaded by
:func:`cellwatch.ingest.service.files.ingest_files`: each audited as an upload is, the
alert rules run once after every file.

Exit codes: 0 every row went in, 1 some rows were quarantined, 2 a file was unusable
(it changed nothing; the other files still go in), or the principal may not load the
kind (nothing was read).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cellwatch.access.service import Access
from cellwatch.cli.context import cli_access, console, print_json, settings_from_env
from cellwatch.errors import (
    AccessDenied,
    AuthenticationFailed,
    CellwatchError,
    Denied,
    MalformedFile,
)
from cellwatch.ingest.service.files import IngestSummary, handler_name, ingest_files
from cellwatch.ingest.service.uploads import check_ingest
from cellwatch.settings import Settings

COUNTS = ("read", "accepted", "updated", "duplicates", "quarantined")


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to ``app``."""
    app.command("ingest")(ingest_command)


def ingest_command(
    kind: str = typer.Argument(..., help="Kind of file (establishments, sensors, seizures...), "
                               "or a folder or .zip of files of any kinds."),
    files: list[Path] = typer.Argument(None, help="CSV or JSON Lines files (Parquet for the "
                                       "lake); none when KIND is a folder or a zip."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Validate and load FILE(s) of KIND, or every file of a folder or zip; rows that break
    a rule go to quarantine."""
    if not files:
        from cellwatch.cli.ingest_folder import ingest_folder_command

        ingest_folder_command(Path(kind), as_json)
        return
    name = handler_name(kind)  # an unknown kind fails before the store is touched
    settings = settings_from_env()
    access = acting_access(settings, as_json)
    require_loadable(access, [name], as_json)
    loaded = ingest_files(access, settings, name, files, progress=not as_json)
    summaries, errors = loaded.summaries, loaded.errors
    document = combine(name, summaries, errors)
    document["alerts_raised"] = loaded.alerts_raised
    if as_json:
        print_json(document)
    else:
        show(console(), summaries)
        console().print(f"alerts raised: {document['alerts_raised']}", highlight=False)
    err = Console(stderr=True)
    for error in errors:
        err.print(f"[bold red]error:[/] {error.message}", highlight=False)
    code = exit_code(summaries, errors)
    if code:
        raise SystemExit(code)


def acting_access(settings: Settings, as_json: bool) -> Access:
    """The CLI's principal bound to the store; an unknown or inactive one exits 2."""
    try:
        return cli_access(settings)
    except AuthenticationFailed as exc:
        refuse(exc, as_json, principal=settings.principal)


def require_loadable(access: Access, kinds: Iterable[str], as_json: bool) -> None:
    """Exit 2 unless the principal may load every one of ``kinds``.

    The decision is :func:`check_ingest`, the API's and the web's rule, which audits a
    denial (as ``denied``, the kind as the resource) before anything is read or stored.
    """
    for kind in sorted(set(kinds)):
        try:
            check_ingest(access, kind)
        except Denied:
            # One wording whichever half of the rule refused (the role, or the kind for
            # this organisation); the audit entry keeps the policy's own reason.
            name = access.principal.username
            refuse(AccessDenied(f"{name} may not load {kind}"), as_json,
                   principal=name, kind=kind)


def refuse(error: CellwatchError, as_json: bool, **about: str) -> NoReturn:
    """Print ``error`` (one JSON document with ``--json``) and exit with its exit code."""
    if as_json:
        print_json({"error": error.message, "code": error.code, **about})
    else:
        # Escaped: the message carries names from the environment, not markup.
        Console(stderr=True).print(f"[bold red]error:[/] {escape(error.message)}",
                                   highlight=False)
    raise SystemExit(error.exit_code)


def exit_code(summaries: list[IngestSummary], errors: list[MalformedFile]) -> int:
    """2 if a file was unusable, 1 if rows were quarantined, else 0."""
    if errors:
        return 2
    return 1 if any(s.quarantined for s in summaries) else 0


def combine(
    kind: str, summaries: list[IngestSummary], errors: list[MalformedFile]
) -> dict[str, Any]:
    """Totals over every file, then the per-file summaries and the unusable files."""
    document: dict[str, Any] = {"kind": kind} | {name: 0 for name in COUNTS}
    reasons: dict[str, int] = {}
    flagged: dict[str, int] = {}
    unknown: list[str] = []
    for summary in summaries:
        for name in COUNTS:
            document[name] += getattr(summary, name)
        _add(reasons, summary.reasons)
        _add(flagged, summary.flagged)
        unknown += [c for c in summary.unknown_columns if c not in unknown]
    return document | {
        "reasons": reasons,
        "flagged": flagged,
        "unknown_columns": unknown,
        "files": [s.to_dict() for s in summaries],
        "errors": [{"file": e.path, "line": e.line, "reason": e.reason} for e in errors],
    }


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, n in more.items():
        total[key] = total.get(key, 0) + n


def show(out: Console, summaries: list[IngestSummary]) -> None:
    """A table of counts per file, then each file's reasons and unknown columns."""
    if not summaries:
        return
    table = Table("file", *COUNTS, "batch")
    for s in summaries:
        note = " (already ingested)" if s.already_ingested else ""
        table.add_row(
            f"{s.file}{note}", *(str(getattr(s, name)) for name in COUNTS), str(s.batch_id)
        )
    out.print(table)
    for s in summaries:
        for reason, n in sorted(s.reasons.items(), key=lambda item: -item[1]):
            out.print(f"  {s.file}: {n} × {reason}", highlight=False)
        for flag, n in sorted(s.flagged.items()):
            out.print(f"  {s.file}: {n} flagged {flag}", highlight=False)
        if s.unknown_columns:
            columns = ", ".join(s.unknown_columns)
            out.print(f"  {s.file}: unknown columns kept as extra: {columns}", highlight=False)
