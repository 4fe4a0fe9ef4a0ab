"""Shared alerts: rules as data, de-duplicated raising, lifecycle, export and delivery.

Any package raises into the one ``alerts`` table::

    from cellwatch.alerts import raise_alert
    alert = raise_alert(session, "REFERRAL_ACKNOWLEDGEMENT_OVERDUE", "referral:7",
                        summary="...")          # None if (rule, key) was raised before
    raised = upsert_alert(session, AlertDraft(rule, "A1234BC|2026-10-01", summary, ...))
    # a new alert for the episode, or that episode's alert updated in place

Lifecycle (``lifecycle.yaml``, the shared checker of :mod:`cellwatch.lifecycle`):
:func:`assign`, :func:`acknowledge`, :func:`close` (with an outcome).
Rules: ``rules.yaml`` (:func:`load_rules`); detectors in :mod:`cellwatch.alerts.detect.run`.
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
from cellwatch.alerts.raising import AlertDraft, Raised, priority, upsert_alert
from cellwatch.alerts.rules import RuleSpec, load_rules

__all__ = [
    "EXPORT_COLUMNS",
    "OUTCOMES",
    "STATUSES",
    "Alert",
    "AlertDelivery",
    "AlertDraft",
    "Raised",
    "RuleSpec",
    "acknowledge",
    "assign",
    "close",
    "export_alerts",
    "get_alert",
    "list_alerts",
    "load_rules",
    "priority",
    "raise_alert",
    "upsert_alert",
    "visible_alerts",
]
