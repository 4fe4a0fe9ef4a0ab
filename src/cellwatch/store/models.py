"""Imports every table module so that ``Base.metadata`` knows them all (for Alembic and tests).

A package that adds tables lists its model module here.
"""

from cellwatch.access import models as access  # noqa: F401  (organisations, users, audit)
from cellwatch.attribution import models as attribution  # noqa: F401  (identity graph, attribution)
from cellwatch.guard import models as guard  # noqa: F401  (suspected staff or visitor phones)
from cellwatch.protect import models as protect  # noqa: F401  (alerts, protected persons, reports)
from cellwatch.store import events, ingest, reference
from cellwatch.takedown import models as takedown  # noqa: F401  (social-media takedown requests)
from cellwatch.tro import models as tro  # noqa: F401  (TRO applications, orders, alerts)

__all__ = ["events", "ingest", "reference"]
