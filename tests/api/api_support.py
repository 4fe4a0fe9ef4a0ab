"""Helpers shared by the API tests: lifecycle moves and what the audit chain recorded."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from audit_support import audited


def move(client: TestClient, url: str, headers: dict[str, str], state: str,
         **extra: str) -> tuple[int, dict[str, Any]]:
    """POST a move to ``state`` (with a reason) to ``url``: (status, body)."""
    r = client.post(url, headers=headers, json={"state": state, "reason": f"to {state}", **extra})
    return r.status_code, r.json()


__all__ = ["audited", "move"]
