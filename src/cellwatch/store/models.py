"""Imports every table module so that ``Base.metadata`` knows them all (for Alembic and tests).

A package that adds tables lists its model module here.
"""

from cellwatch.access import models as access  # noqa: F401  (organisations, users, audit)
from cellwatch.attribution import models as attribution  # noqa: F401  (identity graph, attribution)
from cellwatch.store import events, ingest, reference
from cellwatch.tro import models as tro  # noqa: F401  (TRO applications, orders, alerts)

__all__ = ["events", "ingest", "reference"]
