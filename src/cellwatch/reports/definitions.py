"""One SQL definition per statistic: pure functions of the dialect returning SQL text.

Identifiers in the SQL are fixed names from this module (hence the ``noqa: S608``).
Each returns rows ``(establishment, month, value)`` for the reporting window held in
the one-row table ``stats_window(from_day, to_day)`` (dates, inclusive), so no value is
ever interpolated into SQL. Months are calendar months in Europe/London, as the
published digest counts them: a find at 00:30 BST on 1 October is an October find.

Store tables are read under the ``cw_`` prefix (copied into the engine by
:mod:`cellwatch.reports.stats`); the lake's ``detections`` view is read directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cellwatch.lake.analytic_engine import Dialect

# The digest counts a handset found with its SIM in both the handset and the SIM columns.
HANDSET_TYPES = ("HANDSET", "HANDSET_WITH_SIM")
SIM_TYPES = ("SIM", "HANDSET_WITH_SIM")


@dataclass(frozen=True)
class Statistic:
    """A column of the digest: its name, label, the store tables it reads, its SQL."""

    name: str
    label: str
    tables: tuple[str, ...]
    sql: Callable[[Dialect], str]


def _in_window(d: Dialect, ts: str) -> str:
    local_day = f"CAST({d.to_local(ts)} AS DATE)"
    return (f"{local_day} BETWEEN (SELECT from_day FROM stats_window) "  # noqa: S608
            f"AND (SELECT to_day FROM stats_window)")


def _utc_days_of_window() -> str:
    return ("day BETWEEN CAST((SELECT from_day FROM stats_window) - INTERVAL 1 DAY AS DATE) "
            "AND (SELECT to_day FROM stats_window)")


def _month(d: Dialect, ts: str) -> str:
    return f"CAST({d.trunc('month', d.to_local(ts))} AS DATE)"


def _quoted(values: tuple[str, ...]) -> str:
    # Fixed enumerations from this module, never user input.
    return ", ".join(f"'{v}'" for v in values)


def _item_count(types: tuple[str, ...]) -> Callable[[Dialect], str]:
    def sql(d: Dialect) -> str:
        return (
            f"SELECT establishment, {_month(d, 'ts')} AS month, count(*) AS value "  # noqa: S608
            f"FROM cw_seizure_items WHERE item_type IN ({_quoted(types)}) "
            f"AND {_in_window(d, 'ts')} GROUP BY 1, 2"
        )

    return sql


def detections_sql(d: Dialect) -> str:
    """Every detection event the lake holds, by the establishment whose sensor saw it.

    Counted per UTC hour first, then the hours are placed in UK days and months: UK
    offsets are whole hours and change on the hour, so every instant of a UTC hour has
    the same local day and month as the hour's first detection. The time-zone conversion
    runs once per hour rather than once per detection. Only the ``day`` partitions that
    can hold the window's UK days are read: a UK day d is UTC day d or d - 1.
    """
    hour = f"CAST(floor({d.epoch_seconds('ts')} / 3600) AS BIGINT)"
    return (f"SELECT establishment, {_month(d, 'first_ts')} AS month, sum(n) AS value "  # noqa: S608
            f"FROM (SELECT establishment, min(ts) AS first_ts, count(*) AS n FROM detections "
            f"WHERE {_utc_days_of_window()} GROUP BY establishment, {hour}) AS hours "
            f"WHERE {_in_window(d, 'first_ts')} GROUP BY 1, 2")


def applications_sql(d: Dialect) -> str:
    """TRO applications by the month they were drafted."""
    return (f"SELECT establishment, {_month(d, 'created_at')} AS month, count(*) AS value "  # noqa: S608
            f"FROM cw_tro_applications WHERE {_in_window(d, 'created_at')} "
            "GROUP BY 1, 2")


def orders_sql(d: Dialect) -> str:
    """Orders: applications the court granted, by the month of the grant."""
    return (
        f"SELECT a.establishment, {_month(d, 't.at')} AS month, "  # noqa: S608
        f"count(DISTINCT a.id) AS value FROM cw_tro_transitions t "
        f"JOIN cw_tro_applications a ON a.id = t.application_id "
        f"WHERE t.to_state = 'GRANTED' AND {_in_window(d, 't.at')} GROUP BY 1, 2"
    )


def disconnections_sql(d: Dialect) -> str:
    """Identifiers an operator disconnected or blocked under an order, by month actioned."""
    return (
        f"SELECT a.establishment, {_month(d, 'l.actioned_ts')} AS month, count(*) AS value "  # noqa: S608
        f"FROM cw_tro_lines l JOIN cw_tro_applications a ON a.id = l.application_id "
        f"WHERE l.status = 'DONE' AND l.actioned_ts IS NOT NULL "
        f"AND {_in_window(d, 'l.actioned_ts')} GROUP BY 1, 2"
    )


def takedowns_sql(d: Dialect) -> str:
    """Accounts a platform removed at our request, by the month it was recorded."""
    return (
        f"SELECT r.establishment, {_month(d, 't.at')} AS month, count(*) AS value "  # noqa: S608
        f"FROM cw_takedown_transitions t JOIN cw_takedown_requests r ON r.id = t.request_id "
        f"WHERE t.to_state = 'REMOVED' AND r.establishment IS NOT NULL "
        f"AND {_in_window(d, 't.at')} GROUP BY 1, 2"
    )


STATISTICS: tuple[Statistic, ...] = (
    Statistic("handsets", "Handsets found", ("seizure_items",), _item_count(HANDSET_TYPES)),
    Statistic("sim_cards", "SIM cards found", ("seizure_items",), _item_count(SIM_TYPES)),
    Statistic("detections", "Detections", (), detections_sql),
    Statistic("applications", "TRO applications", ("tro_applications",), applications_sql),
    Statistic("orders", "TROs granted", ("tro_applications", "tro_transitions"), orders_sql),
    Statistic("disconnections", "Identifiers disconnected", ("tro_applications", "tro_lines"),
              disconnections_sql),
    Statistic("takedowns", "Accounts taken down",
              ("takedown_requests", "takedown_transitions"), takedowns_sql),
)
STATISTIC_NAMES: tuple[str, ...] = tuple(s.name for s in STATISTICS)


def empty_sql() -> str:
    """The rows of a statistic whose tables this store does not have: none."""
    return ("SELECT CAST(NULL AS VARCHAR) AS establishment, CAST(NULL AS DATE) AS month, "
            "CAST(0 AS BIGINT) AS value WHERE false")


def parts_sql(parts: dict[str, str]) -> str:
    """Every statistic's rows in one table ``(statistic, establishment, month, value)``.

    ``parts`` maps each statistic name (a fixed identifier) to its SQL; computed once,
    the table then serves both the window's bounds and the combined table.
    """
    return " UNION ALL ".join(
        f"SELECT '{n}' AS statistic, establishment, month, value FROM ({sql}) AS p_{n}"  # noqa: S608
        for n, sql in parts.items())


def part_of(table: str, name: str) -> str:
    """One statistic's rows out of a table made by :func:`parts_sql`."""
    return (f"SELECT establishment, month, value FROM {table} "  # noqa: S608 - fixed names
            f"WHERE statistic = '{name}'")


def combined_sql(d: Dialect, parts: dict[str, str]) -> str:
    """Every statistic side by side per establishment and month, zero where none.

    ``parts`` maps each statistic name to its SQL (or :func:`empty_sql`). The spine is
    every active establishment (and any closed one with data in the window) times every
    month of the window: a prison with nothing to report shows zeros, as the digest does.
    """
    ctes = ",\n".join(f"s_{name} AS ({sql})" for name, sql in parts.items())
    columns = ",\n  ".join(f"coalesce(s_{n}.value, 0) AS {n}" for n in parts)
    joins = "\n".join(
        f"LEFT JOIN s_{n} ON s_{n}.establishment = e.code AND s_{n}.month = e.month"
        for n in parts
    )
    return f"""WITH {ctes},
months AS ({month_series_sql(d)}),
with_data AS ({" UNION ".join(f"SELECT establishment FROM s_{n}" for n in parts)}),
spine AS (SELECT e.code, e.name, coalesce(e.region, 'Unknown') AS region, m.month
          FROM cw_establishments e CROSS JOIN months m
          WHERE coalesce(e.active, true) OR e.code IN (SELECT establishment FROM with_data))
SELECT e.code AS establishment, e.name AS establishment_name, e.region, e.month,
  {columns}
FROM spine e
{joins}
ORDER BY e.region, e.code, e.month"""  # noqa: S608 - statistic names are fixed identifiers


def month_series_sql(d: Dialect) -> str:
    """First days of every month of the window (DuckDB and Spark spell the series apart)."""
    start = "CAST(date_trunc('month', (SELECT from_day FROM stats_window)) AS DATE)"
    end = "CAST(date_trunc('month', (SELECT to_day FROM stats_window)) AS DATE)"
    if d.name == "spark":
        return f"SELECT explode(sequence({start}, {end}, interval 1 month)) AS month"
    return (f"SELECT CAST(generate_series AS DATE) AS month "  # noqa: S608
            f"FROM generate_series({start}, {end}, INTERVAL 1 MONTH)")


def by_region_sql(establishment_sql: str, names: tuple[str, ...]) -> str:
    """The establishment table summed to regions."""
    sums = ", ".join(f"sum({n}) AS {n}" for n in names)
    # Statistic names are fixed identifiers from STATISTICS.
    return (f"SELECT region, month, {sums} FROM ({establishment_sql}) AS per_establishment "  # noqa: S608
            f"GROUP BY region, month ORDER BY region, month")


def bounds_sql(d: Dialect, parts: dict[str, str]) -> str:
    """The first and last month with any data, to default the window to.

    ``parts`` are the statistics' rows over an unbounded window (or the names of tables
    holding them: ``SELECT * FROM t``); the window found contains all of them.
    """
    union = " UNION ALL ".join(
        f"SELECT month FROM ({sql}) AS s_{n}"  # noqa: S608 - SQL from this module
        for n, sql in parts.items()
    )
    return f"SELECT min(month), max(month) FROM ({union}) AS every_month"  # noqa: S608
