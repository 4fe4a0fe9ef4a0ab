"""Delivering alerts: in-app (the alerts table itself), signed webhook, and SMTP email.

Each new alert gets one :class:`AlertDelivery` per channel its rule names (rules not in
``rules.yaml``, such as TRO's own, go in-app only) and per configured target. Pending
deliveries are attempted outside any transaction; a failure is kept with its error and
retried on the next run, up to ``delivery_max_attempts``, then marked FAILED.

Webhook signature
-----------------
The body is the alert as JSON (UTF-8). Two headers are sent::

    X-Cellwatch-Timestamp: 1767225600            (Unix seconds)
    X-Cellwatch-Signature: sha256=<hex digest>

where the digest is HMAC-SHA256, keyed with ``alert_webhook_secret``, over the bytes
``<timestamp>.<body>``. A receiver recomputes it with :func:`verify_signature` (or the
same three lines in any language), compares in constant time, and refuses timestamps
more than five minutes old so that a captured request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select

from cellwatch.alerts.models import Alert, AlertDelivery
from cellwatch.alerts.rules import load_rules
from cellwatch.errors import ConfigError
from cellwatch.settings import Settings
from cellwatch.store import Store, utcnow

SIGNATURE_HEADER = "X-Cellwatch-Signature"
TIMESTAMP_HEADER = "X-Cellwatch-Timestamp"
TOLERANCE_S = 300
TIMEOUT_S = 10.0


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str,
                     now: float | None = None, tolerance: int = TOLERANCE_S) -> bool:
    """Whether a received webhook is genuine and fresh (for receivers; see module doc)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def payload(alert: Alert) -> dict[str, Any]:
    """The alert as delivered: the export's fields plus severity (no protected details)."""
    rule = load_rules().get(alert.rule)
    return {"alert_id": alert.id, "rule": alert.rule,
            "severity": rule.severity if rule else "MEDIUM",
            "created_ts": alert.created_ts.isoformat(), "status": alert.status,
            "prison_number": alert.prison_number, "person_ref": alert.person_ref,
            "identifier": alert.identifier, "establishment": alert.establishment,
            "summary": alert.summary}


@dataclass(frozen=True)
class Targets:
    """Where each channel delivers, from settings."""

    webhook: str | None
    emails: tuple[str, ...]

    @classmethod
    def of(cls, settings: Settings) -> Targets:
        if settings.alert_webhook_url and settings.alert_webhook_secret is None:
            raise ConfigError("CELLWATCH_ALERT_WEBHOOK_SECRET is required with a webhook URL")
        emails = tuple(a.strip() for a in (settings.alert_email_to or "").split(",")
                       if a.strip())
        if emails and not settings.smtp_host:
            raise ConfigError("CELLWATCH_SMTP_HOST is required to send alert emails")
        return cls(settings.alert_webhook_url, emails)


def plan(settings: Settings, store: Store) -> int:
    """Create delivery rows for alerts that have none yet; returns how many alerts."""
    targets, rules = Targets.of(settings), load_rules()
    with store.session() as s:
        planned = select(AlertDelivery.alert_id)
        new = list(s.scalars(select(Alert).where(Alert.id.not_in(planned)).order_by(Alert.id)))
        for alert in new:
            channels = rules[alert.rule].channels if alert.rule in rules else ("in_app",)
            # In-app delivery is the alert row itself: recorded as sent at once.
            s.add(AlertDelivery(alert_id=alert.id, channel="in_app", target="inbox",
                                status="SENT", attempts=1, delivered_at=utcnow()))
            if "webhook" in channels and targets.webhook:
                s.add(AlertDelivery(alert_id=alert.id, channel="webhook",
                                    target=targets.webhook, status="PENDING", attempts=0))
            if "email" in channels:
                for address in targets.emails:
                    s.add(AlertDelivery(alert_id=alert.id, channel="email", target=address,
                                        status="PENDING", attempts=0))
        return len(new)


def send_webhook(settings: Settings, url: str, body: bytes) -> None:
    """POST one signed body; raises on a network error or a non-2xx answer."""
    assert settings.alert_webhook_secret is not None
    ts = int(time.time())
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: str(ts),
               SIGNATURE_HEADER: sign(settings.alert_webhook_secret.get_secret_value(), ts,
                                      body)}
    response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_S)
    response.raise_for_status()


def send_email(settings: Settings, to: str, data: dict[str, Any]) -> None:
    """Send one alert email through the configured SMTP relay."""
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.smtp_from, to
    msg["Subject"] = f"[cellwatch {data['severity']}] {data['rule']} alert {data['alert_id']}"
    msg.set_content("\n".join(f"{k}: {v if v is not None else ''}" for k, v in data.items()))
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
        smtp.send_message(msg)


def deliver_pending(settings: Settings, store: Store) -> dict[str, int]:
    """Plan new alerts, then attempt every pending delivery; counts by outcome."""
    plan(settings, store)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with store.session() as s:
        pending = [(d.id, d.channel, d.target, d.alert_id) for d in s.scalars(
            select(AlertDelivery).where(AlertDelivery.status == "PENDING")
            .order_by(AlertDelivery.id))]
    for delivery_id, channel, target, alert_id in pending:
        with store.session() as s:
            alert = s.get(Alert, alert_id)
            assert alert is not None
            data = payload(alert)
        error: str | None = None
        try:
            if channel == "webhook":
                send_webhook(settings, target, json.dumps(data, sort_keys=True).encode())
            else:
                send_email(settings, target, data)
        except (httpx.HTTPError, OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        with store.session() as s:
            d = s.get(AlertDelivery, delivery_id)
            assert d is not None
            d.attempts += 1
            if error is None:
                d.status, d.delivered_at, d.last_error = "SENT", utcnow(), None
                counts["sent"] += 1
            else:
                d.last_error = error[:2000]
                d.status = "FAILED" if d.attempts >= settings.delivery_max_attempts else "PENDING"
                counts["failed" if d.status == "FAILED" else "retry"] += 1
    return counts
