"""One work queue, declared once: columns, filters, sorting, pages, CSV and bulk actions.

Each queue (alerts, candidates, orders, referrals, quarantine, suspected staff) is a
:class:`Queue`: a column spec, the filters it takes, its bulk actions, and three functions
of its own module: ``fetch`` (one page of rows through the domain service, which filters,
sorts and pages in SQL), ``describe`` (what a bulk action would change) and ``act`` (one
row through the same service call as a single action, audited there). This module reads
and checks the query string (a sort key or filter the queue does not have is a 422 on the
page, never a 500), pages, writes the CSV through :mod:`cellwatch.csvsafe`, and walks a
bulk action through its confirmation page and its per-row results.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from cellwatch import csvsafe
from cellwatch.access.service import Page as Paging
from cellwatch.errors import CellwatchError, InvalidData
from cellwatch.web.context import PageContext

LONDON = ZoneInfo("Europe/London")
PER_PAGE = (25, 50, 100, 200)
# The most rows one CSV export writes; past it the page asks for a narrower filter.
EXPORT_MAX = 10_000
# Query keys every queue takes; done/dv/ds carry a signed success banner (web/flash.py).
COMMON = frozenset({"sort", "dir", "page", "per_page", "format", "done", "dv", "ds"})
Row = dict[str, Any]
FilterKind = Literal["choice", "text", "min", "whole", "date_from", "date_to"]
CellKind = Literal["text", "number", "tag", "ident", "link", "time", "date", "prisoner"]


@dataclass(frozen=True)
class Column:
    """A column: the row key it shows and exports, and how."""

    key: str
    label: str
    sortable: bool = False
    kind: CellKind = "text"
    # For kind "link": the address, formatted with the row (e.g. "/alerts/{id}").
    link: str = ""


@dataclass(frozen=True)
class Filter:
    """A filter box. ``date_from``/``date_to`` bound a UK calendar day, ``min`` a number."""

    key: str
    label: str
    kind: FilterKind = "text"
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BulkAction:
    """A bulk action and the form fields it needs (each must be filled in)."""

    key: str
    label: str
    needs: tuple[str, ...] = ()
    # Fields it takes that may be left blank (an assignee: blank is yourself).
    optional: tuple[str, ...] = ()
    warning: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return self.needs + self.optional


@dataclass(frozen=True)
class Outcome:
    """What a bulk action did to one row: done, or refused and why."""

    key: str
    label: str
    done: bool
    message: str = ""
    status: int = 200


@dataclass(frozen=True)
class View:
    """A queue's query: its sort, filters and page, checked against the spec."""

    sort: str
    descending: bool
    filters: dict[str, str]
    page: int = 1
    per_page: int = 50

    @property
    def order(self) -> tuple[str, bool]:
        return self.sort, self.descending

    def paging(self) -> Paging:
        """This page plus one row, to tell whether another page follows."""
        return Paging(limit=self.per_page + 1, offset=(self.page - 1) * self.per_page)

    def text(self, key: str) -> str | None:
        return self.filters.get(key) or None

    def number(self, key: str) -> float | None:
        value = self.filters.get(key)
        return float(value) if value else None

    def whole(self, key: str) -> int | None:
        value = self.filters.get(key)
        return int(value) if value else None

    def since(self, key: str) -> datetime | None:
        """The start (UTC) of the UK day in filter ``key``."""
        value = self.filters.get(key)
        return _uk_midnight(date.fromisoformat(value)) if value else None

    def before(self, key: str) -> datetime | None:
        """The end (UTC, exclusive) of the UK day in filter ``key``."""
        value = self.filters.get(key)
        return _uk_midnight(date.fromisoformat(value) + timedelta(days=1)) if value else None

    def query(self, **changes: object) -> str:
        """This view's query string with ``changes`` (page reset unless given)."""
        params: dict[str, object] = {k: v for k, v in self.filters.items() if v}
        params |= {"sort": self.sort, "dir": "desc" if self.descending else "asc",
                   "per_page": self.per_page, "page": 1}
        params |= changes
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LONDON).astimezone(UTC)


@dataclass
class Queue:
    """A queue's declaration and the three functions that read and work it."""

    name: str
    title: str
    path: str
    noun: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    default_sort: str
    default_desc: bool
    fetch: Callable[[PageContext, View, Paging], list[Row]]
    actions: tuple[BulkAction, ...] = ()
    describe: Callable[[PageContext, list[str]], list[tuple[str, str]]] | None = None
    act: Callable[[PageContext, str, list[str], dict[str, str]], list[Outcome]] | None = None
    template: str = "queue.html"
    intro: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def default(self) -> View:
        return View(self.default_sort, self.default_desc, {})

    def parse(self, params: Mapping[str, str]) -> View:
        """The view the query string asks for; :class:`InvalidData` naming what is wrong."""
        problems: list[str] = []
        filters = {f.key: f for f in self.filters}
        unknown = sorted(set(params) - COMMON - set(filters))
        if unknown:
            problems.append(f"This queue has no filter called {', '.join(unknown)}: "
                            f"filter by {', '.join(f.label.lower() for f in self.filters)}")
        sortable = [c.key for c in self.columns if c.sortable]
        sort = params.get("sort") or self.default_sort
        if sort not in sortable:
            problems.append(f"This queue cannot be sorted by {sort!r}: sort by "
                            f"{', '.join(sortable)}")
        direction = params.get("dir", "")
        if direction not in ("", "asc", "desc"):
            problems.append("Sort direction must be asc or desc")
        values: dict[str, str] = {}
        for key, spec in filters.items():
            value = params.get(key, "").strip()
            problem = _check(spec, value)
            if problem:
                problems.append(problem)
            elif value:
                values[key] = value
        page, per_page = _whole(params.get("page", "1")), _whole(params.get("per_page", "50"))
        if page is None or page < 1:
            problems.append("Page must be a whole number from 1")
        if per_page not in PER_PAGE:
            problems.append(f"Rows per page must be one of {', '.join(map(str, PER_PAGE))}")
        if problems:
            raise InvalidData("; ".join(problems), errors={"query": problems})
        descending = self.default_desc if not direction else direction == "desc"
        return View(sort, descending, values, page or 1, per_page or 50)


def _whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None


def _check(spec: Filter, value: str) -> str | None:
    if not value:
        return None
    if spec.kind == "choice" and value not in {v for v, _ in spec.choices}:
        return (f"{spec.label}: {value!r} is not one of "
                f"{', '.join(label for _, label in spec.choices)}")
    if spec.kind in ("date_from", "date_to"):
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{spec.label}: enter a date as YYYY-MM-DD"
    if spec.kind == "whole" and _whole(value) is None:
        return f"{spec.label}: enter a whole number"
    if spec.kind == "min":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return f"{spec.label}: enter a number"
    if len(value) > 200:
        return f"{spec.label}: at most 200 characters"
    return None


def _fetch_page(ctx: PageContext, queue: Queue, view: View) -> tuple[list[Row], bool]:
    rows = queue.fetch(ctx, view, view.paging())
    return rows[:view.per_page], len(rows) > view.per_page


async def show(ctx: PageContext, queue: Queue, status: int = 200,
               problems: Sequence[str] = (), fields: Mapping[str, str] | None = None,
               ticked: Sequence[str] = (), view: View | None = None,
               **extra: Any) -> Response:
    """The queue page (or its CSV): the view the query asks for, or the default view with
    the query's problems (422)."""
    if view is None:
        try:
            view = queue.parse(ctx.request.query_params)
        except InvalidData as exc:
            view, status = queue.default(), 422
            problems = [*problems, *exc.errors.get("query", [exc.message])]
        else:
            if ctx.request.query_params.get("format") == "csv":
                return await run_in_threadpool(export, ctx, queue, view)
    rows, more = await run_in_threadpool(_fetch_page, ctx, queue, view)
    return ctx.render(queue.template, status=status, title=queue.title, section="queues",
                      tab=queue.name, q=queue, view=view, rows=rows, more=more,
                      values=fields or {}, ticked=set(ticked), fetched=ctx.request.state,
                      error_summary=[(None, p) for p in problems] or None,
                      **(queue.extra | extra))


def csv_value(value: object) -> object:
    """A cell as exported: times in UTC ISO 8601, lists joined, None empty; text stays text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return value if isinstance(value, (int, float)) else str(value)


def export(ctx: PageContext, queue: Queue, view: View) -> Response:
    """Every row of the filtered, sorted view as CSV (formula-like cells neutralised)."""
    rows: list[Row] = []
    offset = 0
    while True:
        got = queue.fetch(ctx, view, Paging(limit=500, offset=offset))
        rows.extend(got)
        if len(got) < 500:
            break
        offset += 500
        if len(rows) > EXPORT_MAX:
            raise InvalidData(f"more than {EXPORT_MAX:,} rows: narrow the filter to export")
    out = io.StringIO()
    write = csvsafe.writer(out, lineterminator="\r\n")
    write.writerow([c.key for c in queue.columns])
    for row in rows:
        write.writerow([csv_value(row.get(c.key)) for c in queue.columns])
    name = f"cellwatch-{queue.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.csv"
    response = Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    ctx.finish(response)
    return response


async def bulk(ctx: PageContext, queue: Queue) -> Response:
    """A bulk action: nothing selected or a field missing shows the queue again (422);
    otherwise a confirmation page listing what will change; once confirmed, each row
    through the service on its own, and a page saying what was done and refused."""
    fields = await ctx.form()
    data = await ctx.request.form()
    keys = sorted({v for v in data.getlist("selected") if isinstance(v, str) and v})
    view = _view_of(queue, fields.get("view", ""))
    action = next((a for a in queue.actions if a.key == fields.get("action")), None)
    if not keys:
        return await show(ctx, queue, 422, [f"Select at least one {queue.noun}"], fields,
                          view=view)
    if action is None or queue.act is None or queue.describe is None:
        return await show(ctx, queue, 422,
                          [f"Choose what to do with the selected {queue.noun}s"], fields,
                          keys, view)
    missing = [n for n in action.needs if not fields.get(n, "").strip()]
    if missing:
        return await show(ctx, queue, 422, [f"Enter the {n} to {action.label.lower()}"
                                            for n in missing], fields, keys, view)
    shown: dict[str, Any] = {"q": queue, "view": view, "action": action, "values": fields,
                             "title": f"{action.label}: {queue.title.lower()}",
                             "section": "queues"}
    if fields.get("confirmed") != "yes":
        described = await run_in_threadpool(queue.describe, ctx, keys)
        return ctx.render("queue_confirm.html", rows=described, **shown)
    outcomes = await run_in_threadpool(queue.act, ctx, action.key, keys, fields)
    done = sum(o.done for o in outcomes)
    refused = {o.status for o in outcomes if not o.done}
    status = 200 if done or not refused else (refused.pop() if len(refused) == 1 else 422)
    return ctx.render("queue_done.html", status=status, outcomes=outcomes, done=done,
                      **shown)


def _view_of(queue: Queue, query: str) -> View:
    # The queue's view the form was posted from (a bad one falls back to the default).
    try:
        return queue.parse(dict(parse_qsl(query)))
    except InvalidData:
        return queue.default()


def each(keys: Sequence[str], label: Callable[[str], str],
         act: Callable[[str], object]) -> list[Outcome]:
    """``act`` on every key on its own: one refusal (scope, state, role) stops none of
    the others and is reported against its row."""
    outcomes = []
    for key in keys:
        try:
            act(key)
        except CellwatchError as exc:
            outcomes.append(Outcome(key, label(key), False, exc.message, exc.http_status))
        else:
            outcomes.append(Outcome(key, label(key), True))
    return outcomes


def key_number(key: str, noun: str) -> int:
    """A row key as the number it stands for (``noun`` with its article: "an alert");
    any other key is refused as data, never looked up."""
    if not key.isdigit():
        raise InvalidData(f"{key!r} is not {noun} number")
    return int(key)


def describe_each(keys: Sequence[str], describe: Callable[[str], str],
                  noun: str) -> list[tuple[str, str]]:
    """Each key with what ``describe`` says of it for the confirmation page; one the
    reader cannot open (unknown, out of scope, not a number) reads as not found, alike."""
    described = []
    for key in keys:
        try:
            described.append((key, describe(key)))
        except CellwatchError:
            described.append((key, f"{noun} {key} (not found)"))
    return described


def with_view(view: View, **changes: Any) -> View:
    """``view`` with fields changed (a queue narrowing its own fetch)."""
    return replace(view, **changes)
