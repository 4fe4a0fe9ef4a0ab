"""Every table of cellwatch on ``Base.metadata``, registered in one place at the top.

The Alembic environment (``store/migrations/env.py``) and the tests import this module;
nothing below it does, so the store does not depend on the domains that add tables. A
package that adds tables lists its model module here.
"""

from cellwatch.access import models as access  # noqa: F401  (organisations, users, audit)
from cellwatch.alerts import models as alerts  # noqa: F401  (alerts and their deliveries)
from cellwatch.attribution import models as attribution  # noqa: F401  (identity graph, attribution)
from cellwatch.guard import models as guard  # noqa: F401  (suspected staff or visitor phones)
from cellwatch.ingest import extraction_tables  # noqa: F401  (phone extractions)
from cellwatch.protect import models as protect  # noqa: F401  (protected persons, reports)
from cellwatch.store import events, ingest, reference
from cellwatch.takedown import models as takedown  # noqa: F401  (social-media takedown requests)
from cellwatch.tro import models as tro  # noqa: F401  (TRO applications, orders, responses)

__all__ = ["events", "ingest", "reference"]
