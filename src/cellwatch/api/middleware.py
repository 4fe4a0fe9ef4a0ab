"""What every response gets: a request id, security headers, and a log line when it fails.

A plain ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which buffers and
costs a thread hop per request). Each request gets a random id, kept in
``request.state.request_id`` and sent back as ``X-Request-ID``; a server error
(5xx) is logged with it, so an operator can find the traceback a user reports.
An exception nothing handled becomes a problem-details 500 here, so it too carries
the id and the headers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from base64 import b64encode
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("cellwatch.api")

REQUEST_ID = "X-Request-ID"
BASE_TEMPLATE = Path(__file__).parent.parent / "web" / "templates" / "base.html"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
# The interactive API docs load Swagger UI from its CDN with an inline starter script.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
             "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: "
             "https://fastapi.tiangolo.com; frame-ancestors 'none'; base-uri 'none'")


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The pages' CSP: our own files only, plus the layout's two inline scripts by hash.

    The hashes are taken from the layout template itself (its ``static()`` calls
    rendered as the pages render them), so editing those scripts cannot silently
    leave the policy blocking them. Inline ``style`` attributes (the heat map's cell
    colours) need ``'unsafe-inline'`` for styles; scripts never get it.
    """
    env = Environment(autoescape=True)
    hashes = []
    source = BASE_TEMPLATE.read_text() if BASE_TEMPLATE.exists() else ""
    for body in _INLINE_SCRIPT.findall(source):
        rendered = env.from_string(body).render(static=lambda path: f"/static/{path}")
        digest = b64encode(hashlib.sha256(rendered.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return ("default-src 'self'; "
            f"script-src 'self' {' '.join(hashes)}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (the docs page gets a CSP that lets it run)."""
    csp = _DOCS_CSP if path.endswith("/docs") else content_security_policy()
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]


class RequestMiddleware:
    """Request ids, security headers and server-error logging for every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0
        extra = [*security_headers(scope.get("path", "")), (REQUEST_ID.lower().encode(),
                                                             request_id.encode())]

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in extra if h[0] not in names)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("500 %s %s request_id=%s", scope.get("method"), scope.get("path"),
                          request_id)
            if status:  # the response had begun: nothing more can be sent
                raise
            await _internal_error(send, scope.get("path", ""), request_id, extra)
            return
        if status >= 500:
            log.error("%d %s %s request_id=%s (%.0f ms)", status, scope.get("method"),
                      scope.get("path"), request_id, (time.perf_counter() - started) * 1000)


async def _internal_error(send: Send, path: str, request_id: str,
                          extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                       "detail": "internal error", "instance": path,
                       "request_id": request_id}).encode()
    await send({"type": "http.response.start", "status": 500, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
