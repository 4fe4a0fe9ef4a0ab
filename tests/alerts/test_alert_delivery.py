"""Webhook and email delivery against real local receivers (127.0.0.1 only)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import select

from cellwatch.alerts import AlertDelivery, raise_alert
from cellwatch.alerts.deliver import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    deliver_pending,
    verify_signature,
)
from cellwatch.settings import Settings
from cellwatch.store import Store

SECRET = "test-webhook-secret"


class Receiver(BaseHTTPRequestHandler):
    """Records each POST; answers with the server's ``status``."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server: Any = self.server
        server.received.append((dict(self.headers), body))
        self.send_response(server.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[Any]:
    server: Any = HTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Inbox:
    """An aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    # aiosmtpd checks its own port once started, so a free one is chosen first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def _alert(store: Store, key: str = "k") -> int:
    with store.session() as s:
        alert = raise_alert(s, "PROTECTED_PERSON_CONTACTED", key, prison_number="A1234BC",
                            person_ref="PP-1", identifier="+447700900222",
                            establishment="HEI", summary="SMS to protected person PP-1")
        assert alert is not None
        return alert.id


def test_signed_webhook_reaches_a_real_receiver(store: Store, settings: Settings,
                                                webhook: Any) -> None:
    url = f"http://127.0.0.1:{webhook.server_port}/hook"
    configured = settings.model_copy(update={"alert_webhook_url": url,
                                             "alert_webhook_secret": SecretStr(SECRET)})
    alert_id = _alert(store)
    assert deliver_pending(configured, store)["sent"] == 1
    ((headers, body),) = webhook.received
    assert verify_signature(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify_signature("wrong", headers[TIMESTAMP_HEADER], body,
                                headers[SIGNATURE_HEADER])
    assert not verify_signature(SECRET, headers[TIMESTAMP_HEADER], body + b" ",
                                headers[SIGNATURE_HEADER])
    doc = json.loads(body)
    assert doc["alert_id"] == alert_id
    assert doc["severity"] == "CRITICAL"
    # Delivered once: a second run sends nothing.
    assert deliver_pending(configured, store)["sent"] == 0
    assert len(webhook.received) == 1


def test_failed_webhook_is_retried_then_given_up(store: Store, settings: Settings,
                                                 webhook: Any) -> None:
    webhook.status = 500
    url = f"http://127.0.0.1:{webhook.server_port}/hook"
    configured = settings.model_copy(update={
        "alert_webhook_url": url, "alert_webhook_secret": SecretStr(SECRET),
        "delivery_max_attempts": 2})
    _alert(store)
    assert deliver_pending(configured, store) == {"sent": 0, "retry": 1, "failed": 0}
    assert deliver_pending(configured, store) == {"sent": 0, "retry": 0, "failed": 1}
    with store.session() as s:
        hook = s.scalars(select(AlertDelivery).where(AlertDelivery.channel == "webhook")).one()
    assert hook.status == "FAILED"
    assert "500" in (hook.last_error or "")


def test_email_reaches_a_real_smtp_server(store: Store, settings: Settings,
                                          smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    configured = settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": controller.port,
        "alert_email_to": "security@hei.test, liaison@hei.test"})
    _alert(store)
    assert deliver_pending(configured, store)["sent"] == 2
    assert len(inbox.messages) == 2
    msg = message_from_bytes(inbox.messages[0])
    assert "PROTECTED_PERSON_CONTACTED" in str(msg["Subject"])
    assert "A1234BC" in msg.get_payload()
