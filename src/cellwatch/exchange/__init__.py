"""Data exchange with partner systems: STIX 2.1, MISP, FollowTheMoney, link charts.

The record exports read through :mod:`cellwatch.access` (scope, handling codes, audit,
disseminations) in :mod:`cellwatch.exchange.collect`, then map the same neutral rows to
a format: :mod:`~cellwatch.exchange.stix`, :mod:`~cellwatch.exchange.misp` and
:mod:`~cellwatch.exchange.ftm`. Link charts (:mod:`~cellwatch.exchange.linkgraph`) go to
GraphML, GEXF (:mod:`~cellwatch.exchange.graphml`) and i2 (:mod:`~cellwatch.exchange.anx`).
The heavy libraries (stix2, pymisp, followthemoney) are imported only inside the mapping
functions.
"""

from cellwatch.exchange.collect import ExchangeData, ExportScope, collect
from cellwatch.exchange.write import export_ftm, export_misp, export_stix

__all__ = ["ExchangeData", "ExportScope", "collect", "export_ftm", "export_misp", "export_stix"]
