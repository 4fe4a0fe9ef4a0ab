"""Statistics in the shape of HMPPS's annual digest: finds of handsets and SIM cards,
detections, TRO applications, orders and disconnections, and account takedowns, per
establishment (or region) and month.

Public API::

    monthly_statistics(settings, store, by="establishment", start=None, end=None) -> StatsTable
    write_statistics(table, out_dir) -> list[Path]      # CSVs and PNG charts
    STATISTICS                                          # the definitions, one SQL each
"""

from cellwatch.reports.definitions import STATISTICS, Statistic
from cellwatch.reports.stats import StatsTable, monthly_statistics
from cellwatch.reports.write import write_statistics

__all__ = ["STATISTICS", "Statistic", "StatsTable", "monthly_statistics", "write_statistics"]
