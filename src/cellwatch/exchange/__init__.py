"""Data exchange with partner systems: STIX 2.1 bundles and FollowTheMoney entities.

Both exports read through :mod:`cellwatch.access` (scope, handling codes, audit,
disseminations) in :mod:`cellwatch.exchange.collect`, then map the same neutral rows to
a format: :mod:`cellwatch.exchange.stix` and :mod:`cellwatch.exchange.ftm`. The heavy
libraries (stix2, followthemoney) are imported only inside the mapping functions.
"""

from cellwatch.exchange.collect import ExchangeData, ExportScope, collect
from cellwatch.exchange.write import export_ftm, export_stix

__all__ = ["ExchangeData", "ExportScope", "collect", "export_ftm", "export_stix"]
