"""Writing the statistics as the digest publishes them: CSV tables and PNG charts.

- ``statistics_by_<by>_month.csv``: one row per establishment (or region) and month,
  one column per statistic (the tidy table everything else is derived from);
- ``digest_<statistic>.csv``: the digest's layout, one row per establishment (or
  region), one column per month, a Total column and a Total row;
- ``totals_by_<by>.csv``: each statistic summed over the window, with a Total row;
- ``<chart>.png``: every chart of :data:`cellwatch.reports.charts.CHARTS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cellwatch.csvsafe import write_schema
from cellwatch.csvsafe import writer as csv_writer
from cellwatch.reports.stats import StatsTable


def _keys(table: StatsTable) -> list[str]:
    if table.by == "region":
        return ["region"]
    return ["establishment", "establishment_name", "region"]


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv_writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    # Group names are strings; every other column is a count (months across, totals).
    write_schema(path, header, {h: "integer" for h in header
                                if h not in ("establishment", "establishment_name", "region",
                                             "month")})
    return path


def digest_rows(table: StatsTable, statistic: str) -> tuple[list[str], list[list[Any]]]:
    """One statistic laid out as the digest does: groups down, months across, totals."""
    keys = _keys(table)
    months = sorted({r["month"] for r in table.rows})
    grid: dict[tuple[Any, ...], dict[Any, int]] = {}
    for r in table.rows:
        grid.setdefault(tuple(r[k] for k in keys), {})[r["month"]] = int(r[statistic])
    header = [*keys, *(m.strftime("%Y-%m") for m in months), "Total"]
    body = []
    for group, values in grid.items():
        cells = [values.get(m, 0) for m in months]
        body.append([*group, *cells, sum(cells)])
    column_totals = [sum(row[len(keys) + i] for row in body) for i in range(len(months) + 1)]
    body.append(["Total", *([""] * (len(keys) - 1)), *column_totals])
    return header, body


def write_statistics(table: StatsTable, out_dir: Path) -> list[Path]:
    """Write every CSV and PNG of ``table`` into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keys, stats = _keys(table), list(table.statistics)
    written = [_write(out_dir / f"statistics_by_{table.by}_month.csv", [*keys, "month", *stats],
                      [[*(r[k] for k in keys), r["month"].isoformat(), *(r[s] for s in stats)]
                       for r in table.rows])]
    for statistic in stats:
        header, body = digest_rows(table, statistic)
        written.append(_write(out_dir / f"digest_{statistic}.csv", header, body))
    totals: dict[tuple[Any, ...], list[int]] = {}
    for r in table.rows:
        acc = totals.setdefault(tuple(r[k] for k in keys), [0] * len(stats))
        for i, s in enumerate(stats):
            acc[i] += int(r[s])
    grand = table.totals()
    written.append(_write(out_dir / f"totals_by_{table.by}.csv", [*keys, *stats],
                          [[*g, *v] for g, v in totals.items()]
                          + [["Total", *([""] * (len(keys) - 1)), *(grand[s] for s in stats)]]))
    # matplotlib is slow to import; load it only when charts are drawn.
    from cellwatch.reports.charts import CHARTS

    for name, draw in CHARTS.items():
        path = out_dir / f"{name}.png"
        path.write_bytes(draw(table))
        written.append(path)
    return written
