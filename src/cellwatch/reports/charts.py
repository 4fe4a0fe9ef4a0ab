"""Charts of the statistics as PNG bytes, drawn on matplotlib's Agg canvas.

Figures are built with :class:`matplotlib.figure.Figure` directly rather than pyplot:
no display is needed, and no global figure state is shared between API requests.

Each chart is a function of a :class:`StatsTable`, listed in :data:`CHARTS` by the name
the CLI writes it under and the API serves it at.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cellwatch.errors import NotFound
from cellwatch.reports.definitions import STATISTICS
from cellwatch.reports.stats import StatsTable

LABELS = {s.name: s.label for s in STATISTICS}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)  # attaches the Agg canvas, so savefig needs no pyplot backend
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _monthly(table: StatsTable, names: tuple[str, ...], title: str) -> bytes:
    months = table.monthly_totals()
    labels = [m["month"].strftime("%Y-%m") for m in months]
    fig = Figure(figsize=(max(6.0, 0.6 * len(labels) + 2), 4), layout="tight")
    ax = fig.subplots()
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(labels))]
        ax.bar(xs, [m[name] for m in months], width=width, label=LABELS[name])
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_title(f"{title}, {table.start:%b %Y} to {table.end:%b %Y}")
    ax.set_ylabel("count")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return _png(fig)


def finds_by_month(table: StatsTable) -> bytes:
    """Handsets and SIM cards found per month, all establishments or regions."""
    return _monthly(table, ("handsets", "sim_cards"), "Finds of handsets and SIM cards")


def detections_by_month(table: StatsTable) -> bytes:
    """Detection events per month."""
    return _monthly(table, ("detections",), "Detections")


def disruption_by_month(table: StatsTable) -> bytes:
    """TRO applications, orders, disconnections and account takedowns per month."""
    return _monthly(table, ("applications", "orders", "disconnections", "takedowns"),
                    "Disruption")


def finds_by_group(table: StatsTable) -> bytes:
    """Total finds per establishment or region over the window, largest first."""
    totals: dict[str, list[int]] = {}
    for r in table.rows:
        t = totals.setdefault(str(r[table.group_column]), [0, 0])
        t[0] += int(r["handsets"])
        t[1] += int(r["sim_cards"])
    ordered = sorted(totals.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    names = [k for k, _ in ordered]
    fig = Figure(figsize=(7, max(3.0, 0.35 * len(names) + 1.5)), layout="tight")
    ax = fig.subplots()
    ax.barh(names, [v[0] for _, v in ordered], label=LABELS["handsets"])
    ax.barh(names, [v[1] for _, v in ordered], left=[v[0] for _, v in ordered],
            label=LABELS["sim_cards"])
    ax.invert_yaxis()
    ax.set_title(f"Finds by {table.group_column}, {table.start:%b %Y} to {table.end:%b %Y}")
    ax.set_xlabel("items found")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return _png(fig)


CHARTS: dict[str, Callable[[StatsTable], bytes]] = {
    "finds_by_month": finds_by_month,
    "detections_by_month": detections_by_month,
    "disruption_by_month": disruption_by_month,
    "finds_by_group": finds_by_group,
}


def chart_png(table: StatsTable, name: str) -> bytes:
    """The chart ``name`` of ``table`` as PNG bytes."""
    if name not in CHARTS:
        raise NotFound(f"no chart {name!r}; charts are {', '.join(CHARTS)}")
    return CHARTS[name](table)
