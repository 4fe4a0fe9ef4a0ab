"""``cellwatch quarantine``: list, show, fix, retry and discard rejected rows.

``retry`` stores rows, so it obeys the rule of ``cellwatch ingest``: the acting
principal must be allowed to load the kind of every row it would retry
(:func:`cellwatch.cli.ingest.require_loadable`).
"""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.table import Table

from cellwatch.cli.context import console, print_json, settings_from_env, store_from_env
from cellwatch.cli.ingest import acting_access, combine, exit_code, require_loadable, show
from cellwatch.errors import InvalidData
from cellwatch.ingest import quarantine as q
from cellwatch.ingest.framework import IngestContext, IngestSummary, canonical_kind
from cellwatch.store import Store

group = typer.Typer(help="Rows rejected by ingest: list, show, fix, retry, discard.")


def register(app: typer.Typer) -> None:
    """Add the ``quarantine`` group to ``app``."""
    app.add_typer(group, name="quarantine")


def _context(progress: bool = False) -> IngestContext:
    settings = settings_from_env()
    return IngestContext.create(store_from_env(settings), settings, progress)


@group.command("list")
def list_command(
    kind: str | None = typer.Option(None, "--kind", help="Only this kind."),
    batch: int | None = typer.Option(None, "--batch", help="Only rows of this batch."),
    status: str = typer.Option("OPEN", "--status", help="OPEN, RESOLVED, DISCARDED or ALL."),
    limit: int = typer.Option(1000, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """List quarantined rows (open ones by default)."""
    wanted = None if status.upper() == "ALL" else status
    rows = q.list_rows(_context().store, kind, batch, wanted, limit)
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
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show one quarantined row: problems, raw values and edits."""
    row = q.show_row(_context().store, row_id)
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
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Edit a quarantined row's raw values (then ``quarantine retry ID``)."""
    changes: dict[str, str] = {}
    for assignment in assignments:
        field, sep, value = assignment.partition("=")
        if not sep or not field.strip():
            raise InvalidData(f"expected FIELD=VALUE, got {assignment!r}")
        changes[field] = value
    row = q.fix_row(_context(), row_id, changes)
    if as_json:
        print_json(row)
    else:
        console().print(f"row {row_id} edited; retry it with: cellwatch quarantine retry {row_id}")


@group.command("retry")
def retry_command(
    ids: list[int] = typer.Argument(None, metavar="[ID...]"),
    everything: bool = typer.Option(False, "--all", help="Retry every open row."),
    kind: str | None = typer.Option(None, "--kind", help="Retry the open rows of this kind."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Re-validate open rows; those that now pass go in and are marked RESOLVED."""
    settings = settings_from_env()
    access = acting_access(settings, as_json)
    kinds = _kinds_to_retry(access.store, ids or (), kind, everything)
    # Every kind is decided before any row is retried: a refusal changes nothing.
    require_loadable(access, kinds, as_json)
    ctx = IngestContext(access.store, settings, access.principal.username, not as_json)
    summaries = _retry(ctx, ids or (), kind, everything, kinds)
    document = combine(kind or "all", summaries, [])
    # Rows that went in on retry are new evidence, exactly as if ingested now.
    from cellwatch.alerts.engine import run_after_ingest

    document["alerts_raised"] = run_after_ingest(ctx.settings, ctx.store, summaries)
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


def _kinds_to_retry(store: Store, ids: Sequence[int], kind: str | None,
                    everything: bool) -> set[str]:
    """The kinds of the rows a retry would touch (a named kind counts even with none open)."""
    wanted = canonical_kind(kind) if kind else None
    if ids:
        # A row's kind never changes, so the kinds decided are the kinds retried.
        found = {str(q.show_row(store, row_id)["kind"]) for row_id in ids}
        return {k for k in found if wanted in (None, k)}
    if wanted:
        return {wanted}
    return set(q.open_counts(store)) if everything else set()


def _retry(ctx: IngestContext, ids: Sequence[int], kind: str | None, everything: bool,
           kinds: set[str]) -> list[IngestSummary]:
    if ids or kind or not everything:
        return q.retry_rows(ctx, ids, kind, everything)
    # --all retries kind by kind, only the kinds decided: a row of another kind quarantined
    # since the decision waits for someone allowed to load it. Reference kinds go first,
    # as retry_rows orders them, so later kinds find what they refer to.
    order = q.RETRY_ORDER
    ranked = sorted(kinds, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [summary for name in ranked for summary in q.retry_rows(ctx, kind=name)]


@group.command("discard")
def discard_command(
    row_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Why the row is given up on."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Give up on a quarantined row, saying why (it is kept for the record)."""
    row = q.discard_row(_context(), row_id, reason)
    if as_json:
        print_json(row)
    else:
        console().print(f"row {row_id} discarded")
