"""``cellwatch quarantine``: list, show, fix, retry and discard rejected rows.

Every command acts as ``CELLWATCH_PRINCIPAL`` through the service functions behind the
API's ``/api/v1/quarantine`` and the web's ingest page (:mod:`cellwatch.ingest.service.batches`,
:mod:`cellwatch.ingest.service.uploads`), so the rules are theirs: a principal sees the rows of
batches it ran (every row for a national unit or ``system``); reading needs the
quarantine read permission and is audited (``list``, ``read``); a change (``fix``,
``retry``, ``discard``) needs the quarantine update permission on the row and the right to
load its kind, and is audited. ``retry`` first decides the kind of every row it would
touch (:func:`cellwatch.cli.ingest.require_loadable`), so a refusal changes nothing.
A refusal exits 2 (with ``--json``, one error document).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer
from rich.table import Table

from cellwatch.access.service import Access, Page
from cellwatch.cli.context import AS_JSON, console, print_json, settings_from_env
from cellwatch.cli.ingest import acting_access, combine, exit_code, refuse, require_loadable, show
from cellwatch.errors import AccessDenied, InvalidData
from cellwatch.ingest.service import batches, uploads
from cellwatch.ingest.service.files import canonical_kind
from cellwatch.settings import Settings

group = typer.Typer(help="Rows rejected by ingest: list, show, fix, retry, discard.")
# The service's largest page, as the API's ``limit``.
PAGE = 500


def register(app: typer.Typer) -> None:
    """Add the ``quarantine`` group to ``app``."""
    app.add_typer(group, name="quarantine")


@contextmanager
def _acting(as_json: bool) -> Iterator[tuple[Access, Settings]]:
    """The acting principal and settings; a refusal inside exits 2 (an unknown principal
    already has), printed as ``cellwatch ingest`` prints its refusals."""
    settings = settings_from_env()
    access = acting_access(settings, as_json)
    try:
        yield access, settings
    except AccessDenied as exc:
        refuse(exc, as_json, principal=access.principal.username)


@group.command("list")
def list_command(
    kind: str | None = typer.Option(None, "--kind", help="Only this kind."),
    batch: int | None = typer.Option(None, "--batch", help="Only rows of this batch."),
    status: str = typer.Option("OPEN", "--status", help="OPEN, RESOLVED, DISCARDED or ALL."),
    limit: int = typer.Option(PAGE, "--limit", min=1, max=PAGE, help="At most 500."),
    as_json: bool = AS_JSON,
) -> None:
    """List the quarantined rows you may see (open ones by default)."""
    wanted = None if status.upper() == "ALL" else status
    name = canonical_kind(kind) if kind else None
    with _acting(as_json) as (access, _):
        found = batches.list_quarantine(access, Page(limit=limit), name, wanted, batch)
    rows = [uploads.row_to_dict(row) for row in found]
    if as_json:
        print_json({"rows": rows, "count": len(rows)})
        return
    table = Table("id", "kind", "file:line", "status", "problems")
    for row in rows:
        problems = "; ".join(
            f"{p['field']}: {p['reason']}" if p["field"] else p["reason"] for p in row["problems"]
        )
        table.add_row(
            str(row["id"]), row["kind"], f"{row['file']}:{row['line']}", row["status"], problems
        )
    console().print(table)


@group.command("show")
def show_command(
    row_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = AS_JSON,
) -> None:
    """Show one quarantined row: problems, raw values and edits (the read is audited)."""
    with _acting(as_json) as (access, _):
        row = uploads.row_to_dict(uploads.get_quarantined(access, row_id), full=True)
    if as_json:
        print_json(row)
        return
    out = console()
    out.print(f"#{row['id']} {row['kind']} {row['file']}:{row['line']} {row['status']}")
    for problem in row["problems"]:
        out.print(f"  problem  {problem['field'] or '(row)'}: {problem['reason']}", highlight=False)
    for name, value in row["raw"].items():
        out.print(f"  {name} = {value!r}", highlight=False)
    for edit in row["edits"]:
        out.print(
            f"  edited {edit['field']}: {edit['old']!r} -> {edit['new']!r} by {edit['by']}",
            highlight=False,
        )
    if row["note"]:
        out.print(f"  note: {row['note']}", highlight=False)


@group.command("fix")
def fix_command(
    row_id: int = typer.Argument(..., metavar="ID"),
    assignments: list[str] = typer.Argument(..., metavar="FIELD=VALUE..."),
    as_json: bool = AS_JSON,
) -> None:
    """Edit a quarantined row's raw values (then ``quarantine retry ID``)."""
    changes: dict[str, str] = {}
    for assignment in assignments:
        field, sep, value = assignment.partition("=")
        if not sep or not field.strip():
            raise InvalidData(f"expected FIELD=VALUE, got {assignment!r}")
        changes[field] = value
    with _acting(as_json) as (access, settings):
        row = uploads.fix_quarantined(access, settings, row_id, changes)
    if as_json:
        print_json(row)
    else:
        console().print(f"row {row_id} edited; retry it with: cellwatch quarantine retry {row_id}")


@group.command("retry")
def retry_command(
    ids: list[int] = typer.Argument(None, metavar="[ID...]"),
    everything: bool = typer.Option(False, "--all", help="Retry every open row you may see."),
    kind: str | None = typer.Option(None, "--kind", help="Retry the open rows of this kind."),
    as_json: bool = AS_JSON,
) -> None:
    """Re-validate open rows; those that now pass go in and are marked RESOLVED."""
    if not (ids or kind or everything):
        raise InvalidData("say which rows to retry: IDs, --kind or --all")
    with _acting(as_json) as (access, settings):
        rows = _rows_to_retry(access, ids or (), kind, everything)
        # Every kind is decided before any row is retried: a refusal changes nothing.
        named = {canonical_kind(kind)} if kind else set()
        require_loadable(access, {k for _, k in rows} | named, as_json)
        summaries, alerts = uploads.retry_counting_alerts(
            access, settings, [row_id for row_id, _ in rows])
    document = combine(kind or "all", summaries, [])
    document["alerts_raised"] = alerts
    if as_json:
        print_json(document)
    else:
        show(console(), summaries)
        console().print(
            f"retried {document['read']}: {document['accepted'] + document['updated']} went in, "
            f"{document['duplicates']} already there, {document['quarantined']} still quarantined"
        )
    code = exit_code(summaries, [])
    if code:
        raise SystemExit(code)


def _rows_to_retry(access: Access, ids: Sequence[int], kind: str | None,
                   everything: bool) -> list[tuple[int, str]]:
    """(id, kind) of the open rows a retry would touch.

    Named rows are taken as named (one outside the principal's scope is refused when
    retried); ``--kind`` and ``--all`` take the open rows the principal may see, as the
    API lists them, never another organisation's.
    """
    wanted = canonical_kind(kind) if kind else None
    if ids:
        found = uploads.kinds_of_rows(access, ids)
        return [(row_id, k) for row_id, k in found if wanted in (None, k)]
    rows: list[tuple[int, str]] = []
    while True:
        page = batches.list_quarantine(access, Page(PAGE, len(rows)), wanted, "OPEN")
        rows += [(row.id, row.kind) for row in page]
        if len(page) < PAGE:
            return rows


@group.command("discard")
def discard_command(
    row_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Why the row is given up on."),
    as_json: bool = AS_JSON,
) -> None:
    """Give up on a quarantined row, saying why (it is kept for the record)."""
    with _acting(as_json) as (access, settings):
        row = uploads.discard_quarantined(access, settings, row_id, reason)
    if as_json:
        print_json(row)
    else:
        console().print(f"row {row_id} discarded")
