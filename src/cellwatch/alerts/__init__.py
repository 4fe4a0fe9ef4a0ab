"""Shared alerts: rules as data, de-duplicated raising, lifecycle, export and delivery.

Any package raises into the one ``alerts`` table::

    from cellwatch.alerts import raise_alert
    alert = raise_alert(session, "DISCONNECTED_IDENTIFIER_REAPPEARED", key,
                        identifier="352099001761481", summary="...")
    # None if (rule, key) was raised before

Lifecycle: :func:`assign`, :func:`acknowledge`, :func:`close` (with an outcome).
Rules: ``rules.yaml`` (:func:`load_rules`); detectors in :mod:`cellwatch.alerts.engine`.
Delivery: in-app (the table), signed webhook and SMTP email (:mod:`cellwatch.alerts.deliver`).
"""

from cellwatch.alerts.export import EXPORT_COLUMNS, export_alerts, list_alerts, visible_alerts
from cellwatch.alerts.lifecycle import (
    OUTCOMES,
    STATUSES,
    acknowledge,
    assign,
    close,
    get_alert,
    raise_alert,
)
from cellwatch.alerts.models import Alert, AlertDelivery
from cellwatch.alerts.rules import RuleSpec, load_rules

__all__ = [
    "EXPORT_COLUMNS",
    "OUTCOMES",
    "STATUSES",
    "Alert",
    "AlertDelivery",
    "RuleSpec",
    "acknowledge",
    "assign",
    "close",
    "export_alerts",
    "get_alert",
    "list_alerts",
    "load_rules",
    "raise_alert",
    "visible_alerts",
]
